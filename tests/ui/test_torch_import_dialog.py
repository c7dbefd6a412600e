"""File › Import PyTorch module (issue 9): the one way a person's file runs as code, so the
window says so, naming the file, and runs nothing until the person agrees."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from netdesigner.ui.main_window import MainWindow
from netdesigner.ui.torch_import_dialog import (
    TorchImportDialog,
    import_torch_module,
    module_classes,
    parse_shapes,
)

SOURCE = '''
from pathlib import Path

import torch
from torch import nn

Path(__file__).with_name("it-ran").touch()  # what running the file does


class Helper:
    pass


class TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
'''


def _model_file(tmp_path: Path) -> Path:
    path = tmp_path / "two_layers.py"
    path.write_text(SOURCE)
    return path


def _in_dialog(qtbot, act) -> list[TorchImportDialog]:
    seen: list[TorchImportDialog] = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TorchImportDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog)
        act(dialog)

    QTimer.singleShot(20, look)
    return seen


def test_the_file_is_only_read_until_the_person_agrees(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = _model_file(tmp_path)
    before = window.project

    def cancel(dialog: TorchImportDialog) -> None:
        assert [dialog.classes.itemText(i) for i in range(dialog.classes.count())] == ["TwoLayers"]
        assert not (tmp_path / "it-ran").exists()
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)

    seen = _in_dialog(qtbot, cancel)
    assert not import_torch_module(window, path)
    text = seen[0].warning.text()
    assert "This runs two_layers.py as Python code" in text and str(path) in text
    assert not (tmp_path / "it-ran").exists() and window.project is before


def test_agreeing_runs_it_and_opens_the_model_with_its_weights(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = _model_file(tmp_path)

    def run(dialog: TorchImportDialog) -> None:
        dialog.shapes.setText("4")
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)

    _in_dialog(qtbot, run)
    assert import_torch_module(window, path)
    assert (tmp_path / "it-ran").exists()
    project = window.project
    assert [n.type for n in project.graph.nodes() if n.type == "Linear"] == ["Linear", "Linear"]
    assert project.weights is not None and project.path is None and window.has_unsaved_changes()


def test_a_shape_that_is_not_sizes_is_said_in_the_dialog(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = _model_file(tmp_path)
    said: list[str] = []

    def wrong_then_cancel(dialog: TorchImportDialog) -> None:
        dialog.shapes.setText("four")
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
        said.append(dialog.problem.text())
        assert dialog.isVisible()
        dialog.reject()

    _in_dialog(qtbot, wrong_then_cancel)
    assert not import_torch_module(window, path)
    assert "'four' is not sizes separated by commas" in said[0] and not (tmp_path / "it-ran").exists()


def test_classes_are_found_without_running_the_file(tmp_path: Path) -> None:
    path = _model_file(tmp_path)
    assert module_classes(path) == ["TwoLayers"] and not (tmp_path / "it-ran").exists()
    broken = tmp_path / "broken.py"
    broken.write_text("class (:")
    assert module_classes(broken) == []
    assert parse_shapes("1,28,28; 10") == [(1, 28, 28), (10,)]
