"""Layer outputs captured by forward hooks: shapes for every layer type, dead and saturated
units, feature-map mosaics, embeddings; the caller's module is never touched."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from catalog_examples import BATCH, LAYERS, TOKENS, graph_for

from netdesigner.analysis.layer_outputs import (
    LayerOutput,
    OutputKind,
    capture,
    embedding_pca,
    feature_map_mosaic,
    layer_names,
)
from netdesigner.core.compiler import compile_graph, compiled_info
from netdesigner.core.graph import Graph
from netdesigner.core.shapes import infer_shapes


def _inputs(g: Graph) -> list[torch.Tensor]:
    out = []
    for node in g.nodes():
        if node.type == "Input":
            shape, dtype = node.params["shape"], node.params["dtype"]
            out.append(torch.randint(0, TOKENS, (BATCH, *shape)) if dtype == "int64" else torch.randn(BATCH, *shape))
    return out


@pytest.mark.parametrize("type_name", LAYERS)
def test_the_hook_captures_what_shape_inference_says(type_name: str) -> None:
    g, _ = graph_for(type_name)
    report = infer_shapes(g)
    module = compile_graph(g, report=report)
    node = next(n for n in g.nodes() if n.type == type_name)
    name = compiled_info(module).names[node.id]
    found = capture(module, None, _inputs(g), [name], {name: type_name})
    assert list(found) == [name]
    first = report.nodes[node.id].outputs[0]
    assert found[name].values.shape == (BATCH, *first.shape), type_name
    assert found[name].layer_type == type_name


def test_merging_layers_inside_a_graph() -> None:
    g = Graph()
    x = g.input((4,))
    a, b = g.add("Linear", x, out_features=3), g.add("Linear", x, out_features=3)
    added = g.add("Add", a, b)
    joined = g.add("Concat", added, b)
    g.output(joined, loss="mse")
    module = compile_graph(g)
    names = compiled_info(module).names
    found = capture(module, None, torch.randn(5, 4))
    assert found[names[added.node_id]].values.shape == (5, 3)
    assert found[names[joined.node_id]].values.shape == (5, 6)
    assert list(found) == layer_names(module)


def test_dead_relus_are_counted() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((2,)), out_features=4)
    relu = g.add("ReLU", fc)
    g.output(relu, loss="mse")
    module = compile_graph(g)
    names = compiled_info(module).names
    fc_name, relu_name = names[fc.node_id], names[relu.node_id]
    state = {k: v.clone() for k, v in module.state_dict().items()}
    state[f"{fc_name}.weight"] = torch.zeros(4, 2)
    state[f"{fc_name}.bias"] = torch.tensor([-1.0, -2.0, 0.5, 3.0])  # two units below zero for every input
    found = capture(module, state, torch.randn(50, 2), types={relu_name: "ReLU", fc_name: "Linear"})
    assert found[relu_name].dead_fraction() == 0.5
    assert found[fc_name].dead_fraction() is None  # not a ReLU
    assert "50% dead units" in found[relu_name].describe()


def test_saturated_tanh_and_sigmoid() -> None:
    tanh = LayerOutput("t", "Tanh", np.array([[0.0, 0.995, -1.0, 0.5]], dtype=np.float32))
    sigmoid = LayerOutput("s", "Sigmoid", np.array([[0.005, 0.5, 0.5, 0.999]], dtype=np.float32))
    assert tanh.saturated_fraction() == 0.5 and sigmoid.saturated_fraction() == 0.5
    assert LayerOutput("r", "ReLU", np.zeros((1, 4), np.float32)).saturated_fraction() is None


def test_kinds_units_histogram_and_mosaic() -> None:
    maps = LayerOutput("c", "Conv2d", np.random.default_rng(0).standard_normal((3, 5, 4, 4)).astype(np.float32))
    assert maps.kind is OutputKind.FEATURE_MAPS and maps.units().shape == (3, 5)
    counts, edges = maps.histogram(bins=10)
    assert counts.sum() == maps.values.size and len(edges) == 11
    mosaic = feature_map_mosaic(maps, sample=1)
    assert mosaic.shape == (2 * 5 - 1, 3 * 5 - 1)  # 5 maps of 4×4 in 3 columns, 2 rows
    np.testing.assert_allclose(np.nanmax(mosaic[0:4, 0:4]), 1.0)
    sequence = LayerOutput("l", "LSTM", np.zeros((2, 7, 3), np.float32))
    assert sequence.kind is OutputKind.SEQUENCE and sequence.units().shape == (2, 3)
    with pytest.raises(ValueError, match="not feature maps"):
        feature_map_mosaic(sequence)


def test_the_callers_module_is_untouched_and_unknown_names_are_listed() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((3,)), out_features=2)
    g.add("Dropout", fc, p=0.5)
    g.output(fc, loss="mse")
    module = compile_graph(g).train()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    capture(module, None, torch.randn(4, 3))
    assert module.training and all(not m._forward_hooks for m in module.modules())
    for k, v in module.state_dict().items():
        assert torch.equal(v, before[k])
    with pytest.raises(KeyError, match="the layers are: "):
        capture(module, None, torch.randn(4, 3), ["nope"])


def test_embedding_pca_finds_the_spread() -> None:
    rng = np.random.default_rng(1)
    points = np.zeros((200, 5))
    points[:, 0] = 10 * rng.standard_normal(200)  # the widest axis
    points[:, 3] = 2 * rng.standard_normal(200)
    points += 0.01 * rng.standard_normal(points.shape)
    coords, ratio = embedding_pca(points)
    assert coords.shape == (200, 2) and ratio[0] > 0.9 and ratio[1] > 0.03 and ratio.sum() <= 1
    np.testing.assert_allclose(np.abs(np.corrcoef(coords[:, 0], points[:, 0])[0, 1]), 1.0, atol=1e-3)
    np.testing.assert_allclose(coords.mean(axis=0), 0.0, atol=1e-9)
