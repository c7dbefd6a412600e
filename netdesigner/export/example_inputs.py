"""Seeded inputs for a compiled graph, and which of their axes may change size.

Exports trace the model on one batch and verify it on another of a different size, so both
come from here: floats are standard normal, integer inputs hold token ids below the smallest
vocabulary (``num_embeddings``) of the Embedding layers they feed, so every id is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph, Node

SEQUENCE_TYPES = frozenset({"RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer"})
DEFAULT_VOCABULARY = 2  # an int64 input that feeds no Embedding: ids 0 and 1


@dataclass(frozen=True)
class InputSpec:
    """One model input as the exporters see it: its node, shape without batch, dtype, and the
    axes (counted with the batch axis, so 0 is the batch) that may change size."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    vocabulary: int | None = None  # int64 inputs: ids are drawn below this
    dynamic: dict[int, str] = field(default_factory=dict)  # axis → its name ("batch", "sequence")


def input_specs(graph: Graph, names: list[str], *, sequence: bool = True) -> list[InputSpec]:
    """The model's inputs in the compiled module's order (``compiled_info(m).input_names``).

    The batch axis is always dynamic. With ``sequence``, so is axis 1 of an input that reaches a
    recurrent or attention layer and has a sequence axis: rank ≥ 2 without the batch for
    floats (sequence, features), rank ≥ 1 for token ids (the Embedding adds the features), and
    a declared length above 1 (``torch.export`` fixes axes of size 1).
    """
    specs = []
    for name in names:
        node = graph.find(name)
        shape = tuple(node.params["shape"])
        dtype = node.params["dtype"]
        below = [graph.node(i) for i in nx.descendants(graph.nx, node.id)]
        dynamic = {0: "batch"}
        rank_needed = 1 if dtype == "int64" else 2
        if sequence and len(shape) >= rank_needed and shape[0] > 1 and any(n.type in SEQUENCE_TYPES for n in below):
            dynamic[1] = "sequence"
        specs.append(InputSpec(name, shape, dtype, _vocabulary(node, below), dynamic))
    return specs


def _vocabulary(node: Node, below: list[Node]) -> int | None:
    if node.params["dtype"] != "int64":
        return None
    sizes = [int(n.params["num_embeddings"]) for n in below if n.type == "Embedding"]
    return min(sizes) if sizes else DEFAULT_VOCABULARY


def make_inputs(specs: list[InputSpec], batch: int, *, seed: int = 0, longer: int = 0) -> tuple[torch.Tensor, ...]:
    """One tensor per input: ``batch`` samples, and dynamic sequence axes ``longer`` steps
    longer than declared (so a check can prove that axis is free too)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    tensors = []
    for spec in specs:
        shape = [batch, *spec.shape]
        if 1 in spec.dynamic and spec.dynamic[1] != "batch":
            shape[1] += longer
        if spec.dtype == "int64":
            tensors.append(torch.randint(0, spec.vocabulary or DEFAULT_VOCABULARY, shape, generator=generator))
        else:
            tensors.append(torch.randn(shape, generator=generator))
    return tuple(tensors)


def dynamic_shapes(specs: list[InputSpec]) -> tuple[dict[int, object], ...]:
    """``torch.export`` dynamic shapes: one ``Dim`` per named axis of each input.

    Every batch axis shares one ``Dim``, since the samples of all inputs go together; each
    sequence axis has its own, because two inputs may hold sequences of different lengths.
    """
    import torch

    batch = torch.export.Dim("batch")
    shapes = []
    for i, spec in enumerate(specs):
        axes: dict[int, object] = {}
        for axis, name in spec.dynamic.items():
            axes[axis] = batch if name == "batch" else torch.export.Dim(f"{name}_{i}" if len(specs) > 1 else name)
        shapes.append(axes)
    return tuple(shapes)
