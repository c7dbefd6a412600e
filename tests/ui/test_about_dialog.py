"""Help > About NetDesigner: the versions a bug report needs, and a Copy button that puts them
on the clipboard (the same text ``netdesigner --versions`` prints, Qt's own version added)."""

from __future__ import annotations

import platform
import subprocess
import sys

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QApplication

import netdesigner
from netdesigner.ui.about_dialog import AboutDialog
from netdesigner.ui.main_window import MainWindow


def _open_about(window: MainWindow, qtbot) -> AboutDialog:
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.actions["about"] in help_menu.actions()
    window.actions["about"].trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_about_lists_the_versions_in_use(window: MainWindow, qtbot) -> None:
    text = _open_about(window, qtbot).text.toPlainText()
    import onnx
    import onnxruntime
    import torch

    assert f"NetDesigner {netdesigner.__version__}" in text
    assert f"Python {platform.python_version()}" in text
    assert f"(Qt {qVersion()})" in text
    assert f"torch {torch.__version__}" in text
    assert f"onnx {onnx.__version__}" in text
    assert f"onnxruntime {onnxruntime.__version__}" in text
    assert "not installed" not in text


def test_copy_puts_the_versions_on_the_clipboard(window: MainWindow, qtbot) -> None:
    dialog = _open_about(window, qtbot)
    QApplication.clipboard().setText("something else")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.text.toPlainText()
    assert dialog.copy_button.text() == "Copied"
    qtbot.waitUntil(lambda: dialog.copy_button.text() == "&Copy", timeout=5000)


def test_a_second_trigger_shows_the_same_dialog(window: MainWindow, qtbot) -> None:
    first = _open_about(window, qtbot)
    qtbot.mouseClick(first.close_button, Qt.MouseButton.LeftButton)
    assert not first.isVisible()
    assert _open_about(window, qtbot) is first and first.isVisible()
    assert len(window.findChildren(AboutDialog)) == 1


def test_the_command_line_prints_the_same_versions(window: MainWindow, qtbot) -> None:
    shown = _open_about(window, qtbot).text.toPlainText()
    printed = subprocess.run([sys.executable, "-m", "netdesigner", "--versions"], capture_output=True,
                             text=True, check=True, timeout=60).stdout.strip()
    assert shown.replace(f" (Qt {qVersion()})", "") == printed
