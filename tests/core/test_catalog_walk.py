"""The catalogue walk: every layer type builds, infers shapes, compiles, runs forward and backward."""

from __future__ import annotations

import pytest
import torch

from netdesigner.core.catalog import all_types
from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.core.layer_type import LayerKind
from netdesigner.core.shapes import infer_shapes

F, L = "float32", "int64"
# type → (input tensors (shape without batch, dtype), parameters)
EXAMPLES: dict[str, tuple[list[tuple[tuple[int, ...], str]], dict]] = {
    "Input": ([((3,), F)], {}),  # an Input feeding an Output directly
    "Output": ([((3,), F)], {}),
    "Linear": ([((5,), F)], {"out_features": 4}),
    "Embedding": ([((6,), L)], {"num_embeddings": 10, "embedding_dim": 4}),
    "Conv1d": ([((2, 9), F)], {"out_channels": 3, "kernel_size": 3}),
    "Conv2d": ([((2, 7, 7), F)], {"out_channels": 3, "kernel_size": 3, "padding": "same"}),
    "ConvTranspose2d": ([((2, 4, 4), F)], {"out_channels": 3}),
    "MaxPool1d": ([((2, 8), F)], {}),
    "MaxPool2d": ([((2, 6, 6), F)], {}),
    "AvgPool1d": ([((2, 8), F)], {}),
    "AvgPool2d": ([((2, 6, 6), F)], {}),
    "AdaptiveAvgPool1d": ([((2, 7), F)], {}),
    "AdaptiveAvgPool2d": ([((2, 5, 5), F)], {}),
    "BatchNorm1d": ([((4,), F)], {}),
    "BatchNorm2d": ([((3, 4, 4), F)], {}),
    "LayerNorm": ([((5, 6), F)], {}),
    "GroupNorm": ([((4, 3, 3), F)], {"num_groups": 2}),
    "Dropout": ([((6,), F)], {"p": 0.2}),
    "Dropout2d": ([((4, 3, 3), F)], {"p": 0.2}),
    "GaussianNoise": ([((6,), F)], {}),
    "ReLU": ([((6,), F)], {}),
    "LeakyReLU": ([((6,), F)], {}),
    "ELU": ([((6,), F)], {}),
    "GELU": ([((6,), F)], {}),
    "SiLU": ([((6,), F)], {}),
    "Tanh": ([((6,), F)], {}),
    "Sigmoid": ([((6,), F)], {}),
    "Softmax": ([((6,), F)], {}),
    "LogSoftmax": ([((6,), F)], {}),
    "Softplus": ([((6,), F)], {}),
    "PReLU": ([((3, 4), F)], {"per_channel": True}),
    "RNN": ([((5, 3), F)], {"hidden_size": 4, "num_layers": 2, "bidirectional": True}),
    "LSTM": ([((5, 3), F)], {"hidden_size": 4, "output": "last"}),
    "GRU": ([((5, 3), F)], {"hidden_size": 4, "num_layers": 2, "dropout": 0.1}),
    "MultiheadAttention": ([((5, 8), F)], {"num_heads": 2, "causal": True}),
    "TransformerEncoderLayer": ([((5, 8), F)], {"nhead": 2, "dim_feedforward": 16}),
    "Flatten": ([((2, 3, 4), F)], {}),
    "Reshape": ([((2, 3, 4), F)], {"shape": (6, -1)}),
    "Permute": ([((2, 3, 4), F)], {"dims": (2, 0, 1)}),
    "Upsample": ([((2, 3, 3), F)], {"mode": "bilinear"}),
    "Add": ([((2, 3), F), ((2, 3), F)], {}),
    "Multiply": ([((2, 3), F), ((2, 3), F)], {}),
    "Concat": ([((2, 3), F), ((4, 3), F)], {"dim": 0}),
    "Split": ([((4, 6), F)], {"chunks": 3, "dim": 1}),
    "Reparameterize": ([((4,), F), ((4,), F)], {}),
}


def test_the_walk_covers_every_layer_type() -> None:
    assert set(EXAMPLES) == {t.name for t in all_types()}


def _graph_for(type_name: str) -> Graph:
    inputs, params = EXAMPLES[type_name]
    g = Graph()
    sources = [g.input(shape, dtype) for shape, dtype in inputs]
    if type_name in ("Input", "Output"):
        g.output(sources[0], loss="mse")
        return g
    layer = g.add(type_name, *sources, **params)
    for port in layer:
        g.output(port, loss="mse")
    return g


@pytest.mark.parametrize("type_name", sorted(EXAMPLES))
def test_layer_builds_infers_compiles_and_trains(type_name: str) -> None:
    torch.manual_seed(0)
    g = _graph_for(type_name)
    report = infer_shapes(g)
    assert not report.errors(), report.errors()
    module = compile_graph(g, report=report).train()

    batch = 3
    inputs = []
    for node in g.nodes():
        if node.type == "Input":
            shape, dtype = node.params["shape"], node.params["dtype"]
            if dtype == "int64":
                inputs.append(torch.randint(0, 10, (batch, *shape)))
            else:
                inputs.append(torch.randn(batch, *shape, requires_grad=True))
    result = module(*inputs)
    results = result if isinstance(result, tuple) else (result,)

    outputs = [n for n in g.nodes() if n.layer_type.kind is LayerKind.SINK]
    assert len(results) == len(outputs)
    for out, tensor in zip(outputs, results, strict=True):
        inferred = report.output_of(out.id)
        assert (batch, *inferred.shape) == tuple(tensor.shape), f"{out.name}: inferred {inferred}, real {tuple(tensor.shape)}"

    loss = sum(r.float().sum() for r in results)
    loss.backward()
    for name, parameter in module.named_parameters():
        assert parameter.grad is not None, f"{name} got no gradient"
    float_inputs = [x for x in inputs if x.is_floating_point()]
    assert all(x.grad is not None for x in float_inputs), "the gradient does not reach the input"


@pytest.mark.parametrize("layer_type", all_types(), ids=lambda t: t.name)
def test_declaration_is_complete(layer_type) -> None:
    assert layer_type.doc.strip() and layer_type.prefix.isidentifier()
    for param in layer_type.params:
        assert param.coerce(param.default) == param.default, f"default of {param.name} fails its own check"
        assert param.doc.strip()
    if layer_type.kind is LayerKind.LAYER:
        assert layer_type.build is not None
