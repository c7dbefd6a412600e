"""From a path option to a file or folder that exists, or one message that says what is wrong.

Every file-based data set starts here, so "no such file", "that is a folder" and "no path
given" read the same whichever loader the person chose.
"""

from __future__ import annotations

from pathlib import Path

from netdesigner.core.errors import DataError


def existing_file(text: str, dataset: str) -> Path:
    path = _path(text, dataset, "file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; the {dataset} data set reads a file")
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return path


def existing_folder(text: str, dataset: str) -> Path:
    path = _path(text, dataset, "folder")
    if path.is_file():
        raise DataError(f"{path}: is a file; the {dataset} data set reads a folder of class sub-folders")
    if not path.is_dir():
        raise DataError(f"{path}: no such folder")
    return path


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read the file: {e.strerror or e}") from None


def _path(text: str, dataset: str, what: str) -> Path:
    if not text.strip():
        raise DataError(f"the {dataset} data set needs a {what}: set its path option")
    return Path(text).expanduser()
