"""Writing a file so that a failure never leaves half of it: a temporary file in the same
folder, flushed and fsynced, then renamed over the target. Projects, their weights and every
exported file are written this way; each caller turns ``AtomicWriteError`` into its own
error type and words."""

from __future__ import annotations

import glob
import os
import tempfile
import time
from pathlib import Path

STALE_AFTER_S = 600.0  # a save takes seconds: a temporary file this old was left by a killed one


class AtomicWriteError(OSError):
    """``stage`` is "create" (no temporary file could be made in the folder) or "write"
    (writing or renaming failed; the previous file is unchanged). ``reason`` is the system's."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason)
        self.stage, self.reason = stage, reason


def write_atomically(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise AtomicWriteError("create", str(e.strerror or e)) from None
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise AtomicWriteError("write", str(e.strerror or e)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The file's present permissions, or what a plain new file would get (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def remove_stale_temporaries(path: Path, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Deletes the temporary files ``write_atomically(path, …)`` left behind when a process was
    killed mid-write (``.NAME.*.tmp`` beside ``path``) and that are older than ``older_than_s``
    (a younger one may be another process's save in progress); returns them."""
    path = Path(path)
    removed = []
    now = time.time()
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return []
    for candidate in candidates:
        try:
            if now - candidate.stat().st_mtime > older_than_s:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            pass
    return removed
