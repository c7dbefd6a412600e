"""Exported files are written as projects are (``core.atomic_file``): a failure leaves the
previous file (or none), never half a file; here it is an ``ExportError`` naming the file."""

from __future__ import annotations

from pathlib import Path

from netdesigner.core.atomic_file import AtomicWriteError
from netdesigner.core.atomic_file import write_atomically as _write
from netdesigner.export.export_error import ExportError


def write_atomically(path: Path, data: bytes) -> None:
    """Writes ``data`` to ``path`` in one step; ``ExportError`` naming the file if it cannot."""
    try:
        _write(Path(path), data)
    except AtomicWriteError as e:
        what = "cannot write here" if e.stage == "create" else "cannot write the file"
        raise ExportError(f"{path}: {what}: {e.reason}") from None
