"""``netdesigner export``: each format is written, verified and reported, with the exit codes
the CLI promises (0 ok, 1 cannot be exported or failed its check, 2 usage or file errors)."""

from __future__ import annotations

import argparse
import shutil
from dataclasses import replace
from pathlib import Path

import onnxruntime as ort
import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.export.command import add_export_parser, run_export
from netdesigner.export.weights import load_weights

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netdesigner")
    add_export_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["export", *map(str, argv)])


def _copy(example: str, folder: Path) -> Path:
    target = folder / f"{example}.ndproj"
    shutil.copy(PROJECTS / f"{example}.ndproj", target)
    return target


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the spirals project trained for one epoch, its weights saved beside it."""
    from netdesigner.train.project_trainer import cpu_trainer_for

    path = _copy("spirals_mlp", tmp_path_factory.mktemp("trained"))
    project = Project.load(path)
    project.training = replace(project.training, epochs=1)
    trainer = cpu_trainer_for(project, initialize=True)
    assert trainer.run().ok
    project.weights = {k: v.detach().cpu() for k, v in trainer.module.state_dict().items()}
    project.save()
    return path


def test_onnx_is_written_beside_the_project_and_verified(trained: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_export(_parse(trained)) == 0
    out = capsys.readouterr().out
    onnx_file = trained.with_suffix(".onnx")
    assert f"ONNX file {onnx_file}" in out and "output logits" in out and "Netron" in out
    project = Project.load(trained)
    x = torch.randn(6, 2)
    (got,) = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"]).run(None, {"point": x.numpy()})
    with torch.no_grad():
        torch.testing.assert_close(torch.from_numpy(got), project.compile().eval()(x), rtol=0, atol=1e-5)


@pytest.mark.parametrize("format", ["safetensors", "pt"])
def test_weights_hold_the_trained_state(format: str, trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out_file = tmp_path / f"w.{format}"
    assert run_export(_parse(trained, "--format", format, "-o", out_file)) == 0
    assert "verified: read back, every tensor equal" in capsys.readouterr().out
    saved = Project.load(trained).weights
    loaded = load_weights(out_file)
    assert set(loaded) == set(saved) and all(torch.equal(loaded[k], saved[k]) for k in saved)


def test_default_weights_file_leaves_the_projects_own_weights_alone(trained: Path) -> None:
    own_path = Project.load(trained).weights_path
    own = own_path.read_bytes()
    assert run_export(_parse(trained, "--format", "safetensors")) == 0
    assert trained.with_name("spirals_mlp.weights.safetensors").exists()
    assert own_path.read_bytes() == own
    assert Project.load(trained).weights is not None


def test_the_projects_own_weights_file_is_refused_as_output(trained: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_export(_parse(trained, "--format", "safetensors", "-o", Project.load(trained).weights_path)) == 2
    assert "holds the project's own weights" in capsys.readouterr().err


def test_pt2_runs_after_reloading(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _copy("digits_cnn", tmp_path)
    assert run_export(_parse(path, "--format", "pt2")) == 0
    assert "verified: reloaded and run at batch 3" in capsys.readouterr().out
    program = torch.export.load(str(path.with_suffix(".pt2"))).module()
    assert program(torch.randn(4, 1, 8, 8)).shape == (4, 10)


def test_an_opset_can_be_chosen(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _copy("sine_mlp", tmp_path)
    assert run_export(_parse(path, "--opset", "18", "-o", tmp_path / "sine18.onnx")) == 0
    assert "(opset 18," in capsys.readouterr().out


def test_an_opset_out_of_range_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_export(_parse(_copy("sine_mlp", tmp_path), "--opset", "99")) == 2
    assert "opset 99 is outside" in capsys.readouterr().err


def test_an_opset_with_another_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_export(_parse(_copy("sine_mlp", tmp_path), "--format", "pt", "--opset", "20")) == 2
    assert "--opset applies to --format onnx only" in capsys.readouterr().err


def test_an_unreadable_project_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_export(_parse(tmp_path / "missing.ndproj")) == 2
    assert "missing.ndproj: cannot read the file" in capsys.readouterr().err


def test_an_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _copy("sine_mlp", tmp_path)
    assert run_export(_parse(path, "-o", tmp_path / "no" / "such" / "x.onnx")) == 2
    assert "cannot write here" in capsys.readouterr().err


def test_a_graph_with_errors_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    project = Project.load(PROJECTS / "sine_mlp.ndproj")
    fc2 = project.graph.find("fc2")
    (edge,) = project.graph.in_edges(fc2.id)
    project.graph.disconnect(edge)
    path = project.save(tmp_path / "broken.ndproj")
    assert run_export(_parse(path)) == 1
    assert "the graph has" in capsys.readouterr().err


def test_python_calls_the_package_export(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _copy("spirals_mlp", tmp_path)
    code = run_export(_parse(path, "--format", "python"))
    folder = tmp_path / "spirals_mlp_pytorch"
    assert code == 0, capsys.readouterr()
    assert (folder / "model.py").exists()
