"""``netdesigner activations``: every node's outputs of a trained project, saved and drawn."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from netdesigner.analysis import activation_png
from netdesigner.analysis.activations_command import add_activations_parser, run_activations
from netdesigner.core.project import Project
from netdesigner.core.shapes import infer_shapes

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def activations(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_activations_parser(parser.add_subparsers())
    return run_activations(parser.parse_args(["activations", *map(str, argv)]))


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    from netdesigner.cli import main

    path = tmp_path_factory.mktemp("trained") / "digits_cnn.ndproj"
    shutil.copy(PROJECTS / "digits_cnn.ndproj", path)
    assert main(["train", str(path), "--epochs", "1", "--device", "cpu"]) == 0
    return path


def test_every_node_is_saved_with_its_shape_and_statistics(trained: Path, tmp_path: Path, capsys) -> None:
    out, picture = tmp_path / "a.npz", tmp_path / "a.png"
    assert activations(trained, "--samples", "3", "--batch", "50", "-o", out, "--png", picture) == 0
    printed = capsys.readouterr().out
    assert "50 samples of the validation split, seed 0" in printed
    assert "conv1 (Conv2d): (16, 8, 8) per sample" in printed and "dead units" in printed
    assert f"{picture} (conv1)" in printed  # the first convolution is drawn

    project = Project.load(trained)
    report = infer_shapes(project.graph)
    with np.load(out, allow_pickle=False) as data:
        nodes = data["nodes"].tolist()
        assert nodes == ["conv1", "relu1", "conv2", "relu2", "pool", "flatten", "fc1", "relu3", "fc2"]
        assert data["types"].tolist()[:3] == ["Conv2d", "ReLU", "Conv2d"]
        assert int(data["batch"]) == 50 and data["labels"].shape == (50,)
        for name in nodes:
            shape = report.nodes[project.graph.find(name).id].outputs[0].shape
            assert data[f"{name}/values"].shape == (3, *shape), name
            assert data[f"{name}/counts"].sum() == 50 * int(np.prod(shape)), name
            assert data[f"{name}/pca"].shape == (50, 2)
        assert "relu1/dead_fraction" in data and "conv1/dead_fraction" not in data
        saved = {k: data[k] for k in ("conv1/values", "relu2/values", "relu2/dead_fraction")}

    # recomputed without the hooks: the saved weights run by hand on the same fixed batch
    from dataclasses import replace

    from netdesigner.analysis.landscape import evaluation_batch
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.trainer import Trainer

    module = project.compile().eval()
    trainer = Trainer(module, load_project_data(project), replace(project.training, device="cpu"), graph=project.graph,
                      initialize=False)
    x, _ = evaluation_batch(trainer.splits, "val", 50, 0)
    with torch.no_grad():
        conv1 = module.conv1(x)
        relu2 = module.relu2(module.conv2(module.relu1(conv1)))
    np.testing.assert_allclose(saved["conv1/values"], conv1[:3].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(saved["relu2/values"], relu2[:3].numpy(), rtol=1e-5, atol=1e-6)
    dead = (relu2.amax(dim=(0, 2, 3)) <= 0).float().mean().item()  # channels at zero for every sample
    assert float(saved["relu2/dead_fraction"]) == pytest.approx(dead)

    with Image.open(picture) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == activation_png.SIZE
        pixels = np.asarray(image).astype(int)
    panel = pixels[activation_png.MARGIN + 16:activation_png.MARGIN + 16 + activation_png.PANEL,
                   activation_png.MARGIN:activation_png.MARGIN + activation_png.PANEL]
    grey = (panel[..., 0] == panel[..., 1]) & (panel[..., 1] == panel[..., 2])
    gaps = (panel == activation_png.GAP_COLOUR).all(axis=-1)
    assert grey.mean() > 0.7 and gaps.mean() > 0.02  # 16 grey maps with gaps between them
    assert len(np.unique(panel[grey][:, 0])) > 20  # shades, not a flat square


def test_chosen_nodes_only_and_the_picture_of_a_dense_layer(trained: Path, tmp_path: Path, capsys) -> None:
    out, picture = tmp_path / "b.npz", tmp_path / "b.png"
    assert activations(trained, "--node", "relu3", "--node", "fc2", "-o", out, "--png", picture) == 0
    printed = capsys.readouterr().out
    assert "relu3 (ReLU): (64,) per sample" in printed and "conv1" not in printed
    with np.load(out, allow_pickle=False) as data:
        assert data["nodes"].tolist() == ["relu3", "fc2"] and data["relu3/values"].shape == (8, 64)
    with Image.open(picture) as image:
        pixels = np.asarray(image)
    panel = pixels[activation_png.MARGIN + 16:activation_png.MARGIN + 16 + activation_png.PANEL,
                   activation_png.MARGIN:activation_png.MARGIN + activation_png.PANEL]
    assert (panel == activation_png.BAR_COLOUR).all(axis=-1).mean() > 0.02  # bars, not feature maps


def test_an_unknown_node_lists_the_valid_ones(trained: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "c.npz"
    assert activations(trained, "--node", "conv9", "--node", "image", "-o", out) == 2
    err = capsys.readouterr().err
    assert "no node named conv9" in err and "image is the model's input" in err
    assert "the nodes with outputs are: conv1, relu1, conv2, relu2, pool, flatten, fc1, relu3, fc2" in err.lower()
    assert err.count("\n") == 1 and not out.exists()


def test_without_weights_exits_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "fresh.ndproj"
    shutil.copy(PROJECTS / "digits_cnn.ndproj", path)
    assert activations(path, "-o", tmp_path / "x.npz") == 1
    assert f"train it first: netdesigner train {path}" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    assert activations(tmp_path / "nowhere.ndproj", "-o", tmp_path / "x.npz") == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_command_is_registered_and_its_help_imports_no_torch() -> None:
    code = ("import sys\nfrom netdesigner.cli import main\n"
            "try:\n    main(['activations', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--node NAME" in done.stdout and "--samples K" in done.stdout
