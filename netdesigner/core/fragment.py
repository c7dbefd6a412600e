"""Copy and paste: a piece of a graph as JSON text, and the one edit that pastes it.

The text is the project file's own ``graph`` section (plus a format tag), so whatever reads a
project reads a fragment, with the same checks: pasting text from another window, another
program or a hand-edited file can fail with a message but never puts a bad node in the graph.
"""

from __future__ import annotations

import json

from netdesigner.core.edits import AddNode, Connect, Group
from netdesigner.core.errors import ProjectError
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph
from netdesigner.core.project_format import graph_from_json, graph_to_json

FRAGMENT_FORMAT = "netdesigner-fragment"


def copy_fragment(graph: Graph, node_ids: list[str]) -> str:
    """The chosen nodes and the edges among them, as JSON text (edges to the rest are left out)."""
    chosen = set(node_ids)
    piece = Graph()
    for node in graph.nodes():
        if node.id in chosen:
            piece.add_node(node.type, name=node.name, params=dict(node.params), position=node.position, node_id=node.id)
    for edge in graph.edges():
        if edge.src in chosen and edge.dst in chosen:
            piece.apply(Connect(edge, restoring=True))
    return json.dumps({"format": FRAGMENT_FORMAT, "graph": graph_to_json(piece)}, ensure_ascii=False)


def read_fragment(text: str) -> Graph:
    """The graph a fragment holds; ``ProjectError`` saying what is wrong with the text."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ProjectError("the clipboard holds no NetDesigner layers") from None
    if not isinstance(doc, dict) or doc.get("format") != FRAGMENT_FORMAT:
        raise ProjectError("the clipboard holds no NetDesigner layers")
    return graph_from_json(doc.get("graph"), "clipboard")


def paste_edit(graph: Graph, piece: Graph, offset: tuple[float, float] = (30.0, 30.0)) -> tuple[Group, list[str]]:
    """The edit that adds ``piece`` to ``graph`` with new ids, free names and shifted positions.

    Returns the edit and the ids the pasted nodes will have (to select them afterwards).
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    adds = []
    counter = 1
    for node in piece.nodes():
        while f"n{counter}" in graph:
            counter += 1
        new_id = f"n{counter}"
        counter += 1
        ids[node.id] = new_id
        name = _free_name(graph, node.name, taken)
        taken.add(name)
        position = (node.position[0] + offset[0], node.position[1] + offset[1])
        adds.append(AddNode(new_id, node.type, name, dict(node.params), position))
    connects = [
        Connect(Edge(ids[e.src], ids[e.dst], e.src_port, e.dst_port), restoring=True) for e in piece.edges()
    ]
    return Group((*adds, *connects)), list(ids.values())


def _free_name(graph: Graph, name: str, taken: set[str]) -> str:
    if not graph.has_name(name) and name not in taken:
        return name
    stem = name.rstrip("0123456789") or name
    i = 1
    while graph.has_name(f"{stem}{i}") or f"{stem}{i}" in taken:
        i += 1
    return f"{stem}{i}"
