"""A save keeps the file it replaces as NAME.ndproj.bak, and the backup loads as the previous
version: the weights it names are the previous weights, checksum and all. Weights files are
named by their content, so a save never writes over the weights the project on disk names, and
files nobody names any more are removed."""

from __future__ import annotations

import torch

from netdesigner.core.backup import backup_path
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.core.weights_file import named_weights


def _project(width: int, fill: float | None = None) -> Project:
    g = Graph()
    g.output(g.add("Linear", g.input((3,), name="x"), name="fc", out_features=width), "mse", name="y")
    project = Project(graph=g, name=f"width {width}")
    if fill is not None:
        project.weights = {"fc.weight": torch.full((width, 3), fill), "fc.bias": torch.full((width,), fill)}
    return project


def _weights_files(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.safetensors"))


def test_the_first_save_keeps_nothing_and_the_second_keeps_the_first(tmp_path):
    path = tmp_path / "model.ndproj"
    _project(4, 1.0).save(path)
    assert not backup_path(path).exists()
    first_weights = named_weights(path)
    assert first_weights is not None and first_weights.name.startswith("model.") and first_weights.is_file()

    _project(5, 2.0).save(path)
    assert backup_path(path).name == "model.ndproj.bak"
    kept = Project.load(backup_path(path))
    assert kept.name == "width 4" and kept.graph.find("fc").params["out_features"] == 4
    assert torch.equal(kept.weights["fc.weight"], torch.ones(4, 3)) and kept.weights_path == first_weights
    now = Project.load(path)
    assert now.name == "width 5" and torch.equal(now.weights["fc.weight"], torch.full((5, 3), 2.0))
    assert now.weights_path != first_weights and len(_weights_files(tmp_path)) == 2

    _project(6, 3.0).save(path)  # one generation: the backup is now the second version
    assert Project.load(backup_path(path)).name == "width 5"
    assert torch.equal(Project.load(backup_path(path)).weights["fc.bias"], torch.full((5,), 2.0))
    assert not first_weights.exists()  # named by nobody any more
    assert _weights_files(tmp_path) == sorted([named_weights(path).name, named_weights(backup_path(path)).name])


def test_saving_never_writes_over_the_weights_the_file_on_disk_names(tmp_path):
    path = tmp_path / "model.ndproj"
    _project(4, 1.0).save(path)
    old_weights = named_weights(path)
    old_bytes = old_weights.read_bytes()
    _project(4, 7.0).save(path)
    assert old_weights.read_bytes() == old_bytes  # the backup still loads with it
    assert named_weights(path) != old_weights


def test_the_same_weights_saved_again_keep_their_file(tmp_path):
    path = tmp_path / "model.ndproj"
    project = _project(4, 1.0)
    project.save(path)
    project.description = "only the words changed"
    project.save()
    assert len(_weights_files(tmp_path)) == 1 and Project.load(backup_path(path)).weights is not None


def test_a_previous_file_that_is_not_a_project_is_kept_byte_for_byte(tmp_path):
    path = tmp_path / "model.ndproj"
    path.write_bytes(b"\x00 not json {")
    _project(4).save(path)
    assert backup_path(path).read_bytes() == b"\x00 not json {"
    assert Project.load(path).name == "width 4"


def test_weights_files_of_other_projects_and_the_persons_own_are_left_alone(tmp_path):
    path = tmp_path / "model.ndproj"
    mine = tmp_path / "model.safetensors"
    other = tmp_path / "model.b.0123456789abcdef.safetensors"
    for f in (mine, other):
        f.write_bytes(b"not ours")
    for fill in (1.0, 2.0, 3.0):
        _project(4, fill).save(path)
    assert mine.read_bytes() == b"not ours" and other.read_bytes() == b"not ours"


def test_temporary_files_a_killed_save_left_are_removed_once_stale(tmp_path):
    import os
    import time

    path = tmp_path / "model.ndproj"
    _project(4, 1.0).save(path)
    stale = tmp_path / ".model.ndproj.abc123.tmp"
    fresh = tmp_path / ".model.ndproj.def456.tmp"  # perhaps another process's save in progress
    other = tmp_path / ".notes.txt.abc123.tmp"
    for f in (stale, fresh, other):
        f.write_bytes(b"half a file")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    _project(4, 2.0).save(path)
    assert not stale.exists() and fresh.exists() and other.exists()
