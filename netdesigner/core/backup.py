"""One generation of the previous save: before a project is written over, the file on disk is
copied to ``NAME.ndproj.bak``, so a save a person regrets (or a graph a bug mangled) is one
rename away from undone.

The backup is the old file byte for byte. Its weights need no copy: weights files are named by
their content (``core.weights_file``) and the one the backup names is kept until a later save
no longer needs it, so the backup loads as the previous version, checksum and all. The copy is
written atomically before the new save begins, so a crash at any moment leaves either the old
backup or the new one, and the project itself old or new.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

BACKUP_SUFFIX = ".bak"


def backup_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + BACKUP_SUFFIX)


def keep_previous(project_path: Path, write: Callable[[Path, bytes], None]) -> Path | None:
    """Copies the project at ``project_path`` (if any) to its backup with ``write(path, bytes)``
    (an atomic writer); returns the backup's path, None when there was no previous file.
    Whatever ``write`` raises reaches the caller: no save without its backup."""
    try:
        old = project_path.read_bytes()
    except OSError:
        return None  # none, or unreadable: nothing to keep, and the save itself will say what is wrong
    target = backup_path(project_path)
    write(target, old)
    return target
