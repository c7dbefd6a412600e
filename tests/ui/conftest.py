"""The window fixture shared by the UI tests."""

from __future__ import annotations

import pytest
from ui_gestures import forget_changes

from netdesigner.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    # closing asks about unsaved changes and running training; a test's are thrown away unasked
    qtbot.addWidget(win, before_close_func=forget_changes)
    win.show()
    qtbot.waitExposed(win)
    return win
