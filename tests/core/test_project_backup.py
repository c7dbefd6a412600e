"""A save keeps the file it replaces as NAME.ndproj.bak, with its own weights, and the backup
loads as the previous version: the weights it names are the previous weights, checksum and all."""

from __future__ import annotations

import torch

from netdesigner.core.backup import backup_path, backup_weights_path
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project


def _project(width: int) -> Project:
    g = Graph()
    g.output(g.add("Linear", g.input((3,), name="x"), name="fc", out_features=width), "mse", name="y")
    return Project(graph=g, name=f"width {width}")


def test_the_first_save_keeps_nothing_and_the_second_keeps_the_first(tmp_path):
    path = tmp_path / "model.ndproj"
    first = _project(4)
    first.weights = {"fc.weight": torch.ones(4, 3), "fc.bias": torch.zeros(4)}
    first.save(path)
    assert not backup_path(path).exists() and not backup_weights_path(path).exists()

    second = _project(5)
    second.weights = {"fc.weight": torch.full((5, 3), 2.0), "fc.bias": torch.ones(5)}
    second.save(path)
    assert backup_path(path).name == "model.ndproj.bak" and backup_weights_path(path).name == "model.bak.safetensors"
    kept = Project.load(backup_path(path))
    assert kept.name == "width 4" and kept.graph.find("fc").params["out_features"] == 4
    assert torch.equal(kept.weights["fc.weight"], torch.ones(4, 3))
    now = Project.load(path)
    assert now.name == "width 5" and torch.equal(now.weights["fc.weight"], torch.full((5, 3), 2.0))

    third = _project(6)
    third.save(path)  # one generation: the backup is now the second version
    assert Project.load(backup_path(path)).name == "width 5"
    assert torch.equal(Project.load(backup_path(path)).weights["fc.bias"], torch.ones(5))


def test_a_previous_file_that_is_not_a_project_is_kept_byte_for_byte(tmp_path):
    path = tmp_path / "model.ndproj"
    path.write_bytes(b"\x00 not json {")
    _project(4).save(path)
    assert backup_path(path).read_bytes() == b"\x00 not json {"
    assert Project.load(path).name == "width 4"


def test_a_previous_project_whose_weights_are_gone_is_kept_as_it_was(tmp_path):
    path = tmp_path / "model.ndproj"
    first = _project(4)
    first.weights = {"fc.weight": torch.ones(4, 3), "fc.bias": torch.zeros(4)}
    first.save(path)
    before = path.read_bytes()
    path.with_suffix(".safetensors").unlink()
    _project(5).save(path)
    assert backup_path(path).read_bytes() == before and not backup_weights_path(path).exists()
