"""``netdesigner picture``: what a trained model draws, from the command line, the same as the
window's Model view (one ``model_picture`` for both)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netdesigner.analysis.boundary import decision_boundary, fitted_curve, plane_of
from netdesigner.analysis.filters import filter_mosaic, first_conv_weight
from netdesigner.analysis.model_picture import PictureKind, picture_kind
from netdesigner.analysis.picture_command import add_picture_parser, run_picture
from netdesigner.analysis.picture_png import HEIGHT, WIDTH
from netdesigner.core.project import Project
from netdesigner.train.project_trainer import cpu_trainer_for

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
KINDS = {"spirals_mlp": PictureKind.BOUNDARY, "sine_mlp": PictureKind.CURVE, "digits_cnn": PictureKind.FILTERS,
         "vae": PictureKind.RECONSTRUCTIONS, "lstm_sequence": None}


def picture(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_picture_parser(parser.add_subparsers())
    return run_picture(parser.parse_args(["picture", *map(str, argv)]))


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, Path]:
    from netdesigner.cli import main

    folder = tmp_path_factory.mktemp("trained")
    paths = {}
    for name in ("spirals_mlp", "sine_mlp", "digits_cnn", "vae"):
        paths[name] = folder / f"{name}.ndproj"
        shutil.copy(PROJECTS / f"{name}.ndproj", paths[name])
        assert main(["train", str(paths[name]), "--epochs", "2", "--device", "cpu"]) == 0
    return paths


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_example_gets_the_picture_its_task_and_data_call_for(name: str) -> None:
    trainer = cpu_trainer_for(Project.load(PROJECTS / f"{name}.ndproj"))
    splits, objective = trainer.splits, trainer.objective
    assert picture_kind(objective.task, objective.classifies, splits.train.x, splits.train.y) is KINDS[name]


def test_a_classifier_of_two_features_draws_its_decision_boundary(trained, tmp_path: Path, capsys) -> None:
    out, npz = tmp_path / "b.png", tmp_path / "b.npz"
    assert picture(trained["spirals_mlp"], "-o", out, "--npz", npz) == 0
    assert "Decision boundary" in capsys.readouterr().out
    assert Image.open(out).size == (WIDTH, HEIGHT)
    trainer = cpu_trainer_for(Project.load(trained["spirals_mlp"]))
    points = trainer.splits.train.x.numpy()
    want = decision_boundary(trainer.module, None, plane_of(points), resolution=90)
    with np.load(npz, allow_pickle=False) as data:
        assert str(data["kind"]) == "BOUNDARY"
        np.testing.assert_array_equal(data["classes"], want.classes)  # the trained weights' regions
        np.testing.assert_array_equal(data["points"], points)
        assert len(np.unique(data["classes"])) == 2  # both arms have a region after training


def test_a_regression_draws_its_curve_and_a_cnn_its_filters(trained, tmp_path: Path) -> None:
    assert picture(trained["sine_mlp"], "-o", tmp_path / "c.png", "--npz", tmp_path / "c.npz") == 0
    trainer = cpu_trainer_for(Project.load(trained["sine_mlp"]))
    x = trainer.splits.train.x.numpy()
    _, want = fitted_curve(trainer.module, None, (float(x.min()), float(x.max())))
    with np.load(tmp_path / "c.npz", allow_pickle=False) as data:
        np.testing.assert_allclose(data["curve_y"], want, rtol=1e-6)

    assert picture(trained["digits_cnn"], "-o", tmp_path / "f.png", "--npz", tmp_path / "f.npz") == 0
    trainer = cpu_trainer_for(Project.load(trained["digits_cnn"]))
    _, weight = first_conv_weight(trainer.module)
    with np.load(tmp_path / "f.npz", allow_pickle=False) as data:
        np.testing.assert_array_equal(data["mosaic"], filter_mosaic(weight))
    pixels = np.asarray(Image.open(tmp_path / "f.png").convert("L"))
    assert pixels.min() < 40 and pixels.std() > 20  # filters drawn, not a blank page


def test_a_vae_draws_inputs_reconstructions_and_its_latent_space(trained, tmp_path: Path, capsys) -> None:
    assert picture(trained["vae"], "-o", tmp_path / "v.png") == 0
    assert "latent space" in capsys.readouterr().out


def test_a_model_without_such_a_picture_says_where_to_look(tmp_path: Path, capsys) -> None:
    from netdesigner.cli import main

    path = tmp_path / "lstm.ndproj"
    shutil.copy(PROJECTS / "lstm_sequence.ndproj", path)
    assert main(["train", str(path), "--epochs", "1", "--device", "cpu"]) == 0
    capsys.readouterr()
    assert picture(path, "-o", tmp_path / "x.png") == 1
    assert "netdesigner activations" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_without_weights_exits_1_and_a_missing_file_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "fresh.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    assert picture(path, "-o", tmp_path / "x.png") == 1
    assert f"train it first: netdesigner train {path}" in capsys.readouterr().err
    assert picture(tmp_path / "nowhere.ndproj", "-o", tmp_path / "x.png") == 2


def test_the_command_is_registered_and_its_help_imports_no_torch() -> None:
    code = ("import sys\nfrom netdesigner.cli import main\n"
            "try:\n    main(['picture', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "OUT.png" in done.stdout
