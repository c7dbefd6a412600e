"""The layer catalogue: every layer type by name, and grouped by category for the palette."""

from __future__ import annotations

from netdesigner.core import layers as _layers  # noqa: F401  (registers every declaration)
from netdesigner.core.errors import GraphError
from netdesigner.core.layer_type import Category, LayerType, registry


def layer_type(name: str) -> LayerType:
    """The declaration of ``name``; a ``GraphError`` that lists close names if there is none."""
    try:
        return registry()[name]
    except KeyError:
        close = [n for n in registry() if n.lower().startswith(name.lower()[:3])]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise GraphError(f"unknown layer type {name!r}{hint}") from None


def all_types() -> list[LayerType]:
    return list(registry().values())


def by_category() -> dict[Category, list[LayerType]]:
    groups: dict[Category, list[LayerType]] = {c: [] for c in Category}
    for t in registry().values():
        groups[t.category].append(t)
    return groups
