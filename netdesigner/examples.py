"""The example projects the "New from example" gallery offers, with their one-line descriptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Example:
    path: Path
    name: str
    description: str


def examples_folder() -> Path:
    """``projects/`` beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent / "projects"


def list_examples(folder: Path | None = None) -> list[Example]:
    """Every readable ``.ndproj`` in the folder, by name; a damaged file is left out, not fatal."""
    found = []
    for path in sorted((folder or examples_folder()).glob("*.ndproj")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict):
            name = doc.get("name") if isinstance(doc.get("name"), str) else path.stem
            description = doc.get("description") if isinstance(doc.get("description"), str) else ""
            found.append(Example(path, name, description))
    return sorted(found, key=lambda e: e.name.lower())
