"""``netdesigner landscape``: surfaces, lines, sharpness and pictures from the command line."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netdesigner.analysis import png
from netdesigner.analysis.command import add_landscape_parser, run_landscape

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def landscape(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_landscape_parser(parser.add_subparsers())
    return run_landscape(parser.parse_args(["landscape", *map(str, argv)]))


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    from netdesigner.cli import main

    path = tmp_path_factory.mktemp("trained") / "spirals_mlp.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    assert main(["train", str(path), "--epochs", "10"]) == 0
    return path


def test_surface_npz_png_csv(trained: Path, tmp_path: Path, capsys) -> None:
    out, picture, table = tmp_path / "s.npz", tmp_path / "s.png", tmp_path / "s.csv"
    assert landscape(trained, "--grid", "7", "-o", out, "--png", picture, "--csv", table) == 0
    printed = capsys.readouterr().out
    assert "surface 7x7" in printed and "centre loss" in printed and "min loss" in printed

    with np.load(out, allow_pickle=False) as data:
        losses, alphas, betas, centre = data["losses"], data["alphas"], data["betas"], float(data["centre_loss"])
    assert losses.shape == (7, 7) and alphas[3] == 0.0 and betas[3] == 0.0
    assert alphas[0] == -1.0 and alphas[-1] == 1.0

    # the centre is the loss at the saved weights, recomputed independently
    from dataclasses import replace

    from netdesigner.analysis.landscape import evaluation_batch, loss_fn_for
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.trainer import Trainer

    project = Project.load(trained)
    module = project.compile()
    weights = {k: v.clone() for k, v in module.state_dict().items()}
    trainer = Trainer(module, load_project_data(project), replace(project.training, device="cpu"), graph=project.graph, initialize=False)
    for k, v in module.state_dict().items():  # initialize=False keeps the weights
        assert np.array_equal(v.numpy(), weights[k].numpy())
    x, y = evaluation_batch(trainer.splits, "train", 1000, project.training.seed)
    expected = loss_fn_for(trainer.objective)(module, x, y)
    assert losses[3, 3] == pytest.approx(expected, rel=1e-6)
    assert centre == pytest.approx(expected, rel=1e-6)

    with Image.open(picture) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == png.SURFACE_SIZE
    rows = table.read_text().strip().splitlines()
    assert rows[0] == "alpha,beta,loss" and len(rows) == 1 + 49


def test_line_mode(trained: Path, tmp_path: Path, capsys) -> None:
    out, picture = tmp_path / "l.npz", tmp_path / "l.png"
    assert landscape(trained, "--mode", "line", "--grid", "9", "-o", out, "--png", picture) == 0
    assert "validation:" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as data:
        alphas, train, validation = data["alphas"], data["train"], data["validation"]
    assert alphas.shape == train.shape == validation.shape == (9,)
    assert alphas[0] == -0.5 and alphas[-1] == 1.5
    zero, one = int(np.flatnonzero(alphas == 0.0)[0]), int(np.flatnonzero(alphas == 1.0)[0])
    assert train[one] < train[zero]
    assert np.isfinite(validation).all()
    with Image.open(picture) as image:
        assert image.mode == "RGB" and image.size == png.LINE_SIZE


def test_sharpness_is_stored(trained: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "h.npz"
    assert landscape(trained, "--grid", "3", "--batch", "200", "--sharpness", "-o", out) == 0
    assert "top Hessian eigenvalue" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as data:
        assert float(data["top_eigenvalue"]) > 0 and float(data["hessian_trace"]) > 0
        assert 1 <= int(data["eigenvalue_iterations"]) <= 50 and 1 <= int(data["trace_samples"]) <= 50


def test_without_weights_exits_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "fresh.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    assert landscape(path, "-o", tmp_path / "x.npz") == 1
    assert f"train it first: netdesigner train {path}" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert landscape(tmp_path / "nowhere.ndproj", "-o", tmp_path / "x.npz") == 2
    assert "cannot read" in capsys.readouterr().err


def test_help_imports_no_torch() -> None:
    code = ("import argparse, sys\n"
            "from netdesigner.analysis.command import add_landscape_parser\n"
            "p = argparse.ArgumentParser(); add_landscape_parser(p.add_subparsers())\n"
            "try:\n    p.parse_args(['landscape', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--sharpness" in done.stdout
