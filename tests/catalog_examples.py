"""One small example graph per catalogue layer type, shared by the catalogue walk and by
the activation capture tests: the inputs each type takes, and a graph Input(s) → layer →
one Output per output port."""

from __future__ import annotations

from netdesigner.core.catalog import all_types, layer_type
from netdesigner.core.graph import Graph
from netdesigner.core.layer_type import LayerKind

F, L = "float32", "int64"
BATCH = 3
TOKENS = 10  # int64 inputs hold ids below this

# type → (inputs as (shape without batch, dtype), parameters that differ from the defaults).
# Defaults are used wherever the input allows, so the walk tests what a person gets first.
EXAMPLES: dict[str, tuple[list[tuple[tuple[int, ...], str]], dict]] = {
    "Input": ([((3, 2), F)], {}),
    "Output": ([((4,), F)], {}),
    "Linear": ([((5,), F)], {}),
    "Embedding": ([((6,), L)], {}),
    "Conv1d": ([((2, 9), F)], {}),
    "Conv2d": ([((2, 7, 6), F)], {}),
    "ConvTranspose2d": ([((2, 4, 3), F)], {}),
    "MaxPool1d": ([((2, 8), F)], {}),
    "MaxPool2d": ([((2, 6, 5), F)], {}),
    "AvgPool1d": ([((2, 8), F)], {}),
    "AvgPool2d": ([((2, 6, 5), F)], {}),
    "AdaptiveAvgPool1d": ([((2, 7), F)], {}),
    "AdaptiveAvgPool2d": ([((2, 5, 4), F)], {}),
    "BatchNorm1d": ([((4,), F)], {}),
    "BatchNorm2d": ([((3, 4, 4), F)], {}),
    "LayerNorm": ([((5, 6), F)], {}),
    "GroupNorm": ([((8, 3, 3), F)], {}),
    "Dropout": ([((6,), F)], {}),
    "Dropout2d": ([((4, 3, 3), F)], {}),
    "GaussianNoise": ([((6,), F)], {}),
    "ReLU": ([((6,), F)], {}),
    "LeakyReLU": ([((6,), F)], {}),
    "ELU": ([((6,), F)], {}),
    "GELU": ([((6,), F)], {}),
    "SiLU": ([((6,), F)], {}),
    "Tanh": ([((6,), F)], {}),
    "Sigmoid": ([((6,), F)], {}),
    "Softmax": ([((2, 6), F)], {}),
    "LogSoftmax": ([((2, 6), F)], {}),
    "Softplus": ([((6,), F)], {}),
    "PReLU": ([((3, 4), F)], {}),
    "RNN": ([((5, 3), F)], {}),
    "LSTM": ([((5, 3), F)], {}),
    "GRU": ([((5, 3), F)], {}),
    "MultiheadAttention": ([((5, 8), F)], {}),
    "TransformerEncoderLayer": ([((5, 8), F)], {}),
    "Flatten": ([((2, 3, 4), F)], {}),
    "Reshape": ([((2, 3, 4), F)], {}),
    "Permute": ([((2, 3), F)], {}),
    "Upsample": ([((2, 3, 3), F)], {}),
    "Add": ([((2, 3), F), ((2, 3), F)], {}),
    "Multiply": ([((2, 3), F), ((2, 3), F)], {}),
    "Concat": ([((2, 3), F), ((4, 3), F)], {}),
    "Split": ([((4, 6), F)], {}),
    "Reparameterize": ([((4,), F), ((4,), F)], {}),
}

NAMES = sorted(EXAMPLES)
LAYERS = [n for n in NAMES if n in {t.name for t in all_types()} and layer_type(n).kind is LayerKind.LAYER]


def graph_for(type_name: str) -> tuple[Graph, list[str]]:
    """Input(s) → layer → one Output per output port (Input and Output: Input → Output).

    Returns the graph and the ids of its Output nodes, in order.
    """
    inputs, params = EXAMPLES[type_name]
    g = Graph()
    sources = [g.input(shape, dtype) for shape, dtype in inputs]
    if type_name in ("Input", "Output"):
        return g, [g.output(sources[0], loss="mse").node_id]
    layer = g.add(type_name, *sources, **params)
    return g, [g.output(port, loss="none").node_id for port in layer]


