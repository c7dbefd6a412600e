"""The example projects the "New from example" gallery offers, with what each one teaches."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from netdesigner.shipped_folders import projects_folder

# The ideas of the deep-learning canon (DESIGN.md) in the order the gallery lists them.
CANON = ("Universal approximation", "Representation learning", "Backpropagation", "SGD and variants",
         "Regularisation", "CNNs", "RNNs", "Autoencoders", "Optimisation landscapes",
         "Batch normalisation", "Generative models", "GPU and distributed")


@dataclass(frozen=True)
class Example:
    path: Path
    name: str
    description: str
    topic: str = ""  # the idea of the canon its lesson shows; "" without a lesson
    look_at: str = ""
    claims: tuple[str, ...] = field(default_factory=tuple)  # the promised results, in words


def examples_folder() -> Path:
    """``projects/`` as this installation ships it: in the package (a wheel, the bundle) or
    beside it (a source checkout, an editable install); see ``shipped_folders``."""
    return projects_folder()


def list_examples(folder: Path | None = None) -> list[Example]:
    """Every readable ``.ndproj`` in the folder, in the canon's order, then by name; a damaged
    file is left out, not fatal. Only a glance at the JSON: opening one checks it all."""
    found = []
    for path in sorted((folder or examples_folder()).glob("*.ndproj")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict):
            found.append(_example(path, doc))
    return sorted(found, key=_order)


def _text(obj: dict, key: str, default: str = "") -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else default


def _example(path: Path, doc: dict) -> Example:
    lesson = doc.get("lesson") if isinstance(doc.get("lesson"), dict) else {}
    claims = lesson.get("expect") if isinstance(lesson.get("expect"), list) else []
    return Example(path, _text(doc, "name", path.stem), _text(doc, "description"), _text(lesson, "topic"),
                   _text(lesson, "look_at"), tuple(_text(c, "text") for c in claims if isinstance(c, dict) and _text(c, "text")))


def _order(example: Example) -> tuple[int, str]:
    rank = CANON.index(example.topic) if example.topic in CANON else len(CANON)
    return rank, example.name.lower()
