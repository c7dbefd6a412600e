"""Recovery copies (core.recovery): written beside nothing of the person's, found again only
when their window is gone, described for the offer, loaded with the person's path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.core.recovery import RecoveryStore


def _project(path: Path | None = None) -> Project:
    g = Graph()
    g.output(g.add("Linear", g.input((3,), name="x"), name="fc", out_features=2), "mse", name="y")
    project = Project(graph=g, name="tiny", path=path)
    project.weights = {"fc.weight": torch.ones(2, 3), "fc.bias": torch.zeros(2)}
    return project


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout)


def test_a_copy_leaves_the_document_and_its_file_alone(tmp_path: Path) -> None:
    mine = tmp_path / "mine.ndproj"
    project = _project(mine)
    project.save()
    before = mine.read_bytes()
    RecoveryStore(tmp_path / "recovery").write(project)
    assert project.path == mine and project.weights_path.parent == tmp_path and mine.read_bytes() == before


def test_only_copies_of_windows_that_are_gone_are_orphans(tmp_path: Path) -> None:
    root = tmp_path / "recovery"
    RecoveryStore(root, pid=_dead_pid()).write(_project(tmp_path / "mine.ndproj"))
    RecoveryStore(root, pid=os.getppid()).write(_project())  # a window that still runs
    mine = RecoveryStore(root)
    mine.write(_project())
    (root / "session-1-2").mkdir()  # a leftover without a readable copy
    [orphan] = mine.orphans()
    assert orphan.original == tmp_path / "mine.ndproj" and orphan.has_weights and orphan.layers == 1
    assert orphan.describe() == f"“tiny” (1 layer, with trained weights), unsaved changes to {tmp_path / 'mine.ndproj'}"
    loaded = orphan.load()
    assert loaded.path == tmp_path / "mine.ndproj" and torch.equal(loaded.weights["fc.weight"], torch.ones(2, 3))
    orphan.discard()
    assert mine.orphans() == [] and (root / "session-1-2").exists()


def test_clear_removes_only_the_own_session(tmp_path: Path) -> None:
    root = tmp_path / "recovery"
    other = RecoveryStore(root, pid=_dead_pid())
    other.write(_project())
    mine = RecoveryStore(root)
    mine.write(_project())
    mine.clear()
    assert not mine.session.exists() and other.session.exists()
