"""The model summary people expect from Keras: one row per layer, then the totals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from netdesigner.core.graph import Graph
from netdesigner.core.shapes import ShapeReport, infer_shapes
from netdesigner.core.validation import Problem, Severity, validate


@dataclass(frozen=True)
class SummaryRow:
    name: str
    type: str
    output_shape: str
    params: int
    macs: int


@dataclass
class Summary:
    rows: list[SummaryRow] = field(default_factory=list)
    total_params: int = 0
    total_macs: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def summarize(graph: Graph, report: ShapeReport | None = None, problems: list[Problem] | None = None) -> Summary:
    report = report or infer_shapes(graph)
    problems = validate(graph, report) if problems is None else problems
    summary = Summary()
    for node_id in graph.topological_order() if _acyclic(graph) else graph.node_ids():
        node = graph.node(node_id)
        found = report.nodes.get(node_id)
        if found is None or found.error:
            shape = "?"
        elif found.outputs:
            shape = ", ".join(str(t) for t in found.outputs)
        else:
            shape = str(found.inputs[0]) if found.inputs else "?"
        params = found.params if found else 0
        macs = found.macs if found else 0
        summary.rows.append(SummaryRow(node.name, node.type, shape, params, macs))
    summary.total_params = sum(r.params for r in summary.rows)
    summary.total_macs = sum(r.macs for r in summary.rows)
    summary.errors = [p.describe(graph) for p in problems if p.severity is Severity.ERROR]
    summary.warnings = [p.describe(graph) for p in problems if p.severity is Severity.WARNING]
    return summary


def _acyclic(graph: Graph) -> bool:
    import networkx as nx

    return nx.is_directed_acyclic_graph(graph.nx)


def human(count: int) -> str:
    """1234567 → '1.23 M' (for totals a person reads at a glance)."""
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return str(count)


def format_table(summary: Summary, title: str = "") -> str:
    headers = ("Layer (name)", "Type", "Output shape", "Params", "MACs")
    cells = [(r.name, r.type, r.output_shape, f"{r.params:,}", f"{r.macs:,}") for r in summary.rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    right = (False, False, False, True, True)

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)).rstrip()

    rule = "─" * len(line(tuple("" for _ in headers)).ljust(sum(widths) + 2 * (len(widths) - 1)))
    out = [title] if title else []
    out += [rule, line(headers), rule, *(line(c) for c in cells), rule]
    out.append(f"Total params: {summary.total_params:,} ({human(summary.total_params)})")
    out.append(f"MACs per sample: {summary.total_macs:,} ({human(summary.total_macs)})")
    out.append(f"Layers: {len(summary.rows)}")
    for text in summary.errors + summary.warnings:
        out.append(text)
    return "\n".join(out)
