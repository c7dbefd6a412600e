"""Problems a person can act on, each tied to the node or edge it concerns.

Errors stop a graph from compiling; warnings point at parts that will be left out of the
model (a branch that leads nowhere). The document may hold an invalid graph at any time,
as a drawing in progress does; validation is how the editor and the CLI judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import networkx as nx

from netdesigner.core.events import Edge
from netdesigner.core.gan import gan_problems
from netdesigner.core.graph import Graph
from netdesigner.core.layer_type import LayerKind
from netdesigner.core.shapes import ShapeReport, cyclic_nodes, infer_shapes


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    node_id: str | None = None
    edge: Edge | None = None

    def describe(self, graph: Graph) -> str:
        """The message prefixed with where it is, as the CLI and status bar print it."""
        where = ""
        if self.node_id is not None and self.node_id in graph:
            node = graph.node(self.node_id)
            where = f"{node.name} ({node.type}): "
        elif self.edge is not None and self.edge.src in graph and self.edge.dst in graph:
            where = f"{graph.node(self.edge.src).name} → {graph.node(self.edge.dst).name}: "
        return f"{self.severity.value}: {where}{self.message}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def validate(graph: Graph, report: ShapeReport | None = None) -> list[Problem]:
    """All problems of ``graph``: structure first, then shapes (from ``report`` if given)."""
    problems: list[Problem] = []
    nodes = graph.nodes()
    inputs = [n.id for n in nodes if n.layer_type.kind is LayerKind.SOURCE]
    outputs = [n.id for n in nodes if n.layer_type.kind is LayerKind.SINK]
    if not inputs:
        problems.append(Problem(Severity.ERROR, "the model has no Input layer"))
    if not outputs:
        problems.append(Problem(Severity.ERROR, "the model has no Output layer"))

    cyclic = cyclic_nodes(graph)
    for cycle in nx.simple_cycles(graph.nx) if cyclic else ():
        path = " → ".join(graph.node(n).name for n in [*cycle, cycle[0]])
        for n in cycle:
            problems.append(Problem(Severity.ERROR, f"part of a cycle: {path}", node_id=n))
        break  # one cycle named is enough to act on

    for edge in graph.edges():
        src = graph.node(edge.src)
        if edge.src_port >= src.output_count():
            problems.append(Problem(Severity.ERROR, f"{src.name} has no output {edge.src_port} any more ({src.output_count()} outputs); reconnect or remove this wire", edge=edge))

    unconnected: set[str] = set()
    for node in nodes:
        t = node.layer_type
        ports = {e.dst_port for e in graph.in_edges(node.id)}
        if t.variadic:
            if len(ports) < (t.min_inputs or 0):
                problems.append(Problem(Severity.ERROR, f"needs at least {t.min_inputs} inputs, has {len(ports)}", node_id=node.id))
                unconnected.add(node.id)
        else:
            missing = [t.inputs[i] for i in range(len(t.inputs)) if i not in ports]
            if missing:
                which = ", ".join(repr(m) for m in missing)
                problems.append(Problem(Severity.ERROR, f"input {which} is not connected", node_id=node.id))
                unconnected.add(node.id)

    reachable = set(inputs).union(*(nx.descendants(graph.nx, i) for i in inputs)) if inputs else set()
    useful = set(outputs).union(*(nx.ancestors(graph.nx, o) for o in outputs)) if outputs else set()
    for node in nodes:
        if node.id in unconnected or node.id in cyclic:
            continue
        if node.id not in reachable:
            problems.append(Problem(Severity.WARNING, "not reachable from an Input: something upstream is unconnected", node_id=node.id))
        if outputs and node.id not in useful:
            problems.append(Problem(Severity.WARNING, "does not lead to an Output, so it is left out of the model", node_id=node.id))

    report = report or infer_shapes(graph)
    for node_id, message in report.errors().items():
        problems.append(Problem(Severity.ERROR, message + _origin(graph, node_id), node_id=node_id))
    for node_id, message in gan_problems(graph, report):  # none unless an Output has the loss gan
        problems.append(Problem(Severity.ERROR, message, node_id=node_id))
    return problems


def _origin(graph: Graph, node_id: str) -> str:
    """Where the node's input comes from, so a size the user never typed can be traced."""
    sources = [graph.node(e.src).name for e in graph.in_edges(node_id)]
    if not sources:
        return ""
    return f" (input from {', '.join(sources)})"
