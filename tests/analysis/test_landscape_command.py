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
        assert 1 <= int(data["eigenvalue_iterations"]) <= 50 and 10 <= int(data["trace_samples"]) <= 400
        assert float(data["trace_standard_error"]) <= 0.05 * float(data["hessian_trace"]) or int(data["trace_samples"]) == 400


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


def test_pca_retrains_and_draws_the_path(tmp_path: Path, capsys) -> None:
    from dataclasses import replace

    from netdesigner.analysis.landscape import evaluation_batch, loss_fn_for
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.trainer import Trainer

    path = tmp_path / "spirals.ndproj"
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    project.training.epochs = 6
    project.data.options = {"samples": 300}
    project.save(path)
    before = path.read_bytes()
    out, picture = tmp_path / "p.npz", tmp_path / "p.png"
    assert landscape(path, "--mode", "pca", "--grid", "5", "--batch", "200", "-o", out, "--png", picture) == 0
    printed = capsys.readouterr().out
    assert "trained 6 epoch(s): 7 snapshots" in printed and "explain" in printed
    assert path.read_bytes() == before  # the project is not changed
    with np.load(out, allow_pickle=False) as data:
        trajectory, alphas, betas, centre = data["path"], data["alphas"], data["betas"], float(data["centre_loss"])
        explained = data["explained"]
    assert trajectory.shape == (7, 2) and np.allclose(trajectory[-1], 0.0, atol=1e-6)
    assert alphas[0] <= trajectory[:, 0].min() and trajectory[:, 0].max() <= alphas[-1]
    assert betas[0] <= trajectory[:, 1].min() and trajectory[:, 1].max() <= betas[-1]
    assert 0 < explained[1] <= explained[0] <= 1 and explained.sum() <= 1 + 1e-9

    # the centre is the loss after the same run, trained independently (a CPU run repeats)
    again = Project.load(path)
    module = again.compile()
    trainer = Trainer(module, load_project_data(again), replace(again.training, device="cpu"), graph=again.graph)
    assert trainer.run().ok
    x, y = evaluation_batch(trainer.splits, "train", 200, again.training.seed)
    assert centre == pytest.approx(loss_fn_for(trainer.objective)(module, x, y), rel=1e-5)
    with Image.open(picture) as image:
        assert image.size == png.SURFACE_SIZE


def test_the_picture_draws_a_path_in_white(tmp_path: Path) -> None:
    alphas = betas = np.linspace(-1, 1, 5)
    losses = np.zeros((5, 5))  # one dark colour everywhere: white can only be the path
    png.surface_png(tmp_path / "bare.png", alphas, betas, losses)
    png.surface_png(tmp_path / "path.png", alphas, betas, losses, np.array([[0.9, 0.9], [0.5, 0.0], [0.0, 0.0]]))
    bare = np.asarray(Image.open(tmp_path / "bare.png").convert("RGB")).astype(int)
    drawn = np.asarray(Image.open(tmp_path / "path.png").convert("RGB")).astype(int)
    heat = (slice(png.MARGIN + 2, png.MARGIN + png.HEAT_SIZE - 2),) * 2
    white = lambda image: (image[heat].min(axis=-1) > 240)  # noqa: E731
    # the start (α 0.9, β 0.9) lies near the top right of the heat map
    x, y = png.MARGIN + 0.95 * png.HEAT_SIZE, png.MARGIN + 0.05 * png.HEAT_SIZE
    assert white(drawn).sum() > white(bare).sum() + 100
    assert drawn[int(y) - 8:int(y) + 8, int(x) - 8:int(x) + 8].min(axis=-1).max() > 240


def test_a_grid_out_of_bounds_is_a_usage_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "fresh.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    assert landscape(path, "--grid", "1", "-o", tmp_path / "x.npz") == 2  # as argparse's own errors, and activations'
    assert "--grid must be at least 2, got 1" in capsys.readouterr().err
