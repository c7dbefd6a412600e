"""The exception hook (issue 9): an error nobody caught, in a slot or on a worker thread, is
logged and shown in a dialog with a readable message, "Copy details" and the log's path; the
window keeps running."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from netdesigner.log_files import log_path
from netdesigner.ui.error_hook import ErrorHook
from netdesigner.ui.main_window import MainWindow


@pytest.fixture
def hook(window: MainWindow):
    hook = ErrorHook(window)
    hook.install()
    yield hook
    hook.uninstall()


def _answer_error_dialog(qtbot, seen: dict) -> None:
    """Reads the dialog, clicks Copy details (the box stays), then Close."""
    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.windowTitle() != "Something went wrong":
            QTimer.singleShot(20, look)
            return
        seen["text"], seen["info"], seen["details"] = box.text(), box.informativeText(), box.detailedText()
        copy = next(b for b in box.buttons() if b.text() == "Copy details")
        qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
        seen["still_open"] = box.isVisible()
        seen["clipboard"] = QApplication.clipboard().text()
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Close), Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, look)


def _broken_slot() -> None:
    raise ValueError("the layer 'fc9' was asked for a shape it cannot have")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_shown_logged_and_the_window_goes_on(window: MainWindow, hook: ErrorHook, qtbot) -> None:
    seen: dict = {}
    _answer_error_dialog(qtbot, seen)
    QTimer.singleShot(0, _broken_slot)
    qtbot.waitUntil(lambda: "clipboard" in seen and not isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=10_000)
    assert "ValueError: the layer 'fc9' was asked for a shape it cannot have" in seen["text"]
    assert "keeps running" in seen["info"] and str(log_path()) in seen["info"]
    assert "Traceback" in seen["details"] and "_broken_slot" in seen["details"]
    assert seen["still_open"] and "_broken_slot" in seen["clipboard"]
    assert "_broken_slot" in log_path().read_text(encoding="utf-8")
    assert window.isVisible()
    window.add_layer("Linear")  # and it still edits
    assert any(n.type == "Linear" for n in window.project.graph.nodes())


@pytest.mark.qt_no_exception_capture
def test_an_error_on_a_worker_thread_is_shown_on_the_gui_thread(window: MainWindow, hook: ErrorHook, qtbot) -> None:
    seen: dict = {}
    _answer_error_dialog(qtbot, seen)

    def work() -> None:
        raise RuntimeError("a worker lost its way")

    worker = threading.Thread(target=work, name="netdesigner-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "clipboard" in seen, timeout=10_000)
    assert "RuntimeError: a worker lost its way" in seen["text"] and "netdesigner-test-worker" in seen["text"]
    assert hook.shown == ["RuntimeError: a worker lost its way"] and window.isVisible()
