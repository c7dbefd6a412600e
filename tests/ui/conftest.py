"""The window fixture shared by the UI tests, and two guards around every UI test:

- a QThread the test started and left running fails it (the root conftest does the same for
  Python threads);
- a modal dialog nobody answers would block the test for ever (a modal dialog runs its own
  event loop, so no test timeout that raises on the GUI thread can end it): one that stays open
  longer than ``DIALOG_PATIENCE_S`` is closed and the test fails, naming the dialog's text.
"""

from __future__ import annotations

import time
import weakref

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from ui_gestures import PROJECTS, forget_changes

from netdesigner.ui.main_window import MainWindow

DIALOG_PATIENCE_S = 30.0
_started_qthreads: weakref.WeakSet[QThread] = weakref.WeakSet()
_original_start = QThread.start


def _remembered_start(self: QThread, *args) -> None:
    _started_qthreads.add(self)
    _original_start(self, *args)


QThread.start = _remembered_start


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    # closing asks about unsaved changes and running training; a test's are thrown away unasked
    qtbot.addWidget(win, before_close_func=forget_changes)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def spirals(window: MainWindow, tmp_path) -> MainWindow:
    """The window on a copy of the spirals example (checkpoints go beside it, not into the
    repository), set to train three short epochs."""
    copy = tmp_path / "spirals_mlp.ndproj"
    copy.write_bytes((PROJECTS / "spirals_mlp.ndproj").read_bytes())
    window.open_file(copy)
    training = window.project.training
    training.epochs, training.batch_size = 3, 16
    window.project.data.options = {"samples": 400}
    window.train_dock.refresh()
    return window


class _DialogWatch:
    """Closes a modal dialog left open past the patience, remembering what it said."""

    def __init__(self) -> None:
        self.forced: list[str] = []
        self._seen: tuple[int, float] | None = None  # (id of the dialog, when it was first seen)
        self.timer = QTimer(interval=250, timeout=self._look)

    def _look(self) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            self._seen = None
            return
        now = time.monotonic()
        if self._seen is None or self._seen[0] != id(dialog):
            self._seen = (id(dialog), now)
            return
        if now - self._seen[1] > DIALOG_PATIENCE_S:
            text = dialog.text() if isinstance(dialog, QMessageBox) else ""
            self.forced.append(f"{dialog.windowTitle()!r}: {text!r}")
            self._seen = None
            dialog.reject()


@pytest.fixture(autouse=True)
def _no_unanswered_dialog(qapp):
    watch = _DialogWatch()
    watch.timer.start()
    yield watch
    watch.timer.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # after pytest-qt closed the test's widgets: the window's own close must not block either
    watch = item.funcargs.get("_no_unanswered_dialog") if hasattr(item, "funcargs") else None
    if watch is not None and watch.forced:
        pytest.fail(f"a modal dialog stayed open unanswered for {DIALOG_PATIENCE_S:g} s and was closed: "
                    + "; ".join(watch.forced), pytrace=False)
    running = [t for t in list(_started_qthreads) if t.isRunning() and not t.wait(2000)]
    if running:
        pytest.fail(f"the test left {len(running)} QThread(s) running: "
                    + ", ".join(type(t).__name__ for t in running), pytrace=False)
    return result
