"""The graph document: layers as nodes, tensors as edges; the one source of truth.

Everything that changes a graph goes through an edit (``netdesigner.core.edits``), and every
change is told to the listeners, so views (the canvas, shape labels, the summary) follow the
document instead of keeping their own copy. The convenience methods here build an edit,
apply it and return its inverse, which is all an undo stack needs.

Reads like Keras' functional API when building in code::

    g = Graph()
    x = g.input((1, 28, 28))
    h = g.add("Conv2d", x, out_channels=8, kernel_size=3)
    h = g.add("ReLU", h)
    g.output(g.add("Linear", g.add("Flatten", h), out_features=10))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from netdesigner.core.catalog import layer_type
from netdesigner.core.edits import (
    AddNode,
    Connect,
    Disconnect,
    Edit,
    Group,
    Move,
    RemoveNode,
    Rename,
    SetParam,
)
from netdesigner.core.errors import GraphError
from netdesigner.core.events import (
    Edge,
    EdgeAdded,
    EdgeRemoved,
    GraphEvent,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamChanged,
)
from netdesigner.core.layer_type import LayerType
from netdesigner.core.names import name_problem

Listener = Callable[[GraphEvent], None]


@dataclass
class Node:
    """A layer in the document. Change it only through the graph, so listeners hear of it."""

    id: str
    name: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def layer_type(self) -> LayerType:
        return layer_type(self.type)

    def output_count(self) -> int:
        return self.layer_type.output_count(self.params)


@dataclass(frozen=True)
class OutputRef:
    """One output port of a node, as an input to ``Graph.add``."""

    node_id: str
    port: int = 0


class LayerRef:
    """What ``Graph.add`` returns: stands for the node's first output; index it for the others."""

    def __init__(self, graph: Graph, node_id: str) -> None:
        self.graph = graph
        self.node_id = node_id

    @property
    def name(self) -> str:
        return self.graph.node(self.node_id).name

    def __getitem__(self, port: int) -> OutputRef:
        count = self.graph.node(self.node_id).output_count()
        if not 0 <= port < count:
            raise IndexError(f"{self.name} has {count} outputs")
        return OutputRef(self.node_id, port)

    def __iter__(self) -> Iterator[OutputRef]:
        return (OutputRef(self.node_id, i) for i in range(self.graph.node(self.node_id).output_count()))

    def __repr__(self) -> str:
        return f"LayerRef({self.name})"


Source = LayerRef | OutputRef


class Graph:
    """Nodes, edges and positions of one network, on a networkx ``MultiDiGraph``."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._by_name: dict[str, str] = {}
        self._nx = nx.MultiDiGraph()
        self._listeners: list[Listener] = []
        self._next_id = 1
        self.revision = 0  # grows with every change; cheap staleness check for caches

    # ---- listening ---------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: GraphEvent) -> None:
        self.revision += 1
        for listener in list(self._listeners):
            listener(event)

    # ---- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(f"no node with id {node_id!r}") from None

    def node_index(self, node_id: str) -> int:
        return list(self._nodes).index(node_id)

    def find(self, name: str) -> Node:
        """The node called ``name``."""
        try:
            return self._nodes[self._by_name[name]]
        except KeyError:
            raise GraphError(f"no node named {name!r}") from None

    def has_name(self, name: str) -> bool:
        return name in self._by_name

    def edges(self) -> list[Edge]:
        order = {nid: i for i, nid in enumerate(self._nodes)}
        found = [key for _, _, key in self._nx.edges(keys=True)]
        return sorted(found, key=lambda e: (order[e.dst], e.dst_port, order[e.src], e.src_port))

    def in_edges(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id`` in port order (the order a variadic layer receives them)."""
        return sorted((k for _, _, k in self._nx.in_edges(node_id, keys=True)), key=lambda e: e.dst_port)

    def out_edges(self, node_id: str) -> list[Edge]:
        return sorted((k for _, _, k in self._nx.out_edges(node_id, keys=True)), key=lambda e: (e.src_port, e.dst, e.dst_port))

    def edge_into(self, node_id: str, port: int) -> Edge | None:
        for edge in self.in_edges(node_id):
            if edge.dst_port == port:
                return edge
        return None

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The topology as networkx sees it (read it; change the graph through edits)."""
        return self._nx

    def would_create_cycle(self, src: str, dst: str) -> bool:
        return src == dst or nx.has_path(self._nx, dst, src)

    def topological_order(self) -> list[str]:
        """Node ids, producers before consumers, ties broken by document order."""
        order = {nid: i for i, nid in enumerate(self._nodes)}
        return list(nx.lexicographical_topological_sort(self._nx, key=order.__getitem__))

    # ---- editing: the convenience layer ------------------------------------------------
    def apply(self, edit: Edit) -> Edit:
        """Applies an edit and returns its inverse."""
        return edit.apply(self)

    def add_node(
        self,
        type_name: str,
        params: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
    ) -> RemoveNode:
        """Adds a node; the returned inverse's ``node_id`` names it."""
        t = layer_type(type_name)
        node_id = node_id or self.new_id()
        name = name or self.unique_name(t.prefix)
        inverse = self.apply(AddNode(node_id, type_name, name, dict(params or {}), position))
        assert isinstance(inverse, RemoveNode)
        return inverse

    def remove_node(self, node_id: str) -> Edit:
        return self.apply(RemoveNode(node_id))

    def remove_nodes(self, node_ids: Iterable[str]) -> Edit:
        return self.apply(Group(tuple(RemoveNode(n) for n in node_ids)))

    def connect(self, src: str, dst: str, src_port: int = 0, dst_port: int = 0) -> Edit:
        return self.apply(Connect(Edge(src, dst, src_port, dst_port)))

    def disconnect(self, edge: Edge) -> Edit:
        return self.apply(Disconnect(edge))

    def set_param(self, node_id: str, param: str, value: Any) -> Edit:
        return self.apply(SetParam(node_id, param, value))

    def rename(self, node_id: str, name: str) -> Edit:
        return self.apply(Rename(node_id, name))

    def move(self, node_id: str, position: tuple[float, float]) -> Edit:
        return self.apply(Move(node_id, position))

    def new_id(self) -> str:
        while f"n{self._next_id}" in self._nodes:
            self._next_id += 1
        return f"n{self._next_id}"

    def unique_name(self, prefix: str) -> str:
        k = 1
        while f"{prefix}{k}" in self._by_name:
            k += 1
        return f"{prefix}{k}"

    # ---- the functional builder --------------------------------------------------------
    def input(self, shape: tuple[int, ...], dtype: str = "float32", *, name: str | None = None) -> LayerRef:
        return self.add("Input", name=name, shape=tuple(shape), dtype=dtype)

    def output(self, x: Source, loss: str = "cross_entropy", *, loss_weight: float = 1.0, name: str | None = None) -> LayerRef:
        return self.add("Output", x, name=name, loss=loss, loss_weight=loss_weight)

    def add(self, type_name: str, *inputs: Source, name: str | None = None,
            position: tuple[float, float] = (0.0, 0.0), **params: Any) -> LayerRef:
        """Adds a layer fed by ``inputs`` (in port order) and returns a reference to it."""
        node_id = self.add_node(type_name, params, name=name, position=position).node_id
        try:
            for port, source in enumerate(inputs):
                ref = OutputRef(source.node_id) if isinstance(source, LayerRef) else source
                self.connect(ref.node_id, node_id, ref.port, port)
        except GraphError:
            self.remove_node(node_id)
            raise
        return LayerRef(self, node_id)

    # ---- primitives, called by edits; each checks, changes, then tells -----------------
    def _insert_node(self, node_id: str, type_name: str, name: str, params: dict[str, Any],
                     position: tuple[float, float], index: int | None) -> None:
        if node_id in self._nodes:
            raise GraphError(f"a node with id {node_id!r} exists already")
        t = layer_type(type_name)
        self._check_name(name)
        node = Node(node_id, name, type_name, t.coerce_params(params), _position(position))
        if index is None or index >= len(self._nodes):
            self._nodes[node_id] = node
        else:
            items = list(self._nodes.items())
            items.insert(index, (node_id, node))
            self._nodes = dict(items)
        self._by_name[name] = node_id
        self._nx.add_node(node_id)
        match = re.fullmatch(r"n([0-9]{1,18})", node_id)  # ASCII digits only, and few: an id from a file may be anything
        if match:
            self._next_id = max(self._next_id, int(match.group(1)) + 1)
        self._emit(NodeAdded(node_id))

    def _delete_node(self, node_id: str) -> None:
        node = self.node(node_id)
        if self._nx.degree(node_id):
            raise GraphError(f"{node.name} still has connections")
        del self._nodes[node_id]
        del self._by_name[node.name]
        self._nx.remove_node(node_id)
        self._emit(NodeRemoved(node_id, node.name))

    def _add_edge(self, edge: Edge, restoring: bool) -> None:
        src, dst = self.node(edge.src), self.node(edge.dst)
        outputs = src.output_count()
        # Restoring a wire (undo, loading a file) may bring back one from a port that a lowered
        # output count (Split's chunks) took away; validation reports it, as it does cycles.
        stale_ok = restoring and callable(src.layer_type.outputs) and edge.src_port >= 0
        if not (0 <= edge.src_port < outputs or stale_ok):
            raise GraphError(f"{src.name} has no output {edge.src_port} (it has {outputs})")
        if not dst.layer_type.accepts_input_port(edge.dst_port):
            raise GraphError(f"{dst.name} ({dst.type}) has no input {edge.dst_port}")
        taken = self.edge_into(edge.dst, edge.dst_port)
        if taken is not None:
            port = dst.layer_type.input_port_name(edge.dst_port)
            raise GraphError(f"input {port!r} of {dst.name} is already fed by {self.node(taken.src).name}; disconnect it first")
        if not restoring and self.would_create_cycle(edge.src, edge.dst):
            raise GraphError(f"connecting {src.name} to {dst.name} would make a cycle: {dst.name} already feeds {src.name}")
        self._nx.add_edge(edge.src, edge.dst, key=edge)
        self._emit(EdgeAdded(edge))

    def _remove_edge(self, edge: Edge) -> None:
        if not self._nx.has_edge(edge.src, edge.dst, key=edge):
            raise GraphError(f"no such connection: {edge}")
        self._nx.remove_edge(edge.src, edge.dst, key=edge)
        self._emit(EdgeRemoved(edge))

    def _set_param(self, node_id: str, param: str, value: Any) -> Any:
        node = self.node(node_id)
        coerced = node.layer_type.param(param).coerce(value)
        old = node.params[param]
        node.params[param] = coerced
        self._emit(ParamChanged(node_id, param, coerced))
        return old

    def _rename(self, node_id: str, name: str) -> str:
        node = self.node(node_id)
        if name == node.name:
            return name
        self._check_name(name)
        old = node.name
        del self._by_name[old]
        node.name = name
        self._by_name[name] = node_id
        self._emit(NodeRenamed(node_id, old, name))
        return old

    def _move(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        node = self.node(node_id)
        old = node.position
        node.position = _position(position)
        self._emit(NodeMoved(node_id, node.position))
        return old

    def _check_name(self, name: str) -> None:
        problem = name_problem(name)
        if problem:
            raise GraphError(problem)
        if name in self._by_name:
            raise GraphError(f"the name {name!r} is taken by another node")


def _position(position: tuple[float, float]) -> tuple[float, float]:
    x, y = position
    return (float(x), float(y))
