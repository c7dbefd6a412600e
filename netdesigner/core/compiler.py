"""Graph → ``torch.fx.GraphModule`` (DESIGN rule 5).

Submodules are named after the nodes, so ``state_dict`` keys read ``conv1.weight``, and
``module.code`` is plain PyTorch a person can read. Recompiling with ``previous=`` keeps the
very module (and so the trained weights) of every node whose type, parameters and incoming
tensors did not change, matched by node id so a rename keeps its weights too.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from netdesigner.core.errors import GraphError
from netdesigner.core.gan import GanParts, gan_parts
from netdesigner.core.graph import Graph
from netdesigner.core.layer_type import LayerKind
from netdesigner.core.params import Params
from netdesigner.core.shapes import ShapeReport, infer_shapes
from netdesigner.core.validation import errors, validate

if TYPE_CHECKING:
    import torch
    from torch import fx


@dataclass
class CompiledInfo:
    """What the compiler remembers about a module, kept in ``module.meta["netdesigner"]``."""

    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # node id → submodule name
    signatures: dict[str, tuple] = field(default_factory=dict)  # node id → what built it
    reused: list[str] = field(default_factory=list)  # names whose module came from `previous`
    gan: GanParts | None = None  # a GAN's two networks (see ``core.gan``); None for other models


def compiled_info(module: torch.nn.Module) -> CompiledInfo:
    return module.meta["netdesigner"]


def compile_graph(
    graph: Graph,
    *,
    report: ShapeReport | None = None,
    previous: fx.GraphModule | None = None,
    device: str | torch.device | None = None,
    class_name: str = "Network",
) -> fx.GraphModule:
    """Builds the trainable module; a ``GraphError`` lists the problems if the graph has errors."""
    import torch
    from torch import fx

    report = report or infer_shapes(graph)
    found = errors(validate(graph, report))
    if found:
        lines = "\n  ".join(p.describe(graph) for p in found[:10])
        more = f"\n  … and {len(found) - 10} more" if len(found) > 10 else ""
        raise GraphError(f"the graph has {len(found)} error(s):\n  {lines}{more}")

    old = compiled_info(previous) if previous is not None else None
    outputs = [n for n in graph.nodes() if n.layer_type.kind is LayerKind.SINK]
    needed = set().union(*(nx.ancestors(graph.nx, o.id) for o in outputs))
    info = CompiledInfo(gan=gan_parts(graph, report))
    modules: dict[str, torch.nn.Module] = {}
    fxg = fx.Graph()
    values: dict[tuple[str, int], fx.Node] = {}

    for node_id in graph.topological_order():
        node = graph.node(node_id)
        t = node.layer_type
        if node_id not in needed:
            continue
        if t.kind is LayerKind.SOURCE:
            values[node_id, 0] = fxg.placeholder(node.name)
            info.input_names.append(node.name)
            continue
        shape = report.nodes[node_id]
        signature = (node.type, tuple(node.params.items()), shape.inputs)
        module = _reused(previous, old, node_id, signature)
        if module is None and device is None:
            module = t.build(Params(node.params), shape.inputs)
        elif module is None:
            with torch.device(device):
                module = t.build(Params(node.params), shape.inputs)
        else:
            info.reused.append(node.name)
        modules[node.name] = module.to(device) if device is not None else module
        info.names[node_id] = node.name
        info.signatures[node_id] = signature
        args = tuple(values[e.src, e.src_port] for e in graph.in_edges(node_id))
        call = fxg.call_module(node.name, args)
        if not t.returns_tuple:
            values[node_id, 0] = call
        for port in range(len(shape.outputs) if t.returns_tuple else 0):
            values[node_id, port] = fxg.create_node("call_function", operator.getitem, (call, port), name=f"{node.name}_{port}")

    results = []
    for out in outputs:
        (edge,) = graph.in_edges(out.id)
        results.append(values[edge.src, edge.src_port])
        info.output_names.append(out.name)
    fxg.output(results[0] if len(results) == 1 else tuple(results))
    module = fx.GraphModule(modules, fxg, class_name=class_name)
    module.meta["netdesigner"] = info
    return module


def _reused(previous: Any, old: CompiledInfo | None, node_id: str, signature: tuple):
    if previous is None or old is None or old.signatures.get(node_id) != signature:
        return None
    return previous.get_submodule(old.names[node_id])
