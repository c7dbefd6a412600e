"""Proposals that make a graph fit a data set: Input shape and dtype, and the size of the last layer.

Choosing a data set should not leave the person hunting for the numbers that must change, nor
change their graph behind their back: the window shows these proposals, with a reason each,
and applies them as one undoable edit (``fit_edit``) only if the person agrees.

What is proposed (nothing where the graph already fits):
* the ``shape`` and ``dtype`` of the Input node, when the graph has exactly one Input (in a
  GAN, the discriminator's Input, and ``out_features`` of the Linear that makes the generator's
  flat samples, through any layers that keep the shape);
* for class targets, ``out_features`` of a Linear that feeds an Output directly whose loss
  takes class ids (cross_entropy, nll): one output per class;
* for regression targets of one axis (shape (k,)), ``out_features`` = k of a Linear that
  feeds an Output with loss mse or l1 directly; for sequence targets (T, k), k per step;
* for token ids (``DataInfo.vocabulary_size``), ``num_embeddings`` of each Embedding the
  Input feeds directly: one vector per token of the vocabulary.
Deeper mismatches (a convolution fed a table) are left to shape inference to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netdesigner.core.edits import Group, SetParam
from netdesigner.core.layer_type import Category
from netdesigner.data.splits import DataInfo, Task

if TYPE_CHECKING:
    from netdesigner.core.graph import Graph

CLASS_LOSSES = ("cross_entropy", "nll")
REGRESSION_LOSSES = ("mse", "l1")


@dataclass(frozen=True)
class Proposal:
    """Set ``param`` of node ``node_id`` from ``old`` to ``new``, because ``reason``."""

    node_id: str
    param: str
    old: Any
    new: Any
    reason: str


def propose_fit(graph: Graph, info: DataInfo) -> list[Proposal]:
    """The parameter changes that make ``graph`` take ``info``'s samples and targets."""
    from netdesigner.core.gan import is_gan

    proposals: list[Proposal] = []
    inputs = [n for n in graph.nodes() if n.type == "Input"]
    if is_gan(graph):
        proposals += _generator_fit(graph, info)
        inputs = _gan_inputs(graph)
    if len(inputs) == 1:
        node = inputs[0]
        shape = tuple(info.input_shape)
        if tuple(node.params["shape"]) != shape:
            proposals.append(Proposal(
                node.id, "shape", node.params["shape"], shape,
                f"{info.name} gives samples of shape {_shape(shape)}; {node.name} expects {_shape(node.params['shape'])}",
            ))
        if node.params["dtype"] != info.input_dtype:
            what = "token ids (int64)" if info.input_dtype == "int64" else "float32 values"
            proposals.append(Proposal(
                node.id, "dtype", node.params["dtype"], info.input_dtype, f"{info.name} gives {what}",
            ))
        if info.vocabulary_size and info.input_dtype == "int64":
            proposals += _embedding_sizes(graph, node.id, info)
    width, losses, why = _output_width(info)
    if width is None:
        return proposals
    for output in graph.nodes():
        if output.type != "Output" or output.params["loss"] not in losses:
            continue
        edge = graph.edge_into(output.id, 0)
        if edge is None:
            continue
        layer = graph.node(edge.src)
        if layer.type == "Linear" and layer.params["out_features"] != width:
            proposals.append(Proposal(
                layer.id, "out_features", layer.params["out_features"], width,
                f"{why}, so {layer.name}, which feeds {output.name}, needs {width} outputs",
            ))
    return proposals


def _embedding_sizes(graph: Graph, input_id: str, info: DataInfo) -> list[Proposal]:
    proposals = []
    size = info.vocabulary_size
    for edge in graph.out_edges(input_id):
        layer = graph.node(edge.dst)
        if layer.type == "Embedding" and layer.params["num_embeddings"] != size:
            proposals.append(Proposal(
                layer.id, "num_embeddings", layer.params["num_embeddings"], size,
                f"{info.name} has a vocabulary of {size} tokens (ids 0 to {size - 1}), so {layer.name} needs {size} vectors",
            ))
    return proposals


def _gan_inputs(graph: Graph) -> list[Any]:
    from netdesigner.core.gan import sample_nodes

    return sample_nodes(graph)[0]


def _generator_fit(graph: Graph, info: DataInfo) -> list[Proposal]:
    """The generator's last Linear, sized to flat samples of the data: the Linear feeding its
    Output directly or through single-input layers of no size of their own (activations)."""
    from netdesigner.core.gan import sample_nodes

    _, outputs = sample_nodes(graph)
    if len(outputs) != 1 or len(info.input_shape) != 1:
        return []
    width = info.input_shape[0]
    node = outputs[0]
    for _ in range(4):
        edge = graph.edge_into(node.id, 0)
        if edge is None or len(graph.in_edges(node.id)) != 1:
            return []
        node = graph.node(edge.src)
        if node.type == "Linear":
            if node.params["out_features"] == width:
                return []
            return [Proposal(node.id, "out_features", node.params["out_features"], width,
                             f"{info.name} gives samples of {width} values, and the generator's {node.name} makes them")]
        if node.layer_type.category is not Category.ACTIVATION:
            return []
    return []


def fit_edit(proposals: list[Proposal]) -> Group:
    """All proposals as one edit (one undo step): ``graph.apply(fit_edit(proposals))``."""
    return Group(tuple(SetParam(p.node_id, p.param, p.new) for p in proposals))


def _output_width(info: DataInfo) -> tuple[int | None, tuple[str, ...], str]:
    if info.task is Task.CLASSIFICATION and info.num_classes:
        return info.num_classes, CLASS_LOSSES, f"{info.name} has {info.num_classes} classes"
    if info.task is Task.REGRESSION and len(info.target_shape) == 1:
        k = info.target_shape[0]
        return k, REGRESSION_LOSSES, f"{info.name} has {k} target value{'s' if k != 1 else ''} per sample"
    if info.task is Task.SEQUENCE and info.target_shape:
        if info.num_classes:
            return info.num_classes, CLASS_LOSSES, f"{info.name} has {info.num_classes} classes per time step"
        k = info.target_shape[-1]
        return k, REGRESSION_LOSSES, f"{info.name} has {k} target value{'s' if k != 1 else ''} per time step"
    return None, (), ""


def _shape(shape: Any) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"
