"""Writing a file so that a failure never leaves half of it: a temporary file in the same
folder, flushed and fsynced, then renamed over the target. Projects, their weights and every
exported file are written this way; each caller turns ``AtomicWriteError`` into its own
error type and words."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
