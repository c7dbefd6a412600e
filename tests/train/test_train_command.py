"""``netdesigner train``: loads, trains, reports and saves; exit codes say what went wrong.

The data set registry is replaced by a stand-in that serves the tiny test sets, so these tests
check the command, not the data package.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_training import mlp_graph

from netdesigner.core.project import DataSettings, Project, TrainingSettings
from netdesigner.train.checkpoint import load_optimizer_state
from netdesigner.train.command import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    add_train_parser,
    run_train,
)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, moons, sine) -> list[dict]:
    calls: list[dict] = []

    def load_dataset(name, options=None, *, validation_fraction=0.2, test_fraction=0.2, seed=0):
        calls.append({"name": name, "options": options, "validation_fraction": validation_fraction,
                      "test_fraction": test_fraction, "seed": seed})
        return {"moons": moons, "sine": sine}[name]

    import netdesigner.data.registry as real

    monkeypatch.setattr(real, "load_dataset", load_dataset)
    return calls


def save_project(folder: Path, dataset: str = "moons", **training) -> Path:
    graph = mlp_graph(inputs=1, classes=1, loss="mse") if dataset == "sine" else mlp_graph()
    settings = TrainingSettings(**{"epochs": 2, "device": "cpu", "learning_rate": 0.02, "batch_size": 32, **training})
    project = Project(graph, name="moons", data=DataSettings(dataset, {}, 0.2, 0.2), training=settings)
    return project.save(folder / f"{dataset}.ndproj")


def train(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="netdesigner")
    add_train_parser(parser.add_subparsers(dest="command"))
    return run_train(parser.parse_args(["train", *argv]))


def test_train_saves_the_weights_and_prints_json(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path)
    assert train(str(path), "--epochs", "3", "--json") == EXIT_OK
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["reason"] == "completed" and report["epochs"] == 3 and report["device"] == "cpu"
    assert 0.5 < report["test_accuracy"] <= 1 and report["test"]["accuracy"] == report["test_accuracy"]
    assert len(report["confusion"]) == 2 and "epoch 3/3" in err
    assert registry == [{"name": "moons", "options": {}, "validation_fraction": 0.2, "test_fraction": 0.2, "seed": 0}]
    saved = Project.load(path)
    assert saved.weights is not None and set(saved.weights) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    assert report["weights"] == str(saved.weights_path) and saved.weights_path.parent == path.parent


def test_train_prints_a_line_per_epoch_and_the_test_result(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path)
    assert train(str(path), "--no-save") == EXIT_OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("training on cpu: classification")
    assert sum(line.startswith("epoch ") for line in lines) == 2
    assert "accuracy" in lines[1] and "samples/s" in lines[1]
    assert any(line.startswith("test: loss") for line in lines)
    assert Project.load(path).weights is None  # --no-save kept the file


def test_continue_starts_from_the_saved_weights(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path, epochs=15)
    assert train(str(path), "--json") == EXIT_OK
    trained = json.loads(capsys.readouterr().out)["test_accuracy"]
    assert trained > 0.8
    assert train(str(path), "--continue", "--epochs", "1", "--lr", "1e-9", "--json", "--no-save") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["test_accuracy"] == pytest.approx(trained, abs=0.02)
    assert train(str(path), "--epochs", "1", "--lr", "1e-9", "--json", "--no-save") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["test_accuracy"] < 0.8  # fresh weights know nothing


def test_layer_history_saves_every_layers_histograms_per_epoch(tmp_path: Path, registry, capsys) -> None:
    import numpy as np

    path = save_project(tmp_path, epochs=3)
    out = tmp_path / "history.npz"
    assert train(str(path), "--layer-history", str(out), "--json") == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    saved = Project.load(path)
    with np.load(out, allow_pickle=False) as data:
        for layer in ("fc1", "act1", "fc2"):
            assert data[f"outputs/{layer}/epochs"].tolist() == [0, 1, 2, 3]  # the start and each epoch
        counts = data["outputs/fc1/counts"]
        assert counts.shape[0] == 4 and len(data["outputs/fc1/edges"]) == counts.shape[1] + 1
        assert len(set(counts.sum(axis=1))) == 1  # the same fixed batch every epoch, every value binned
        assert (data["weights/fc1.weight/counts"].sum(axis=1) == saved.weights["fc1.weight"].numel()).all()
        assert data["grad_norms/names"].tolist() == ["fc1", "fc2"]
        assert data["grad_norms/epochs"].tolist() == [1, 2, 3] and (data["grad_norms/table"] > 0).all()
    assert report["epochs"] == 3


def test_checkpoints_go_beside_the_project_and_continue_resumes_the_optimiser(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path)
    assert train(str(path), "--checkpoints", "--epochs", "2") == EXIT_OK
    folder = tmp_path / "moons-checkpoints"  # where the window writes them too
    assert (folder / "moons.best.safetensors").exists() and (folder / "moons.history.csv").exists()
    steps = int(load_optimizer_state(folder / "moons.last.optimizer.pt")["state"][0]["step"])
    capsys.readouterr()
    assert train(str(path), "--continue", "--epochs", "1") == EXIT_OK
    assert f"the optimiser goes on from its state in moons.last.optimizer.pt (after {steps} steps)" in capsys.readouterr().out
    assert int(load_optimizer_state(folder / "moons.last.optimizer.pt")["state"][0]["step"]) == steps * 3 // 2


def test_a_failed_run_exits_3_and_saves_nothing(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path, "sine", optimizer="sgd", learning_rate=1e6, epochs=5)
    assert train(str(path), "--json") == EXIT_FAILED
    out, err = capsys.readouterr()
    assert json.loads(out)["failed"] == "nan" and "learning rate" in err
    assert Project.load(path).weights is None


def test_bad_settings_exit_1_and_unreadable_input_exits_2(tmp_path: Path, registry, capsys) -> None:
    path = save_project(tmp_path)
    assert train(str(path), "--lr", "-1") == EXIT_INVALID
    assert "learning_rate must be a number above 0" in capsys.readouterr().err
    assert train(str(tmp_path / "missing.ndproj")) == EXIT_UNREADABLE
    nodata = Project(mlp_graph(), name="x").save(tmp_path / "nodata.ndproj")
    assert train(str(nodata)) == EXIT_UNREADABLE
    assert "names no data set" in capsys.readouterr().err


def test_the_command_module_imports_no_torch() -> None:
    code = "import sys, netdesigner.train.command, netdesigner.train; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])

