"""One generation of the previous save: before a project is written over, the file on disk
becomes ``NAME.ndproj.bak`` and the weights it names ``NAME.bak.safetensors``, so a save a person
regrets (or a graph a bug mangled) is one rename away from undone.

The backup is itself a project that loads: its ``weights`` entry is rewritten to name the kept
weights, whose checksum still matches. A previous file that is not readable JSON is kept byte
for byte. Both are written atomically, before the new save begins, so a crash at any moment
leaves either the old backup or the new one, and the project itself old or new.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from netdesigner.core.project_format import dumps

BACKUP_SUFFIX = ".bak"


def backup_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + BACKUP_SUFFIX)


def backup_weights_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.stem + BACKUP_SUFFIX + ".safetensors")


def keep_previous(project_path: Path, write: Callable[[Path, bytes], None]) -> Path | None:
    """Copies the project at ``project_path`` (if any) and its weights to their backups with
    ``write(path, bytes)`` (an atomic writer); returns the backup's path, None when there was
    no previous file. Whatever ``write`` raises reaches the caller: no save without its backup."""
    try:
        old = project_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return None  # unreadable: nothing to keep, and the save itself will say what is wrong
    try:
        doc = json.loads(old.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        doc = None
    weights = doc.get("weights") if isinstance(doc, dict) else None
    name = weights.get("file") if isinstance(weights, dict) else None
    if isinstance(name, str) and Path(name).name == name and name.endswith(".safetensors"):
        try:
            blob = (project_path.parent / name).read_bytes()
        except OSError:
            blob = None  # the old weights are gone: the backup keeps the file as it was
        if blob is not None:
            kept = backup_weights_path(project_path)
            write(kept, blob)
            weights["file"] = kept.name
            old = dumps(doc).encode("utf-8")
    target = backup_path(project_path)
    write(target, old)
    return target
