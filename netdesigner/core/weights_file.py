"""Where a project's trained weights live: beside it, in a file named by their content,
``NAME.<first 16 hex digits of the sha256>.safetensors``.

Naming the file by its content is what makes a save of the project and its weights together
atomic without a transaction: new weights never overwrite the file the project on disk names, so
a process killed at any moment leaves a project file (old or new, each written atomically)
whose weights file exists and matches its checksum. Weights files no project file names any
more (neither the project nor its ``.bak``) are removed after the project file is in place.
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

HASH_DIGITS = 16


def weights_file_name(stem: str, sha256: str) -> str:
    return f"{stem}.{sha256[:HASH_DIGITS]}.safetensors"


def named_weights(project_file: Path) -> Path | None:
    """The weights file the project file on disk names (None without weights, or unreadable)."""
    doc = _read(project_file)
    return _named_in(doc, project_file) if doc is not None else None


def remove_unnamed_weights(project_file: Path, *others: Path) -> list[Path]:
    """Deletes the content-named weights files of ``project_file``'s stem that neither it nor
    ``others`` (its backup) name; returns them. A project file that cannot be read keeps
    everything: deleting weights is only ever done knowing nobody needs them."""
    named = set()
    for f in (project_file, *others):
        doc = _read(f)
        if doc is None:
            if f == project_file:
                return []
            continue  # a backup that is not a project (kept byte for byte) names nothing
        w = _named_in(doc, f)
        if w is not None:
            named.add(w.name)
    pattern = re.compile(re.escape(project_file.stem) + rf"\.[0-9a-f]{{{HASH_DIGITS}}}\.safetensors")
    removed = []
    for candidate in project_file.parent.glob(f"{glob.escape(project_file.stem)}.*.safetensors"):
        if pattern.fullmatch(candidate.name) and candidate.name not in named:
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass  # left for the next save
    return removed


def _read(project_file: Path) -> object | None:
    """The file's JSON, or None when it is missing or not JSON."""
    try:
        return json.loads(Path(project_file).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _named_in(doc: object, project_file: Path) -> Path | None:
    entry = doc.get("weights") if isinstance(doc, dict) else None
    name = entry.get("file") if isinstance(entry, dict) else None
    if not isinstance(name, str) or Path(name).name != name:
        return None
    return Path(project_file).with_name(name)
