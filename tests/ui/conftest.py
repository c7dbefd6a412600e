"""The window fixture shared by the UI tests."""

from __future__ import annotations

import pytest

from netdesigner.ui.main_window import MainWindow


def forget_changes(window: MainWindow) -> None:
    window.training.stop(wait_s=5.0)
    window.stack.setClean()
    window.weights_changed = False


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    # closing asks about unsaved changes and running training; a test's are thrown away unasked
    qtbot.addWidget(win, before_close_func=forget_changes)
    win.show()
    qtbot.waitExposed(win)
    return win
