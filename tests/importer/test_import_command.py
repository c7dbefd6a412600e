"""``netdesigner import``: an ONNX model becomes a project file with its weights."""

from __future__ import annotations

import argparse
import logging
import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from netdesigner.core.project import Project
from netdesigner.importer.command import add_import_parser, run_import

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)


def import_command(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_import_parser(parser.add_subparsers())
    return run_import(parser.parse_args(["import", *map(str, argv)]))


def export_onnx(module: nn.Module, sample: torch.Tensor, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (sample,), dynamo=True, external_data=False,
                          dynamic_shapes=({0: "batch"},), verbose=False).save(str(path))
    return path


def test_an_onnx_model_becomes_a_project_that_computes_the_same(tmp_path: Path, capsys) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
    path = export_onnx(model, torch.randn(2, 1, 8, 8), tmp_path / "small_cnn.onnx")
    assert import_command(path) == 0
    out = capsys.readouterr().out
    assert "4 layers" in out and "small_cnn.ndproj" in out
    project = Project.load(tmp_path / "small_cnn.ndproj")
    assert [n.type for n in project.graph.nodes()] == ["Input", "Conv2d", "ReLU", "Flatten", "Linear", "Output"]
    assert project.name == "small cnn" and project.weights is not None
    module = project.compile()
    module.load_state_dict(project.weights)
    x = torch.randn(4, 1, 8, 8)
    session = ort.InferenceSession(str(path))
    want = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
    np.testing.assert_allclose(module.eval()(x).detach().numpy(), want, rtol=1e-5, atol=1e-6)


def test_an_unsupported_model_exits_1_and_writes_nothing(tmp_path: Path, capsys) -> None:
    class Sine(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.sin(x)

    path = export_onnx(Sine(), torch.randn(2, 3), tmp_path / "sine.onnx")
    assert import_command(path, "-o", tmp_path / "out.ndproj") == 1
    assert "no layer for Sin" in capsys.readouterr().err
    assert not (tmp_path / "out.ndproj").exists()
    assert import_command(tmp_path / "none.onnx") == 2
