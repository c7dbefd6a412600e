"""Dropping an ONNX model on the window (as File > Open does) opens it as a new, unsaved
project with its weights; one that cannot be imported says why and changes nothing."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from torch import nn
from ui_gestures import PROJECTS, answer_next_dialog

from netdesigner.core.project_format import graph_to_json
from netdesigner.ui.main_window import MainWindow

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)


def _export(module: nn.Module, sample: torch.Tensor, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (sample,), dynamo=True, external_data=False,
                          dynamic_shapes=({0: "batch"},), verbose=False).save(str(path))
    return path


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    for cls in (QDragEnterEvent, QDropEvent):
        event = cls(QPointF(40, 40) if cls is QDropEvent else QPoint(40, 40), Qt.DropAction.CopyAction, mime,
                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, event)
        assert event.isAccepted()


def test_dropping_an_onnx_model_opens_it_with_its_weights(window: MainWindow, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    path = _export(model, torch.randn(3, 2), tmp_path / "two_moons.onnx")
    _drop(window, path)
    project = window.project
    assert [n.type for n in project.graph.nodes()] == ["Input", "Linear", "Tanh", "Linear", "Output"]
    assert project.path is None and window.isWindowModified()  # a new document, not saved yet
    first = next(n for n in project.graph.nodes() if n.type == "Linear")
    assert torch.equal(project.weights[f"{first.name}.weight"], model[0].weight.detach())
    assert "Imported two_moons.onnx: 3 layers" in window.statusBar().currentMessage()
    assert all(window.scene.node_items[n.id].isVisible() for n in project.graph.nodes())


def test_an_onnx_model_that_cannot_be_imported_says_why_and_keeps_the_document(window: MainWindow, tmp_path: Path) -> None:
    class Sine(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sin(x)

    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    before = graph_to_json(window.project.graph)
    path = _export(Sine(), torch.randn(2, 3), tmp_path / "sine.onnx")
    seen = answer_next_dialog(QMessageBox.StandardButton.Ok)
    assert not window.open_path_asking(path)
    assert seen and "no layer for Sin" in seen[0] and "nothing was changed" in seen[0]
    assert graph_to_json(window.project.graph) == before


def test_open_file_imports_an_onnx_model_as_the_command_line_does(window: MainWindow, tmp_path: Path) -> None:
    """``netdesigner gui model.onnx`` goes through ``open_file``: an ONNX file is imported, not
    read as a project (which failed with 'not UTF-8 text')."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    path = _export(model, torch.randn(2, 1, 6, 6), tmp_path / "tiny_cnn.onnx")
    window.open_file(path)
    assert [n.type for n in window.project.graph.nodes()][:3] == ["Input", "Conv2d", "ReLU"]
    assert window.project.path is None and window.weights_changed
    assert window.statusBar().currentMessage().startswith("Imported tiny_cnn.onnx")
    assert "parameters" in window.status.text()  # the model's summary stays beside the message
