"""ONNX export: every example project and every catalogue layer type exports, and onnxruntime
agrees with PyTorch at another batch size than the export traced with."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from catalog_examples import LAYERS, graph_for
from torch import nn

import netdesigner
from netdesigner.core.project import Project
from netdesigner.export.export_error import ExportError
from netdesigner.export.onnx_check import CHECK_BATCH, TOLERANCE
from netdesigner.export.onnx_export import export_onnx
from netdesigner.export.onnx_opset import newest_opset, runtime_opset

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
WITH_DATA = ["spirals_mlp", "digits_cnn", "lstm_sequence", "sine_mlp", "vae"]


@pytest.fixture(scope="module", autouse=True)
def warm_exporter(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The first export in a process builds torchlib's translation table (about 1 s) and
    imports the exporter; done once here, so each test's time is its own export."""
    g, _ = graph_for("ReLU")
    assert export_onnx(Project(graph=g), tmp_path_factory.mktemp("warm") / "relu.onnx").ok


def _input_dims(path: Path) -> dict[str, list[str | int]]:
    model = onnx.load(str(path))
    return {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input}


@pytest.mark.parametrize("example", [*WITH_DATA, "resnet18"])
def test_every_example_project_exports_and_agrees_with_pytorch(example: str, tmp_path: Path) -> None:
    project = Project.load(PROJECTS / f"{example}.ndproj")
    report = export_onnx(project, tmp_path / f"{example}.onnx")
    assert report.ok, report.text()
    inputs = [n.name for n in project.graph.nodes() if n.type == "Input"]
    outputs = [n.name for n in project.graph.nodes() if n.type == "Output"]
    assert [d.name for d in report.differences] == outputs
    assert all(d.max_abs <= TOLERANCE for d in report.differences)
    model = onnx.load(str(report.path))
    assert [i.name for i in model.graph.input] == inputs
    assert [o.name for o in model.graph.output] == outputs
    assert all(dims[0] == "batch" for dims in _input_dims(report.path).values())
    assert not list(tmp_path.glob("*.data")), "weights must live inside the one file"


def test_the_sequence_axis_of_a_recurrent_model_is_free(tmp_path: Path) -> None:
    report = export_onnx(Project.load(PROJECTS / "lstm_sequence.ndproj"), tmp_path / "lstm.onnx")
    assert report.ok, report.text()
    assert _input_dims(report.path) == {"rows": ["batch", "sequence", 8]}
    session = ort.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
    (logits,) = session.run(None, {"rows": np.zeros((5, 13, 8), np.float32)})
    assert logits.shape == (5, 10)


@pytest.mark.parametrize("type_name", LAYERS)
def test_every_layer_type_exports_and_agrees_with_pytorch(type_name: str, tmp_path: Path) -> None:
    g, outputs = graph_for(type_name)
    report = export_onnx(Project(graph=g, name=type_name), tmp_path / "layer.onnx")
    assert report.ok, report.text()
    assert [d.name for d in report.differences] == [g.node(o).name for o in outputs]
    dims = _input_dims(report.path)
    assert all(d[0] == "batch" for d in dims.values()), dims


def test_a_plain_rnn_keeps_its_declared_length_and_says_so(tmp_path: Path) -> None:
    """torch unrolls nn.RNN's steps on export; the file then takes one length only, and the
    report must say so rather than promise a free sequence axis."""
    g, _ = graph_for("RNN")
    report = export_onnx(Project(graph=g), tmp_path / "rnn.onnx")
    assert report.ok, report.text()
    assert report.inputs[0].dynamic == {0: "batch"}
    assert any("sequence axis of input input1 is fixed to 5" in n for n in report.notes)


def test_the_file_carries_the_project_name_labels_and_version(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "digits_cnn.ndproj")
    report = export_onnx(project, tmp_path / "digits.onnx")
    props = {p.key: p.value for p in onnx.load(str(report.path)).metadata_props}
    assert props["netdesigner.project"] == project.name
    assert props["netdesigner.version"] == netdesigner.__version__
    assert json.loads(props["netdesigner.class_labels"]) == [str(i) for i in range(10)]


def test_the_default_opset_is_the_newest_both_sides_support(tmp_path: Path) -> None:
    g, _ = graph_for("Linear")
    report = export_onnx(Project(graph=g), tmp_path / "linear.onnx")
    assert report.opset == newest_opset() <= runtime_opset()
    model = onnx.load(str(report.path))
    assert {o.domain: o.version for o in model.opset_import}[""] == newest_opset()


def test_an_older_opset_can_be_chosen(tmp_path: Path) -> None:
    g, _ = graph_for("Conv2d")
    report = export_onnx(Project(graph=g), tmp_path / "conv.onnx", opset=18)
    assert report.ok and report.opset == 18, report.text()


def test_an_opset_out_of_range_is_refused_with_the_range(tmp_path: Path) -> None:
    g, _ = graph_for("Linear")
    report = export_onnx(Project(graph=g), tmp_path / "linear.onnx", opset=7)
    assert not report.ok
    assert f"opset 7 is outside what the exporter and onnxruntime both support (18 to {newest_opset()})" in report.text()
    assert not (tmp_path / "linear.onnx").exists()


def test_the_export_holds_the_projects_trained_weights(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    trained = project.compile()
    torch.manual_seed(5)
    for p in trained.parameters():
        p.data.uniform_(-1, 1)
    project.weights = {k: v.clone() for k, v in trained.state_dict().items()}
    report = export_onnx(project, tmp_path / "spirals.onnx")
    x = torch.randn(4, 2)
    session = ort.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"point": x.numpy()})
    with torch.no_grad():
        np.testing.assert_allclose(got, trained.eval()(x).numpy(), atol=1e-5)


class DataDependent(nn.Module):
    """Python control flow on a tensor's value: torch.export cannot trace it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return x.nonzero().float()
        return x


def test_a_layer_that_cannot_be_exported_is_named_with_the_reason(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    module = project.compile()
    module.tanh1 = DataDependent()
    report = export_onnx(project, tmp_path / "bad.onnx", module=module)
    assert not report.ok
    assert report.problem.startswith("node tanh1 (Tanh) cannot be exported: "), report.problem
    assert "data-dependent" in report.problem
    assert "Traceback" not in report.text()
    assert not (tmp_path / "bad.onnx").exists()


class DifferentWhenExported(nn.Module):
    """Adds 1 only while being exported, so the file computes something else than PyTorch."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 1 if torch.compiler.is_exporting() else x


def test_an_output_onnxruntime_computes_differently_fails_the_export(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "sine_mlp.ndproj")
    module = project.compile()
    module.tanh2 = DifferentWhenExported()
    report = export_onnx(project, tmp_path / "sine.onnx", module=module)
    assert not report.ok
    (difference,) = report.differences
    assert difference.name == "y" and difference.max_abs > TOLERANCE
    assert report.problem.startswith("output y differs from PyTorch by up to")
    assert f"at batch {CHECK_BATCH}: DIFFERS" in report.text()


def test_the_report_says_how_to_open_and_run_the_file(tmp_path: Path) -> None:
    g, _ = graph_for("ReLU")
    text = export_onnx(Project(graph=g), tmp_path / "relu.onnx").text()
    assert "Netron (https://netron.app)" in text and "onnxruntime" in text


def test_an_unwritable_path_is_one_clear_error(tmp_path: Path) -> None:
    g, _ = graph_for("ReLU")
    with pytest.raises(ExportError, match="missing/relu.onnx: cannot write here"):
        export_onnx(Project(graph=g), tmp_path / "missing" / "relu.onnx")
