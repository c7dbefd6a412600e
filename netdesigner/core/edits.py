"""Edits of the graph document as values: applying one returns the edit that undoes it.

The window's undo stack wraps these in ``QUndoCommand``s; the CLI, the Python API and the
tests call the same ones, so undo works on the document and never on a view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from netdesigner.core.events import Edge

if TYPE_CHECKING:
    from netdesigner.core.graph import Graph


class Edit(Protocol):
    def apply(self, graph: Graph) -> Edit:
        """Performs the edit and returns its inverse."""


@dataclass(frozen=True)
class AddNode:
    node_id: str
    type: str
    name: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    position: tuple[float, float] = (0.0, 0.0)
    index: int | None = None  # where in the node order (undoing a removal puts it back there)

    def apply(self, graph: Graph) -> Edit:
        graph._insert_node(self.node_id, self.type, self.name, self.params, self.position, self.index)
        return RemoveNode(self.node_id)


@dataclass(frozen=True)
class RemoveNode:
    node_id: str

    def apply(self, graph: Graph) -> Edit:
        node = graph.node(self.node_id)
        index = graph.node_index(self.node_id)
        edges = [*graph.in_edges(self.node_id), *graph.out_edges(self.node_id)]
        for edge in edges:
            graph._remove_edge(edge)
        graph._delete_node(self.node_id)
        restore: list[Edit] = [AddNode(node.id, node.type, node.name, dict(node.params), node.position, index)]
        restore += [Connect(e, restoring=True) for e in edges]
        return Group(tuple(restore))


@dataclass(frozen=True)
class Connect:
    """A new wire; ``restoring`` restores one as it was (undo, file loading), even a cycle or
    a wire from a port that lowering Split's chunks removed, both of which validation reports."""

    edge: Edge
    restoring: bool = False

    def apply(self, graph: Graph) -> Edit:
        graph._add_edge(self.edge, self.restoring)
        return Disconnect(self.edge)


@dataclass(frozen=True)
class Disconnect:
    edge: Edge

    def apply(self, graph: Graph) -> Edit:
        graph._remove_edge(self.edge)
        return Connect(self.edge, restoring=True)


@dataclass(frozen=True)
class SetParam:
    node_id: str
    param: str
    value: Any

    def apply(self, graph: Graph) -> Edit:
        old = graph._set_param(self.node_id, self.param, self.value)
        return SetParam(self.node_id, self.param, old)


@dataclass(frozen=True)
class Rename:
    node_id: str
    name: str

    def apply(self, graph: Graph) -> Edit:
        old = graph._rename(self.node_id, self.name)
        return Rename(self.node_id, old)


@dataclass(frozen=True)
class Move:
    node_id: str
    position: tuple[float, float]

    def apply(self, graph: Graph) -> Edit:
        old = graph._move(self.node_id, self.position)
        return Move(self.node_id, old)


@dataclass(frozen=True)
class Group:
    """Several edits as one (paste, delete a selection, auto-layout); all or nothing."""

    edits: tuple[Edit, ...]

    def apply(self, graph: Graph) -> Edit:
        inverses: list[Edit] = []
        try:
            for edit in self.edits:
                inverses.append(edit.apply(graph))
        except Exception:
            for inverse in reversed(inverses):
                inverse.apply(graph)
            raise
        return Group(tuple(reversed(inverses)))
