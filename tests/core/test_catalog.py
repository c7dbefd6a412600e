"""The catalogue walk: every layer type declares itself fully, builds, infers, compiles and trains.

``EXAMPLES`` holds one small input per layer type; a type added to the catalogue without an
entry here fails ``test_examples_cover_exactly_the_catalogue``, so no type goes unwalked.
"""

from __future__ import annotations

import pytest
import torch
from catalog_examples import BATCH, EXAMPLES, LAYERS, NAMES, TOKENS, graph_for
from torch import nn

from netdesigner.core.catalog import all_types, by_category, layer_type
from netdesigner.core.compiler import compile_graph
from netdesigner.core.errors import GraphError
from netdesigner.core.graph import Graph
from netdesigner.core.layer_type import Category, TensorInfo
from netdesigner.core.params import Params
from netdesigner.core.shapes import infer_shapes


def _batch_for(g: Graph) -> list[torch.Tensor]:
    tensors = []
    for node in g.nodes():
        if node.type == "Input":
            shape, dtype = node.params["shape"], node.params["dtype"]
            if dtype == "int64":
                tensors.append(torch.randint(0, TOKENS, (BATCH, *shape)))
            else:
                tensors.append(torch.randn(BATCH, *shape, requires_grad=True))
    return tensors


def _run(type_name: str):
    """Compiles the example graph and runs one training step's forward and backward."""
    torch.manual_seed(0)
    g, outputs = graph_for(type_name)
    report = infer_shapes(g)
    assert not report.errors(), report.errors()
    module = compile_graph(g, report=report).train()
    inputs = _batch_for(g)
    result = module(*inputs)
    results = result if isinstance(result, tuple) else (result,)
    # A weighted sum, not a plain one: a plain sum has a zero gradient through Softmax and
    # through the scale of a normalisation, which would hide a parameter cut off the graph.
    weights = [torch.randn(r.shape) for r in results]
    loss = sum((r.float() * w).sum() for r, w in zip(results, weights, strict=True))
    loss.backward()
    return g, outputs, report, module, inputs, results


def test_examples_cover_exactly_the_catalogue() -> None:
    assert set(EXAMPLES) == {t.name for t in all_types()}


def test_type_names_are_unique_and_found_by_name() -> None:
    names = [t.name for t in all_types()]
    assert len(names) == len(set(names))
    assert all(layer_type(n).name == n for n in names)


def test_unknown_type_is_refused_with_close_names() -> None:
    with pytest.raises(GraphError, match=r"unknown layer type 'Conv3d'.*Conv1d, Conv2d"):
        layer_type("Conv3d")


def test_by_category_groups_every_type_once() -> None:
    grouped = [t.name for types in by_category().values() for t in types]
    assert sorted(grouped) == sorted(t.name for t in all_types())
    assert list(by_category()) == list(Category)


@pytest.mark.parametrize("type_name", NAMES)
def test_type_has_a_doc_a_category_and_a_valid_prefix(type_name: str) -> None:
    t = layer_type(type_name)
    assert t.doc.strip()
    assert isinstance(t.category, Category)
    assert t.prefix.isidentifier() and not t.prefix.startswith("_")


@pytest.mark.parametrize("type_name", NAMES)
def test_every_default_passes_its_own_coerce(type_name: str) -> None:
    for param in layer_type(type_name).params:
        assert param.coerce(param.default) == param.default, f"default of {param.name} fails its own check"
        assert param.doc.strip(), f"{param.name} has no doc"


@pytest.mark.parametrize("type_name", LAYERS)
def test_layer_builds_a_torch_module(type_name: str) -> None:
    t = layer_type(type_name)
    inputs, params = EXAMPLES[type_name]
    infos = tuple(TensorInfo(shape, dtype) for shape, dtype in inputs)
    module = t.build(Params(t.coerce_params(params)), infos)
    assert isinstance(module, nn.Module)


@pytest.mark.parametrize("type_name", NAMES)
def test_shape_inference_gives_every_output_a_shape(type_name: str) -> None:
    g, outputs = graph_for(type_name)
    report = infer_shapes(g)
    assert not report.errors(), report.errors()
    for out in outputs:
        assert report.output_of(out) is not None


@pytest.mark.parametrize("type_name", NAMES)
def test_inferred_output_shape_equals_the_real_one(type_name: str) -> None:
    g, outputs, report, _, _, results = _run(type_name)
    assert len(results) == len(outputs)
    for out, tensor in zip(outputs, results, strict=True):
        inferred = report.output_of(out)
        assert (BATCH, *inferred.shape) == tuple(tensor.shape), f"inferred {inferred}, real {tuple(tensor.shape)}"
        assert inferred.dtype == str(tensor.dtype).removeprefix("torch.")


@pytest.mark.parametrize("type_name", NAMES)
def test_backward_gives_every_parameter_a_gradient(type_name: str) -> None:
    _, _, _, module, inputs, _ = _run(type_name)
    for name, parameter in module.named_parameters():
        assert parameter.grad is not None, f"{name} got no gradient"
        assert torch.isfinite(parameter.grad).all(), f"{name} has a non-finite gradient"
        assert parameter.grad.abs().sum() > 0, f"{name} got an all-zero gradient"
    for x in inputs:
        if x.is_floating_point():
            assert x.grad is not None and x.grad.abs().sum() > 0, "the gradient does not reach the input"


@pytest.mark.parametrize("type_name", LAYERS)
def test_inferred_parameter_count_equals_the_real_one(type_name: str) -> None:
    g, _, report, module, _, _ = _run(type_name)
    (layer,) = [n for n in g.nodes() if n.type == type_name]
    real = sum(p.numel() for p in module.get_submodule(layer.name).parameters())
    assert report.nodes[layer.id].params == real
