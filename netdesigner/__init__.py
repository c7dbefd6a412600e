"""NetDesigner: design, train and ship neural networks visually.

The package root stays light: importing it (or running ``netdesigner --help``) does not
import torch. ``Graph`` and ``Project`` are re-exported lazily for the Python API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from netdesigner.core.graph import Graph
    from netdesigner.core.project import Project

__all__ = ["Graph", "Project", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Graph":
        from netdesigner.core.graph import Graph

        return Graph
    if name == "Project":
        from netdesigner.core.project import Project

        return Project
    raise AttributeError(f"module 'netdesigner' has no attribute {name!r}")
