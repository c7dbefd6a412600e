"""The window fixture shared by the UI tests."""

from __future__ import annotations

import pytest

from netdesigner.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    # closing asks about unsaved changes; a test's edits are thrown away without a dialog
    qtbot.addWidget(win, before_close_func=lambda w: w.stack.setClean())
    win.show()
    qtbot.waitExposed(win)
    return win
