"""Validation names each problem a person can act on, tied to the node or edge it concerns."""

from __future__ import annotations

from netdesigner.core.edits import Connect
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph, OutputRef
from netdesigner.core.validation import Problem, Severity, errors, validate


def mlp() -> Graph:
    g = Graph()
    g.output(g.add("Linear", g.add("ReLU", g.add("Linear", g.input((4,)), out_features=8)), out_features=3))
    return g


def by_node(g: Graph, problems: list[Problem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in problems:
        key = g.node(p.node_id).name if p.node_id else "-"
        found.setdefault(key, []).append(f"{p.severity.value}: {p.message}")
    return found


def test_a_complete_graph_has_no_problems() -> None:
    assert validate(mlp()) == []


def test_an_empty_graph_lacks_input_and_output() -> None:
    messages = [p.message for p in validate(Graph())]
    assert messages == ["the model has no Input layer", "the model has no Output layer"]


def test_a_graph_without_input_is_an_error() -> None:
    g = mlp()
    g.remove_node(g.find("input1").id)
    problems = errors(validate(g))
    assert any(p.message == "the model has no Input layer" and p.node_id is None for p in problems)


def test_a_graph_without_output_is_an_error() -> None:
    g = mlp()
    g.remove_node(g.find("output1").id)
    assert "the model has no Output layer" in [p.message for p in errors(validate(g))]


def test_a_cycle_is_an_error_on_each_of_its_nodes_naming_the_path() -> None:
    g = Graph()
    x = g.input((4,))
    add = g.add_node("Add", name="mix").node_id
    g.connect(x.node_id, add, 0, 0)
    fc = g.add_node("Linear", {"out_features": 4}, name="fc").node_id
    g.connect(add, fc)
    g.apply(Connect(Edge(fc, add, 0, 1), restoring=True))
    g.output(g.add("ReLU", x))
    cycle = [p for p in errors(validate(g)) if "cycle" in p.message]
    assert {p.node_id for p in cycle} == {add, fc}
    assert all("part of a cycle:" in p.message and "mix" in p.message and "fc" in p.message for p in cycle)


def test_an_unconnected_required_input_is_an_error_naming_the_port() -> None:
    g = mlp()
    relu = g.find("relu1").id
    g.disconnect(g.in_edges(relu)[0])
    found = by_node(g, validate(g))
    assert "error: input 'x' is not connected" in found["relu1"]


def test_an_unconnected_named_port_is_named() -> None:
    g = Graph()
    z = g.add("Reparameterize", g.input((3,)))  # only the mean is connected
    g.output(z)
    problems = [p for p in errors(validate(g)) if p.node_id == z.node_id]
    assert [p.message for p in problems] == ["input 'logvar' is not connected"]


def test_a_variadic_layer_with_too_few_inputs_is_an_error() -> None:
    g = Graph()
    x = g.input((4,))
    g.output(g.add("Concat", x))
    found = by_node(g, validate(g))
    assert "error: needs at least 2 inputs, has 1" in found["concat1"]


def test_an_edge_from_a_port_that_disappeared_is_an_edge_problem() -> None:
    g = Graph()
    x = g.input((6,))
    parts = g.add("Split", x, chunks=3)
    g.output(g.add("Concat", parts[0], parts[2]))
    g.set_param(parts.node_id, "chunks", 2)  # output 2 is gone; its wire stays
    (stale,) = [p for p in validate(g) if p.edge is not None]
    assert stale.severity is Severity.ERROR and stale.node_id is None
    assert stale.edge == Edge(parts.node_id, g.find("concat1").id, 2, 1)
    assert stale.describe(g) == (
        "error: split1 → concat1: split1 has no output 2 any more (2 outputs); reconnect or remove this wire"
    )


def test_a_dangling_branch_is_a_warning() -> None:
    g = mlp()
    g.add("Tanh", _ref(g, "relu1"), name="dangling")
    found = by_node(g, validate(g))
    assert found == {"dangling": ["warning: does not lead to an Output, so it is left out of the model"]}


def test_a_node_unreachable_from_any_input_is_a_warning() -> None:
    g = mlp()
    g.add_node("Linear", name="orphan")
    relu = g.add("ReLU", _ref(g, "orphan"), name="after")
    g.output(relu, name="second")
    found = by_node(g, validate(g))
    assert found["orphan"] == ["error: input 'x' is not connected"]
    assert found["after"] == ["warning: not reachable from an Input: something upstream is unconnected"]
    assert found["second"] == found["after"]  # everything downstream of the gap is told


def test_warnings_alone_are_not_errors() -> None:
    g = mlp()
    g.add("Tanh", _ref(g, "relu1"))
    problems = validate(g)
    assert problems and errors(problems) == []


def test_shape_errors_are_errors_with_the_node_id() -> None:
    g = Graph()
    x = g.input((4,))
    add = g.add("Add", g.add("Linear", x, out_features=3), g.add("Linear", x, out_features=5))
    g.output(add)
    (problem,) = validate(g)
    assert problem.severity is Severity.ERROR and problem.node_id == add.node_id
    assert "(3,)" in problem.message and problem.message.endswith("(input from fc1, fc2)")


def test_problem_describe_names_the_node_and_type() -> None:
    g = mlp()
    fc = g.find("fc1").id
    assert Problem(Severity.WARNING, "look", node_id=fc).describe(g) == "warning: fc1 (Linear): look"
    assert Problem(Severity.ERROR, "whole").describe(g) == "error: whole"


def _ref(g: Graph, name: str) -> OutputRef:
    return OutputRef(g.find(name).id)
