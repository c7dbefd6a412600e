"""File > Export…: the dialog writes the chosen format on a worker thread and shows the
check's report; a failure says why in the report and leaves the window alone."""

from __future__ import annotations

from pathlib import Path

import onnx
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from ui_gestures import PROJECTS

from netdesigner.export.formats import ExportFormat
from netdesigner.ui.export_dialog import ExportDialog
from netdesigner.ui.main_window import MainWindow


def _export_with(dialog: ExportDialog, qtbot, fmt: ExportFormat, output: Path) -> None:
    dialog.format_combo.setCurrentIndex(list(ExportFormat).index(fmt))
    dialog.output_edit.setText(str(output))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=60_000)


def test_export_onnx_from_the_menu_shows_the_verified_report(window: MainWindow, qtbot, tmp_path: Path) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    seen: list[ExportDialog] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QTimer.singleShot(20, drive)
            return
        seen.append(dialog)
        assert dialog.output_edit.text().endswith("spirals_mlp.onnx")  # beside the project, named after it
        _export_with(dialog, qtbot, ExportFormat.ONNX, tmp_path / "spirals.onnx")
        dialog.close_button.click()

    QTimer.singleShot(20, drive)
    window.actions["export"].trigger()
    dialog = seen[0]
    assert dialog.outcome.ok, dialog.report.toPlainText()
    report = dialog.report.toPlainText()
    assert "verified" in report and "Netron" in report and "largest difference" in report
    model = onnx.load(str(tmp_path / "spirals.onnx"))
    assert [i.name for i in model.graph.input] == ["point"]  # the Input node's name


def test_the_weights_and_the_python_package(window: MainWindow, qtbot, tmp_path: Path) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    dialog = ExportDialog(window.project, window)
    qtbot.addWidget(dialog)
    dialog.show()
    _export_with(dialog, qtbot, ExportFormat.SAFETENSORS, tmp_path / "w.safetensors")
    assert dialog.outcome.ok and "every tensor equal" in dialog.report.toPlainText()
    assert not dialog.opset_spin.isEnabled()  # the opset is for ONNX only
    _export_with(dialog, qtbot, ExportFormat.PYTHON, tmp_path / "package")
    assert dialog.outcome.ok, dialog.report.toPlainText()
    assert (tmp_path / "package" / "model.py").exists() and (tmp_path / "package" / "train.py").exists()


def test_an_output_that_cannot_be_written_is_reported(window: MainWindow, qtbot, tmp_path: Path) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    dialog = ExportDialog(window.project, window)
    qtbot.addWidget(dialog)
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    _export_with(dialog, qtbot, ExportFormat.ONNX, blocker / "inside.onnx")
    text = dialog.report.toPlainText()
    assert "failed" in text.lower() and "inside.onnx" in text
    assert dialog.export_button.isEnabled()  # ready to try again
