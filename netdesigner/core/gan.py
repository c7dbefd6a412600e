"""What makes a graph a GAN, and its two networks.

A project is a generative adversarial network when one Output has the loss ``gan``: that
Output is the discriminator's real/fake score (a logit). The two networks are two separate
drawings on the one canvas, so a person sees both and each layer keeps its own name:

- the **discriminator** is everything before the ``gan`` Output. It reads exactly one Input,
  the sample to judge: the data set's samples go there, and so do the generator's;
- the **generator** is the other connected piece of the graph: one Input (the latent noise;
  the trainer feeds it N(0, I) and it never reads data) and one Output with loss ``none``
  whose shape is the discriminator Input's shape.

``gan_problems`` says, node by node, where a GAN graph breaks these rules (validation shows
them like any other error); a graph without a ``gan`` Output has none. The compiler still
builds one module for the whole graph (its state_dict is the GAN's weights, saved and exported
as any model's); ``gan_halves`` gives the generator and the discriminator as two modules that
share that module's very layers, so training either trains the whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from netdesigner.core.errors import GraphError
from netdesigner.core.layer_type import LayerKind

if TYPE_CHECKING:
    import torch
    from torch import fx

    from netdesigner.core.graph import Graph, Node
    from netdesigner.core.shapes import ShapeReport

GAN_LOSS = "gan"


@dataclass(frozen=True)
class GanParts:
    """The two networks of a GAN graph, by node name (the compiled module's names too)."""

    noise: str  # the generator's Input
    noise_shape: tuple[int, ...]  # its shape: what one sample of noise is
    sample: str  # the generator's Output (loss none)
    real: str  # the discriminator's Input: data samples, or the generator's
    score: str  # the discriminator's Output (loss gan): one logit per sample
    generator: tuple[str, ...]  # every layer of the generator, in graph order, Input and Output included
    discriminator: tuple[str, ...]  # … and of the discriminator


def score_outputs(graph: Graph) -> list[Node]:
    """The Output nodes whose loss is ``gan``."""
    return [n for n in graph.nodes() if n.layer_type.kind is LayerKind.SINK and n.params.get("loss") == GAN_LOSS]


def is_gan(graph: Graph) -> bool:
    return bool(score_outputs(graph))


def sample_nodes(graph: Graph) -> tuple[list[Node], list[Node]]:
    """(the Inputs the ``gan`` Outputs read, the other Outputs): where data samples go in and
    where the generator's come out, found even in a GAN graph that breaks the rules."""
    scores = score_outputs(graph)
    before = set().union(*(nx.ancestors(graph.nx, s.id) for s in scores))
    inputs = [n for n in graph.nodes() if n.id in before and n.layer_type.kind is LayerKind.SOURCE]
    outputs = [n for n in graph.nodes() if n.layer_type.kind is LayerKind.SINK and n not in scores]
    return inputs, outputs


def gan_parts(graph: Graph, report: ShapeReport | None = None) -> GanParts | None:
    """The GAN's two networks; None for a graph that is no GAN. A ``GraphError`` naming the
    first problem when the graph wants to be a GAN but breaks the rules."""
    parts, problems = _analyse(graph, report)
    if problems:
        node_id, message = problems[0]
        where = f"{graph.node(node_id).name}: " if node_id is not None else ""
        raise GraphError(f"{where}{message}")
    return parts


def gan_problems(graph: Graph, report: ShapeReport | None = None) -> list[tuple[str | None, str]]:
    """(node id, message) for every way the graph breaks the GAN rules; empty for other graphs."""
    return _analyse(graph, report)[1]


def _names(nodes: list[Node]) -> str:
    return ", ".join(n.name for n in nodes)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _analyse(graph: Graph, report: ShapeReport | None) -> tuple[GanParts | None, list[tuple[str | None, str]]]:
    scores = score_outputs(graph)
    if not scores:
        return None, []
    problems: list[tuple[str | None, str]] = []
    if len(scores) > 1:
        for node in scores:
            problems.append((node.id, f"only one Output may have the loss gan (the discriminator's real/fake score); "
                                      f"this graph has {len(scores)}: {_names(scores)}"))
        return None, problems
    score = scores[0]
    g = graph.nx
    discriminator = nx.ancestors(g, score.id) | {score.id}
    sources = [n for n in graph.nodes() if n.id in discriminator and n.layer_type.kind is LayerKind.SOURCE]
    if len(sources) > 1:
        problems.append((score.id, f"the discriminator (the layers before {score.name}) must read exactly one Input, the "
                                   f"sample to judge; it reads {_names(sources)}. The generator is a network of its own: "
                                   "do not wire it into the discriminator, the trainer feeds its samples in"))
    elif not sources and graph.in_edges(score.id):
        problems.append((score.id, f"the discriminator (the layers before {score.name}) reads no Input: start it "
                                   "with an Input of the data's sample shape"))
    component = next(c for c in nx.weakly_connected_components(g) if score.id in c)
    sinks = [n for n in graph.nodes() if n.layer_type.kind is LayerKind.SINK and n.id != score.id]
    for node in sinks:
        if node.id in component:
            problems.append((node.id, f"is wired to the discriminator ({score.name}'s network), which may have only "
                                      f"the one Output {score.name}; the generator must be a separate network with "
                                      "its own Input (the noise)"))
    outputs = [n for n in sinks if n.id not in component]
    if not outputs:
        problems.append((score.id, "a GAN needs a generator too: a second network, not wired to this one, from an "
                                   "Input (the noise) to an Output with loss none that gives samples of the "
                                   "discriminator Input's shape"))
    if outputs:
        generator_piece = next(c for c in nx.weakly_connected_components(g) if outputs[0].id in c)
        for extra in outputs[1:]:
            if extra.id in generator_piece:
                why = f"the generator has one Output, {outputs[0].name}: remove this one"
            else:
                why = (f"a GAN is two networks, and this is a third: the generator ends at {outputs[0].name}, the "
                       f"discriminator at {score.name}; remove it")
            problems.append((extra.id, why))
    if problems or not sources:
        return None, problems

    real, sample = sources[0], outputs[0]
    if sample.params.get("loss") != "none":
        problems.append((sample.id, f"the generator's Output needs loss none: the discriminator's score "
                                    f"({score.name}, loss gan) is what trains the generator"))
    generator = nx.ancestors(g, sample.id) | {sample.id}
    noise = [n for n in graph.nodes() if n.id in generator and n.layer_type.kind is LayerKind.SOURCE]
    if len(noise) != 1:
        which = f"it reads {_names(noise)}" if noise else "it reads none"
        problems.append((sample.id, f"the generator (the layers before {sample.name}) must read exactly one Input, "
                                    f"the noise it turns into samples; {which}"))
    elif noise[0].params.get("dtype") != "float32":
        problems.append((noise[0].id, "is the generator's noise input: the trainer feeds it Gaussian noise, so its "
                                      "dtype must be float32"))
    if report is not None:
        problems += _shape_problems(graph, report, score, real, sample)
    if problems:
        return None, problems
    order = graph.node_ids()
    return GanParts(
        noise=noise[0].name, noise_shape=tuple(noise[0].params["shape"]), sample=sample.name, real=real.name, score=score.name,
        generator=tuple(graph.node(n).name for n in order if n in generator),
        discriminator=tuple(graph.node(n).name for n in order if n in discriminator),
    ), []


def _shape_problems(graph: Graph, report: ShapeReport, score: Node, real: Node, sample: Node) -> list[tuple[str | None, str]]:
    """The generator must give what the discriminator takes; the discriminator, one logit."""
    problems: list[tuple[str | None, str]] = []
    wanted = tuple(real.params["shape"])
    edge = graph.edge_into(sample.id, 0)
    made = report.edge_tensor(edge) if edge is not None else None
    if made is not None and tuple(made.shape) != wanted:
        problems.append((sample.id, f"the generator gives samples of shape {_shape(tuple(made.shape))}, but the "
                                    f"discriminator's Input {real.name} takes {_shape(wanted)}: they must match, since "
                                    "the discriminator judges the generator's samples (add a Reshape, or change the "
                                    "last layer's size)"))
    edge = graph.edge_into(score.id, 0)
    judged = report.edge_tensor(edge) if edge is not None else None
    if judged is not None and math.prod(judged.shape) != 1:
        problems.append((score.id, f"the discriminator must give one score (a logit) per sample, but gives "
                                   f"{_shape(tuple(judged.shape))}: end it with a Linear of out_features 1"))
    return problems


# ---- the two networks as modules --------------------------------------------------------------
def gan_halves(module: torch.nn.Module) -> tuple[fx.GraphModule, fx.GraphModule]:
    """(generator, discriminator) of a compiled GAN: ``generator(noise) → samples`` and
    ``discriminator(samples) → logits``. Both hold the very layer objects of ``module`` (no copy),
    so a step of either changes ``module``'s weights, and ``module.state_dict()`` stays the GAN's."""
    info = getattr(module, "meta", {}).get("netdesigner")
    parts = getattr(info, "gan", None)
    if parts is None:
        raise GraphError("the model is not a GAN: no Output has the loss gan")
    return (_sub_module(module, parts.noise, parts.sample, "Generator"),
            _sub_module(module, parts.real, parts.score, "Discriminator"))


def _sub_module(module: fx.GraphModule, input_name: str, output_name: str, class_name: str) -> fx.GraphModule:
    """The part of ``module``'s fx graph from one placeholder to one output, over the same layers."""
    from torch import fx

    info = module.meta["netdesigner"]
    nodes = list(module.graph.nodes)
    (end,) = [n for n in nodes if n.op == "output"]
    results = end.args[0] if isinstance(end.args[0], (tuple, list)) else (end.args[0],)
    wanted = results[info.output_names.index(output_name)]
    needed: set[fx.Node] = set()
    stack = [wanted]
    while stack:
        node = stack.pop()
        if node not in needed:
            needed.add(node)
            stack.extend(node.all_input_nodes)
    placeholders = [n.target for n in nodes if n in needed and n.op == "placeholder"]
    if placeholders != [input_name]:
        raise GraphError(f"{output_name} should depend on {input_name} alone, but depends on {', '.join(map(str, placeholders))}")
    graph = fx.Graph()
    copied: dict[fx.Node, fx.Node] = {}
    for node in nodes:
        if node in needed:
            copied[node] = graph.node_copy(node, lambda n: copied[n])
    graph.output(copied[wanted])
    return fx.GraphModule(module, graph, class_name=class_name)
