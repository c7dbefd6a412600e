"""Incremental shape inference, messages that say where numbers come from, and weight-keeping recompiles."""

from __future__ import annotations

import torch

from netdesigner.core.compiler import compile_graph, compiled_info
from netdesigner.core.graph import Graph
from netdesigner.core.shapes import ShapeInference
from netdesigner.core.validation import Severity, errors, validate


def chain(length: int = 30) -> Graph:
    g = Graph()
    h = g.input((8,))
    for i in range(length):
        h = g.add("Linear", h, out_features=8) if i % 2 == 0 else g.add("ReLU", h)
    g.output(h, loss="mse")
    return g


def test_edit_near_the_end_recomputes_only_the_nodes_downstream() -> None:
    g = chain()
    inference = ShapeInference(g)
    assert len(inference.run().recomputed) == len(g)
    target = g.find("fc14")
    g.set_param(target.id, "out_features", 5)
    recomputed = [g.node(n).name for n in inference.run().recomputed]
    # fc15 gets a (5,) input but still gives (8,), so nothing after it changes
    assert recomputed == ["fc14", "relu14", "fc15"]


def test_moving_a_node_recomputes_nothing() -> None:
    g = chain()
    inference = ShapeInference(g)
    inference.run()
    g.move(g.find("fc3").id, (300.0, 40.0))
    assert inference.run().recomputed == []


def test_shapes_after_an_edit_match_a_fresh_inference() -> None:
    g = chain()
    inference = ShapeInference(g)
    inference.run()
    g.set_param(g.find("fc1").id, "out_features", 3)
    incremental = inference.run()
    fresh = ShapeInference(g).run()
    assert incremental.nodes == fresh.nodes


def test_kernel_too_large_message_names_sizes_and_where_the_input_comes_from() -> None:
    g = Graph()
    x = g.input((1, 8, 8), name="image")
    h = g.add("MaxPool2d", x, name="pool", kernel_size=4)
    h = g.add("Conv2d", h, name="conv", out_channels=4, kernel_size=3)
    g.output(h)
    (problem,) = errors(validate(g))
    text = problem.describe(g)
    assert "conv (Conv2d)" in text and "3×3" in text and "2×2" in text and "from pool" in text


def test_linear_on_token_ids_says_to_use_an_embedding() -> None:
    g = Graph()
    g.output(g.add("Linear", g.input((5,), "int64")))
    (problem,) = errors(validate(g))
    assert "Embedding" in problem.message


def test_add_of_different_shapes_names_both() -> None:
    g = Graph()
    x = g.input((4,))
    a = g.add("Linear", x, out_features=3)
    b = g.add("Linear", x, out_features=5)
    g.output(g.add("Add", a, b))
    (problem,) = errors(validate(g))
    assert "(3,)" in problem.message and "(5,)" in problem.message


def test_structural_problems_are_reported_per_node_and_edge() -> None:
    g = Graph()
    x = g.input((4, 6))
    parts = g.add("Split", x, chunks=3)
    fc = g.add("Linear", parts[2])
    g.output(fc)
    g.add("ReLU", parts[0], name="dangling")
    g.add_node("Add", name="lonely")
    g.set_param(parts.node_id, "chunks", 2)  # the wire from output 2 is now stale
    problems = validate(g)
    by_kind = {(p.severity, p.node_id is None, p.edge is None) for p in problems}
    assert (Severity.ERROR, True, False) in by_kind  # the stale wire is an edge problem
    messages = " | ".join(p.describe(g) for p in problems)
    assert "no output 2" in messages
    assert "lonely (Add): needs at least 2 inputs" in messages
    assert "dangling (ReLU): does not lead to an Output" in messages


def test_recompile_keeps_weights_of_unchanged_layers_and_rebuilds_the_edited_one() -> None:
    g = Graph()
    x = g.input((6,))
    fc1 = g.add("Linear", x, out_features=5)
    fc2 = g.add("Linear", g.add("ReLU", fc1), out_features=4)
    g.output(g.add("Linear", fc2, out_features=3))
    first = compile_graph(g)
    g.set_param(fc2.node_id, "out_features", 7)
    second = compile_graph(g, previous=first)
    assert second.fc1.weight is first.fc1.weight
    assert second.fc2.weight.shape == (7, 5)
    assert second.fc3.weight.shape == (3, 7)  # its input changed, so it is rebuilt too
    assert sorted(compiled_info(second).reused) == ["fc1", "relu1"]


def test_rename_keeps_the_weights_under_the_new_name() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((6,)), out_features=5)
    g.output(fc)
    first = compile_graph(g)
    g.rename(fc.node_id, "encoder")
    second = compile_graph(g, previous=first)
    assert torch.equal(second.state_dict()["encoder.weight"], first.state_dict()["fc1.weight"])


def test_several_inputs_and_outputs_follow_document_order() -> None:
    g = Graph()
    a = g.input((3,), name="left")
    b = g.input((3,), name="right")
    g.output(g.add("Add", a, b), name="total", loss="mse")
    g.output(g.add("Multiply", a, b), name="product", loss="mse")
    module = compile_graph(g)
    left, right = torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[4.0, 5.0, 6.0]])
    total, product = module(left, right)
    assert torch.equal(total, left + right) and torch.equal(product, left * right)
    assert compiled_info(module).input_names == ["left", "right"]
    assert compiled_info(module).output_names == ["total", "product"]
    assert "def forward(self, left, right)" in module.code


def test_sharing_identical_layers_gives_the_same_shapes_as_measuring_each() -> None:
    from netdesigner.bench import resnet18_graph

    g = resnet18_graph()
    shared = ShapeInference(g).run()
    each = ShapeInference(g, share_identical=False).run()
    assert shared.nodes == each.nodes
    assert shared.total_params == 11_689_512
