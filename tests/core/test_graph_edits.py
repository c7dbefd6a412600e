"""Every edit returns its inverse: undo restores the document exactly, redo replays it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netdesigner.core.edits import Edit
from netdesigner.core.errors import GraphError
from netdesigner.core.graph import Graph
from netdesigner.core.project_format import graph_to_json

TYPES = ["Linear", "ReLU", "Add", "Split", "Concat", "Output"]

operation = st.one_of(
    st.tuples(st.just("connect"), st.integers(0, 20), st.integers(0, 20), st.just(0), st.just(0)),
    st.tuples(st.just("add"), st.sampled_from(TYPES)),
    st.tuples(st.just("connect"), st.integers(0, 20), st.integers(0, 20), st.sampled_from([0, 0, 0, 1]), st.sampled_from([0, 0, 0, 1])),
    st.tuples(st.just("disconnect"), st.integers(0, 30)),
    st.tuples(st.just("set_param"), st.integers(0, 20), st.integers(1, 4)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(["alpha", "beta", "conv1", "1bad", "forward"])),
    st.tuples(st.just("move"), st.integers(0, 20), st.floats(-500, 500), st.floats(-500, 500)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
)


def _pick(graph: Graph, index: int) -> str | None:
    ids = graph.node_ids()
    return ids[index % len(ids)] if ids else None


def _perform(graph: Graph, op: tuple) -> Edit | None:
    """Performs one random operation; refused ones (GraphError) must change nothing."""
    kind = op[0]
    try:
        if kind == "add":
            return graph.add_node(op[1])
        node = _pick(graph, op[1]) if kind != "disconnect" else None
        if kind == "connect":
            other = _pick(graph, op[2])
            if node is None or other is None:
                return None
            return graph.connect(node, other, op[3], op[4])
        if kind == "disconnect":
            edges = graph.edges()
            return graph.disconnect(edges[op[1] % len(edges)]) if edges else None
        if node is None:
            return None
        if kind == "set_param":
            t = graph.node(node).layer_type
            if t.name == "Linear":
                return graph.set_param(node, "out_features", op[2])
            if t.name == "Split":
                return graph.set_param(node, "chunks", op[2])
            return None
        if kind == "rename":
            return graph.rename(node, op[2])
        if kind == "move":
            return graph.move(node, (op[2], op[3]))
        if kind == "remove":
            return graph.remove_node(node)
    except GraphError:
        return None
    raise AssertionError(kind)


@settings(max_examples=120, deadline=None)
@given(st.lists(operation, min_size=1, max_size=25))
def test_undo_of_every_edit_restores_the_document_and_redo_replays_it(ops: list[tuple]) -> None:
    graph = Graph()
    graph.input((4,))
    states = [graph_to_json(graph)]
    inverses: list[Edit] = []
    for op in ops:
        before = graph_to_json(graph)
        inverse = _perform(graph, op)
        if inverse is None:
            assert graph_to_json(graph) == before, f"refused {op} changed the document"
            continue
        inverses.append(inverse)
        states.append(graph_to_json(graph))

    redos: list[Edit] = []
    for inverse, state in zip(reversed(inverses), reversed(states[1:]), strict=True):
        assert graph_to_json(graph) == state
        redos.append(graph.apply(inverse))
    assert graph_to_json(graph) == states[0]

    for redo in reversed(redos):
        graph.apply(redo)
    assert graph_to_json(graph) == states[-1]


def test_listeners_hear_every_change_and_its_undo() -> None:
    graph = Graph()
    heard: list[str] = []
    graph.subscribe(lambda event: heard.append(type(event).__name__))
    x = graph.input((4,))
    fc = graph.add("Linear", x)
    undo = graph.set_param(fc.node_id, "out_features", 3)
    graph.apply(undo)
    undo_remove = graph.remove_node(fc.node_id)
    graph.apply(undo_remove)
    assert heard == [
        "NodeAdded", "NodeAdded", "EdgeAdded",
        "ParamChanged", "ParamChanged",
        "EdgeRemoved", "NodeRemoved",
        "NodeAdded", "EdgeAdded",
    ]


def test_undo_of_remove_puts_the_node_back_in_its_place_with_its_wires() -> None:
    graph = Graph()
    x = graph.input((4,))
    a = graph.add("Linear", x, name="a")
    graph.add("ReLU", a, name="b")
    before = graph_to_json(graph)
    undo = graph.remove_node(a.node_id)
    assert [n.name for n in graph.nodes()] == ["input1", "b"] and not graph.edges()
    graph.apply(undo)
    assert graph_to_json(graph) == before


def test_a_failing_group_edit_changes_nothing() -> None:
    from netdesigner.core.edits import Group, Move, Rename

    graph = Graph()
    x = graph.input((4,))
    fc = graph.add("Linear", x, name="fc")
    before = graph_to_json(graph)
    try:
        graph.apply(Group((Move(fc.node_id, (50, 50)), Rename(fc.node_id, "input1"))))
    except GraphError as e:
        assert "taken" in str(e)
    else:
        raise AssertionError("renaming to a taken name must be refused")
    assert graph_to_json(graph) == before
