"""Shape inference: every edge's tensor shape, every node's parameter and MAC count.

Shapes come from torch itself (DESIGN rule 4): each node's real module is built on the
``meta`` device and run on a meta tensor of batch 1 under ``FlopCounterMode``, so inference
can never disagree with what training will do, and costs no memory for weights.

``ShapeInference`` keeps, per node, the key it last computed (type, parameters, incoming
tensors). A rerun after an edit walks the graph in order but rebuilds only nodes whose key
changed: the edited node and whatever downstream sees a different tensor because of it.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from netdesigner.core.catalog import layer_type
from netdesigner.core.errors import ShapeError
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph, Node
from netdesigner.core.layer_type import LayerKind, LayerType, TensorInfo
from netdesigner.core.params import Params


@dataclass(frozen=True)
class NodeShape:
    """What inference found for one node. ``error`` is set when the node cannot take its inputs."""

    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...] = ()
    params: int = 0
    macs: int = 0  # multiply-accumulates for one sample
    error: str | None = None


@dataclass
class ShapeReport:
    """Shapes of the nodes that could be computed; nodes missing inputs are absent."""

    graph: Graph
    nodes: dict[str, NodeShape] = field(default_factory=dict)
    recomputed: list[str] = field(default_factory=list)  # node ids rebuilt by this run

    def edge_tensor(self, edge: Edge) -> TensorInfo | None:
        found = self.nodes.get(edge.src)
        if found is None or edge.src_port >= len(found.outputs):
            return None
        return found.outputs[edge.src_port]

    def output_of(self, node_id: str) -> TensorInfo | None:
        found = self.nodes.get(node_id)
        if found is None:
            return None
        if found.outputs:
            return found.outputs[0]
        return found.inputs[0] if found.inputs and found.error is None else None

    def errors(self) -> dict[str, str]:
        return {nid: s.error for nid, s in self.nodes.items() if s.error}

    @property
    def total_params(self) -> int:
        return sum(s.params for s in self.nodes.values())

    @property
    def total_macs(self) -> int:
        return sum(s.macs for s in self.nodes.values())


def dtype_name(dtype: Any) -> str:
    name = str(dtype).removeprefix("torch.")
    return "float32" if name in ("float32", "float16", "bfloat16", "float64") else name


def build_on_meta(t: LayerType, params: dict[str, Any], inputs: tuple[TensorInfo, ...]):
    """The node's module with weights on the meta device: its real structure, no memory."""
    import torch

    with torch.device("meta"):
        return t.build(Params(params), inputs)


SHORT_STEPS = 8  # a recurrent layer over more steps than this is measured on 2 and 3 steps


def _measure(t: LayerType, params: dict[str, Any], inputs: tuple[TensorInfo, ...]) -> NodeShape:
    module = build_on_meta(t, params, inputs).eval()
    count = sum(p.numel() for p in module.parameters())
    steps = _recurrent_steps(module, inputs)
    if steps is None:
        outputs, macs = _run_on_meta(module, inputs, count)
    else:
        # A recurrent layer runs step by step even on meta tensors (about 3 ms a step in Python):
        # 1,000 steps took seconds. Its shapes and work are linear in the steps, so two short
        # runs tell both exactly: the axis that grows with the steps, and the work per step.
        short = [(replace(inputs[0], shape=(n, *inputs[0].shape[1:])), *inputs[1:]) for n in (2, 3)]
        (out2, macs2), (out3, macs3) = (_run_on_meta(module, s, count) for s in short)
        outputs = tuple(TensorInfo(tuple(steps if a != b else a for a, b in zip(o2.shape, o3.shape, strict=True)), o2.dtype)
                        for o2, o3 in zip(out2, out3, strict=True))
        macs = macs2 + (steps - 2) * (macs3 - macs2)
    for out in outputs:  # meta tensors allow an empty axis; a real forward refuses one
        if 0 in out.shape:
            raise ShapeError(f"these settings shrink the input {', '.join(map(str, inputs))} to an empty {out}")
    return NodeShape(inputs, outputs, count, macs)


def _recurrent_steps(module: Any, inputs: tuple[TensorInfo, ...]) -> int | None:
    """The number of steps of a batch-first recurrent layer's input when it is long, else None."""
    from torch import nn

    if not inputs or len(inputs[0].shape) < 2 or inputs[0].shape[0] <= SHORT_STEPS:
        return None
    recurrent = [m for m in module.modules() if isinstance(m, nn.RNNBase)]
    if not recurrent or not all(m.batch_first for m in recurrent):
        return None
    return inputs[0].shape[0]


def _run_on_meta(module: Any, inputs: tuple[TensorInfo, ...], count: int) -> tuple[tuple[TensorInfo, ...], int]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    tensors = [torch.empty((1, *x.shape), dtype=getattr(torch, x.dtype), device="meta") for x in inputs]
    # Only layers with weights multiply-accumulate (matmul, conv, attention); counting the
    # others costs a dispatch mode and finds zero.
    counter = FlopCounterMode(display=False) if count else nullcontext()
    with counter, torch.no_grad():
        result = module(*tensors)
    results = result if isinstance(result, tuple) else (result,)
    outputs = tuple(TensorInfo(tuple(r.shape[1:]), dtype_name(r.dtype)) for r in results)
    return outputs, (counter.get_total_flops() // 2 if count else 0)


def _compute(node: Node, inputs: tuple[TensorInfo, ...]) -> NodeShape:
    t = node.layer_type
    if t.kind is LayerKind.SOURCE:
        assert t.make_source is not None
        return NodeShape((), (t.make_source(Params(node.params)),))
    if t.kind is LayerKind.SINK:
        return NodeShape(inputs)
    try:
        return _measure(t, node.params, inputs)
    except ShapeError as e:
        return NodeShape(inputs, error=str(e))
    except Exception as e:  # torch's own refusal: keep its words, first line only
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return NodeShape(inputs, error=f"PyTorch refuses these settings for input {', '.join(map(str, inputs))}: {first}")


def cyclic_nodes(graph: Graph) -> set[str]:
    """Nodes on a cycle, and everything downstream of one (none of them has a defined shape)."""
    g = graph.nx
    if nx.is_directed_acyclic_graph(g):
        return set()
    on_cycle = {n for comp in nx.strongly_connected_components(g) if len(comp) > 1 for n in comp}
    on_cycle |= {n for n in g.nodes if g.has_edge(n, n)}
    downstream = set(on_cycle)
    for n in on_cycle:
        downstream |= nx.descendants(g, n)
    return downstream


class ShapeInference:
    """Incremental shape inference over one graph; call ``run()`` after edits."""

    def __init__(self, graph: Graph, *, share_identical: bool = True) -> None:
        self.graph = graph
        self.share_identical = share_identical
        self._cache: dict[str, tuple[tuple, NodeShape]] = {}
        # Identical layers on identical inputs (the blocks of a ResNet, a long chain) are
        # measured once: results are immutable, so nodes may share them.
        self._measured: dict[tuple, NodeShape] = {}

    def run(self) -> ShapeReport:
        graph = self.graph
        report = ShapeReport(graph)
        blocked = cyclic_nodes(graph)
        order = [n for n in graph.topological_order() if n not in blocked] if not blocked else _order_without(graph, blocked)
        for node_id in order:
            node = graph.node(node_id)
            inputs = self._incoming(node, report)
            if inputs is None:
                continue
            key = (node.type, tuple(node.params.items()), inputs)
            cached = self._cache.get(node_id)
            if cached is not None and cached[0] == key:
                report.nodes[node_id] = cached[1]
                continue
            found = self._measured.get(key) if self.share_identical else None
            if found is None:
                found = self._measured[key] = _compute(node, inputs)
            self._cache[node_id] = (key, found)
            report.nodes[node_id] = found
            report.recomputed.append(node_id)
        for gone in self._cache.keys() - set(graph.node_ids()):
            del self._cache[gone]
        if len(self._measured) > 4 * len(self._cache) + 64:
            self._measured = {key: shape for key, shape in self._cache.values()}
        return report

    def _incoming(self, node: Node, report: ShapeReport) -> tuple[TensorInfo, ...] | None:
        """The tensors reaching ``node`` in port order, or None if one is missing."""
        t: LayerType = layer_type(node.type)
        edges = self.graph.in_edges(node.id)
        if t.variadic:
            if len(edges) < (t.min_inputs or 0):
                return None
        elif [e.dst_port for e in edges] != list(range(len(t.inputs))):
            return None
        tensors = []
        for edge in edges:
            found = report.edge_tensor(edge)
            if found is None or report.nodes[edge.src].error:
                return None
            tensors.append(found)
        return tuple(tensors)


def _order_without(graph: Graph, blocked: set[str]) -> list[str]:
    rest = graph.nx.subgraph([n for n in graph.nx.nodes if n not in blocked])
    position = {nid: i for i, nid in enumerate(graph.node_ids())}
    return list(nx.lexicographical_topological_sort(rest, key=position.__getitem__))


def infer_shapes(graph: Graph) -> ShapeReport:
    """One full inference (use ``ShapeInference`` to rerun incrementally after edits)."""
    return ShapeInference(graph).run()
