"""Auto-layout: a graph placed in readable layers, top to bottom.

Each node goes one row below its deepest input (longest path from the inputs), so a residual
branch sits beside the main path it skips; within a row, nodes are ordered by the mean
column of their inputs (the barycentre heuristic), which keeps wires from crossing.
"""

from __future__ import annotations

import networkx as nx

from netdesigner.core.edits import Group, Move
from netdesigner.core.graph import Graph
from netdesigner.core.shapes import cyclic_nodes

COLUMN_WIDTH = 220.0
ROW_HEIGHT = 110.0


def auto_layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """A position for every node (nodes on cycles go in a last row)."""
    cyclic = cyclic_nodes(graph)
    acyclic = graph.nx.subgraph(n for n in graph.node_ids() if n not in cyclic)
    row: dict[str, int] = {}
    for node_id in nx.topological_sort(acyclic):
        row[node_id] = max((row[p] + 1 for p in acyclic.predecessors(node_id) if p in row), default=0)
    last = max(row.values(), default=-1) + 1
    for node_id in graph.node_ids():
        row.setdefault(node_id, last)

    rows: dict[int, list[str]] = {}
    for node_id in graph.node_ids():
        rows.setdefault(row[node_id], []).append(node_id)
    column: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for r in sorted(rows):
        members = rows[r]

        def barycentre(n: str) -> float:
            parents = [column[p] for p in graph.nx.predecessors(n) if p in column]
            return sum(parents) / len(parents) if parents else 0.0

        members.sort(key=barycentre)
        for i, node_id in enumerate(members):
            column[node_id] = i - (len(members) - 1) / 2
            positions[node_id] = (column[node_id] * COLUMN_WIDTH, r * ROW_HEIGHT)
    return positions


def layout_edit(graph: Graph) -> Group:
    """The moves that lay out ``graph``, as one undoable edit."""
    return Group(tuple(Move(n, pos) for n, pos in auto_layout(graph).items() if graph.node(n).position != pos))
