"""Exported files are written as projects are: a temporary file beside the target, flushed,
then renamed over it, so a failure leaves the previous file (or none), never half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from netdesigner.export.export_error import ExportError


def write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` in one step; ``ExportError`` naming the file if it cannot."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise ExportError(f"{path}: cannot write here: {e.strerror or e}") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write the file: {e.strerror or e}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
