"""Recovery copies: what a window had not saved, kept where a crash or a kill cannot take it.

Each running window owns a session folder under a recovery root (the window puts the root in
the user's data folder): ``session-<pid>-<start>/`` holding ``project.ndproj`` (a full save,
weights and all, through ``Project.save``'s atomic writes) and ``about.json`` (what the copy
is, for the offer to restore it). The person's own file is never written. A folder whose
process is no longer alive is an orphan: the next start offers it back; restoring or
discarding it deletes it, and a clean close deletes the window's own.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.core.atomic_file import AtomicWriteError, write_atomically
from netdesigner.core.errors import ProjectError

if TYPE_CHECKING:
    from netdesigner.core.project import Project

PROJECT_FILE = "project.ndproj"
ABOUT_FILE = "about.json"


@dataclass(frozen=True)
class RecoveryCopy:
    """A copy left by a window that did not close: what it holds, and where."""

    folder: Path
    name: str
    original: Path | None  # the person's file the copy has unsaved changes to; None if never saved
    saved_at: datetime
    layers: int
    has_weights: bool
    runs: int

    def contents(self) -> str:
        """'5 layers, with trained weights, 2 training runs'."""
        parts = [f"{self.layers} layer{'s' if self.layers != 1 else ''}"]
        if self.has_weights:
            parts.append("with trained weights")
        if self.runs:
            parts.append(f"{self.runs} training run{'s' if self.runs != 1 else ''}")
        return ", ".join(parts)

    def describe(self) -> str:
        """'“spirals” (5 layers, with trained weights), unsaved changes to /x/spirals.ndproj'."""
        where = f"unsaved changes to {self.original}" if self.original else "never saved to a file"
        return f"“{self.name}” ({self.contents()}), {where}"

    def load(self) -> Project:
        """The recovered project, its path the person's own file (so Save goes there)."""
        from netdesigner.core.project import Project

        project = Project.load(self.folder / PROJECT_FILE)
        project.path, project.weights_path = self.original, None
        return project

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class RecoveryStore:
    """The recovery copies under ``root``: this process's own session, and orphans of others."""

    def __init__(self, root: Path, pid: int | None = None) -> None:
        self.root = Path(root)
        self.pid = os.getpid() if pid is None else pid
        self.session = self.root / f"session-{self.pid}-{int(time.time() * 1000)}"

    def write(self, project: Project) -> Path:
        """Saves a copy of ``project`` into this session's folder; the document itself, its
        path and its file stay as they are. ``ProjectError`` when the folder cannot be written."""
        try:
            self.session.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProjectError(f"{self.session}: cannot make the recovery folder: {e.strerror or e}") from None
        original = project.path
        duplicate = copy.copy(project)  # shares the graph and weights, read only; its path is its own
        duplicate.save(self.session / PROJECT_FILE, keep_backup=False)  # the next copy replaces it whole
        # when it was written is the project file's time, and whose it is the folder's name
        about = {"name": project.name, "original": str(original) if original else None,
                 "layers": sum(1 for n in project.graph.nodes() if n.type not in ("Input", "Output")),
                 "has_weights": project.weights is not None, "runs": len(project.runs)}
        try:
            write_atomically(self.session / ABOUT_FILE, json.dumps(about, indent=1).encode("utf-8"))
        except AtomicWriteError as e:
            raise ProjectError(f"{self.session}: cannot write the recovery copy: {e.reason}") from None
        return self.session

    def clear(self) -> None:
        """Deletes this session's copy (after a save, or a close that asked about the changes)."""
        shutil.rmtree(self.session, ignore_errors=True)

    def orphans(self) -> list[RecoveryCopy]:
        """Copies whose window is gone, newest first; unreadable leftovers are skipped (and kept)."""
        found = []
        try:
            folders = [f for f in self.root.iterdir() if f.is_dir() and f.name.startswith("session-")]
        except OSError:
            return []
        for folder in folders:
            if folder == self.session:
                continue
            copy_ = read_copy(folder)
            if copy_ is not None and not _alive(_pid_of(folder)):
                found.append(copy_)
        return sorted(found, key=lambda c: c.saved_at, reverse=True)


def read_copy(folder: Path) -> RecoveryCopy | None:
    try:
        about = json.loads((folder / ABOUT_FILE).read_text(encoding="utf-8"))
        stamp = (folder / PROJECT_FILE).stat().st_mtime
    except (OSError, ValueError):
        return None
    if not isinstance(about, dict):
        return None
    original = about.get("original")
    return RecoveryCopy(
        folder=folder,
        name=str(about.get("name", "Untitled")),
        original=Path(original) if isinstance(original, str) and original else None,
        saved_at=datetime.fromtimestamp(stamp).astimezone(),
        layers=int(about.get("layers", 0)) if isinstance(about.get("layers"), int) else 0,
        has_weights=about.get("has_weights") is True,
        runs=int(about.get("runs", 0)) if isinstance(about.get("runs"), int) else 0,
    )


def _pid_of(folder: Path) -> int | None:
    parts = folder.name.split("-")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def _alive(pid: int | None) -> bool:
    """Whether a process with ``pid`` runs (a reused pid counts as alive: the copy waits)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
