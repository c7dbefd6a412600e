"""The graph document: every edit returns its exact inverse, listeners hear every change, and a
refused edit changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from netdesigner.core.edits import Connect, Edit, Group, Move, Rename
from netdesigner.core.errors import GraphError, ParamError
from netdesigner.core.events import (
    Edge,
    EdgeAdded,
    EdgeRemoved,
    NodeAdded,
    NodeMoved,
    NodeRemoved,
    NodeRenamed,
    ParamChanged,
)
from netdesigner.core.graph import Graph, OutputRef
from netdesigner.core.project_format import graph_to_json


def mlp() -> Graph:
    """input1 → fc1 → relu1 → fc2 → output1."""
    g = Graph()
    x = g.input((4,))
    h = g.add("ReLU", g.add("Linear", x, out_features=8))
    g.output(g.add("Linear", h, out_features=3))
    return g


def ids(g: Graph, *names: str) -> list[str]:
    return [g.find(n).id for n in names]


def heard(g: Graph) -> list:
    events: list = []
    g.subscribe(events.append)
    return events


def assert_refused(g: Graph, action, match: str, error: type[Exception] = GraphError) -> None:
    """``action`` raises ``error`` matching ``match``, leaves the document as it was, tells no one."""
    before = graph_to_json(g)
    events = heard(g)
    revision = g.revision
    with pytest.raises(error, match=match):
        action()
    assert graph_to_json(g) == before
    assert events == [] and g.revision == revision


# ---- each edit's inverse restores the document ---------------------------------------------
def test_undo_of_add_node_removes_it() -> None:
    g = mlp()
    before = graph_to_json(g)
    undo = g.add_node("Conv2d", {"kernel_size": 5}, name="conv9", position=(10, 20))
    assert g.find("conv9").params["kernel_size"] == (5, 5)
    g.apply(undo)
    assert graph_to_json(g) == before


def test_undo_of_remove_node_restores_the_document() -> None:
    g = mlp()
    before = graph_to_json(g)
    undo = g.remove_node(g.find("relu1").id)
    g.apply(undo)
    assert graph_to_json(g) == before


def test_remove_node_removes_its_edges() -> None:
    g = mlp()
    relu = g.find("relu1").id
    g.remove_node(relu)
    assert relu not in g
    assert all(relu not in (e.src, e.dst) for e in g.edges())
    assert len(g.edges()) == 2


def test_undo_of_remove_puts_the_node_back_at_its_index_with_its_edges() -> None:
    g = mlp()
    relu = g.find("relu1").id
    index = g.node_index(relu)
    edges = [*g.in_edges(relu), *g.out_edges(relu)]
    undo = g.remove_node(relu)
    g.apply(undo)
    assert g.node_index(relu) == index == 2
    assert [*g.in_edges(relu), *g.out_edges(relu)] == edges


def test_undo_of_removing_several_nodes_restores_the_document() -> None:
    g = mlp()
    before = graph_to_json(g)
    undo = g.remove_nodes(ids(g, "fc1", "relu1", "output1"))
    assert [n.name for n in g.nodes()] == ["input1", "fc2"]
    g.apply(undo)
    assert graph_to_json(g) == before


def test_undo_of_connect_restores_edges() -> None:
    g = Graph()
    x = g.input((4,))
    fc = g.add_node("Linear").node_id
    before = graph_to_json(g)
    undo = g.connect(x.node_id, fc)
    assert g.edges() == [Edge(x.node_id, fc)]
    g.apply(undo)
    assert graph_to_json(g) == before and g.edges() == []


def test_undo_of_disconnect_restores_edges() -> None:
    g = mlp()
    before = graph_to_json(g)
    edge = g.in_edges(g.find("relu1").id)[0]
    undo = g.disconnect(edge)
    assert edge not in g.edges()
    g.apply(undo)
    assert graph_to_json(g) == before


def test_undo_of_set_param_restores_the_old_value() -> None:
    g = mlp()
    before = graph_to_json(g)
    fc1 = g.find("fc1").id
    undo = g.set_param(fc1, "out_features", 5)
    assert g.node(fc1).params["out_features"] == 5
    g.apply(undo)
    assert graph_to_json(g) == before


def test_undo_of_rename_restores_the_old_name() -> None:
    g = mlp()
    before = graph_to_json(g)
    fc1 = g.find("fc1").id
    undo = g.rename(fc1, "encoder")
    assert g.find("encoder").id == fc1 and not g.has_name("fc1")
    g.apply(undo)
    assert graph_to_json(g) == before and g.has_name("fc1") and not g.has_name("encoder")


def test_undo_of_move_restores_the_old_position() -> None:
    g = mlp()
    before = graph_to_json(g)
    fc1 = g.find("fc1").id
    undo = g.move(fc1, (12.5, -40))
    assert g.node(fc1).position == (12.5, -40.0)
    g.apply(undo)
    assert graph_to_json(g) == before


def test_redo_of_an_undone_edit_gives_the_edited_document() -> None:
    g = mlp()
    g.rename(g.find("fc2").id, "head")
    undo = g.remove_node(g.find("relu1").id)
    after = graph_to_json(g)
    redo = g.apply(undo)
    g.apply(redo)
    assert graph_to_json(g) == after


def test_a_failing_group_rolls_back_the_edits_before_the_failure() -> None:
    g = mlp()
    fc1 = g.find("fc1").id
    before = graph_to_json(g)
    events = heard(g)
    with pytest.raises(GraphError, match="taken"):
        g.apply(Group((Move(fc1, (50, 50)), Rename(fc1, "input1"))))
    assert graph_to_json(g) == before
    # listeners saw the move and its rollback, so a view ends where the document is
    assert events == [NodeMoved(fc1, (50.0, 50.0)), NodeMoved(fc1, (0.0, 0.0))]


def test_undo_of_a_group_restores_the_document() -> None:
    g = mlp()
    before = graph_to_json(g)
    fc1, fc2 = ids(g, "fc1", "fc2")
    undo = g.apply(Group((Move(fc1, (1, 2)), Rename(fc2, "head"), Move(fc2, (3, 4)))))
    g.apply(undo)
    assert graph_to_json(g) == before


# ---- listeners -----------------------------------------------------------------------------
def test_listeners_hear_an_added_node_and_its_edge() -> None:
    g = Graph()
    x = g.input((4,))
    events = heard(g)
    fc = g.add("Linear", x)
    assert events == [NodeAdded(fc.node_id), EdgeAdded(Edge(x.node_id, fc.node_id))]


def test_listeners_hear_a_param_change_with_the_coerced_value() -> None:
    g = Graph()
    conv = g.add_node("Conv2d").node_id
    events = heard(g)
    g.set_param(conv, "kernel_size", 5)
    assert events == [ParamChanged(conv, "kernel_size", (5, 5))]


def test_listeners_hear_a_rename_with_old_and_new_names() -> None:
    g = mlp()
    fc1 = g.find("fc1").id
    events = heard(g)
    g.rename(fc1, "encoder")
    assert events == [NodeRenamed(fc1, "fc1", "encoder")]


def test_listeners_hear_a_move_with_float_coordinates() -> None:
    g = mlp()
    fc1 = g.find("fc1").id
    events = heard(g)
    g.move(fc1, (3, 4))
    assert events == [NodeMoved(fc1, (3.0, 4.0))]
    assert all(isinstance(v, float) for v in events[0].position)


def test_listeners_hear_the_edges_removed_before_the_node() -> None:
    g = mlp()
    relu = g.find("relu1").id
    edges = [*g.in_edges(relu), *g.out_edges(relu)]
    events = heard(g)
    g.remove_node(relu)
    assert events == [*(EdgeRemoved(e) for e in edges), NodeRemoved(relu, "relu1")]


def test_listeners_hear_the_node_before_its_edges_on_undo_of_remove() -> None:
    g = mlp()
    relu = g.find("relu1").id
    edges = [*g.in_edges(relu), *g.out_edges(relu)]
    undo = g.remove_node(relu)
    events = heard(g)
    g.apply(undo)
    assert events == [NodeAdded(relu), *(EdgeAdded(e) for e in edges)]


def test_listeners_hear_a_disconnect() -> None:
    g = mlp()
    edge = g.edges()[0]
    events = heard(g)
    g.disconnect(edge)
    assert events == [EdgeRemoved(edge)]


def test_unsubscribed_listener_hears_nothing_more() -> None:
    g = mlp()
    events: list = []
    g.subscribe(events.append)
    g.unsubscribe(events.append)
    g.move(g.find("fc1").id, (1, 1))
    assert events == []


def test_every_change_increases_the_revision() -> None:
    g = mlp()
    revision = g.revision
    g.move(g.find("fc1").id, (1, 1))
    assert g.revision == revision + 1


# ---- refused edits change nothing ----------------------------------------------------------
def test_connecting_an_occupied_input_port_is_refused() -> None:
    g = mlp()
    x, relu = ids(g, "input1", "relu1")
    assert_refused(g, lambda: g.connect(x, relu), r"input 'x' of relu1 is already fed by fc1; disconnect it first")


def test_connecting_an_occupied_variadic_port_names_the_port() -> None:
    g = Graph()
    a, b = g.input((3,)), g.input((3,))
    add = g.add("Add", a, b)
    assert_refused(g, lambda: g.connect(a.node_id, add.node_id, 0, 1), r"input 'x2' of add1 is already fed by input2")


def test_connecting_into_a_cycle_is_refused() -> None:
    g = mlp()
    fc2, fc1 = ids(g, "fc2", "fc1")
    g.disconnect(g.in_edges(fc1)[0])
    assert_refused(g, lambda: g.connect(fc2, fc1), r"connecting fc2 to fc1 would make a cycle: fc1 already feeds fc2")


def test_connecting_a_node_to_itself_is_refused() -> None:
    g = Graph()
    add = g.add_node("Add").node_id
    assert_refused(g, lambda: g.connect(add, add, 0, 0), "cycle")


def test_connecting_from_a_missing_output_port_is_refused() -> None:
    g = Graph()
    x = g.input((4, 6))
    split = g.add("Split", x, chunks=2)
    relu = g.add_node("ReLU").node_id
    assert_refused(g, lambda: g.connect(split.node_id, relu, 2, 0), r"split1 has no output 2 \(it has 2\)")


def test_connecting_from_an_output_node_is_refused() -> None:
    g = mlp()
    out, fc = ids(g, "output1", "fc1")
    g.disconnect(g.in_edges(fc)[0])
    assert_refused(g, lambda: g.connect(out, fc), r"output1 has no output 0 \(it has 0\)")


def test_connecting_into_a_missing_input_port_is_refused() -> None:
    g = Graph()
    x = g.input((4,))
    relu = g.add_node("ReLU").node_id
    assert_refused(g, lambda: g.connect(x.node_id, relu, 0, 1), r"relu1 \(ReLU\) has no input 1")


def test_connecting_into_an_input_node_is_refused() -> None:
    g = Graph()
    a, b = g.input((4,)), g.input((4,))
    assert_refused(g, lambda: g.connect(a.node_id, b.node_id), r"input2 \(Input\) has no input 0")


def test_connecting_a_missing_node_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.connect("n99", g.find("fc1").id), "no node with id 'n99'")


def test_disconnecting_a_missing_edge_is_refused() -> None:
    g = mlp()
    x, relu = ids(g, "input1", "relu1")
    assert_refused(g, lambda: g.disconnect(Edge(x, relu)), "no such connection")


def test_adding_a_node_with_a_taken_name_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.add_node("ReLU", name="fc1"), r"the name 'fc1' is taken by another node")


def test_renaming_to_a_taken_name_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.rename(g.find("fc2").id, "fc1"), "taken")


@pytest.mark.parametrize("name", ["2fc", "_fc", "class", "forward", "a b", ""])
def test_renaming_to_an_invalid_name_is_refused(name: str) -> None:
    g = mlp()
    assert_refused(g, lambda: g.rename(g.find("fc1").id, name), "name|keyword|reserved")


def test_renaming_to_its_own_name_changes_nothing() -> None:
    g = mlp()
    events = heard(g)
    g.rename(g.find("fc1").id, "fc1")
    assert events == []


def test_adding_a_node_with_an_existing_id_is_refused() -> None:
    g = mlp()
    existing = g.find("fc1").id
    assert_refused(g, lambda: g.add_node("ReLU", node_id=existing), f"a node with id {existing!r} exists already")


def test_adding_a_node_of_an_unknown_type_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.add_node("Dense"), "unknown layer type 'Dense'")


def test_setting_an_invalid_value_is_refused() -> None:
    g = mlp()
    fc1 = g.find("fc1").id
    assert_refused(g, lambda: g.set_param(fc1, "out_features", 0), r"out_features must be an integer ≥ 1", ParamError)


def test_setting_an_unknown_parameter_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.set_param(g.find("fc1").id, "units", 3), "no parameter 'units'", ParamError)


def test_adding_a_node_with_an_invalid_value_is_refused() -> None:
    g = mlp()
    assert_refused(g, lambda: g.add_node("Conv2d", {"kernel_size": [3, 3, 3]}), "kernel_size must be 2 integers", ParamError)


def test_add_with_an_unusable_source_leaves_no_node_behind() -> None:
    g = mlp()
    before = graph_to_json(g)
    with pytest.raises(GraphError, match="has no output 0"):
        g.add("ReLU", OutputRef(g.find("output1").id))
    assert graph_to_json(g) == before


def test_undo_of_removing_a_split_brings_back_a_wire_its_lowered_chunks_left() -> None:
    g = branching()
    split = g.find("split1").id
    g.set_param(split, "chunks", 2)  # the wire from output 2 to concat1 is now stale
    before = graph_to_json(g)
    undo = g.remove_node(split)
    g.apply(undo)
    assert graph_to_json(g) == before


def test_undo_of_disconnecting_a_stale_wire_restores_it() -> None:
    g = branching()
    split = g.find("split1").id
    g.set_param(split, "chunks", 1)
    before = graph_to_json(g)
    stale = g.in_edges(g.find("relu1").id)[0]
    g.apply(g.disconnect(stale))
    assert graph_to_json(g) == before


def test_a_new_wire_from_a_port_that_lowered_chunks_removed_is_refused() -> None:
    g = branching()
    split = g.find("split1").id
    g.set_param(split, "chunks", 2)
    relu = g.add_node("ReLU").node_id
    assert_refused(g, lambda: g.connect(split, relu, 2, 0), r"split1 has no output 2 \(it has 2\)")


# ---- reading -------------------------------------------------------------------------------
def test_topological_order_breaks_ties_by_document_order() -> None:
    g = Graph()
    x = g.input((3,))
    b = g.add("ReLU", x, name="b")
    a = g.add("Tanh", x, name="a")
    g.output(g.add("Add", a, b, name="sum"))
    assert [g.node(n).name for n in g.topological_order()] == ["input1", "b", "a", "sum", "output1"]


def test_in_edges_come_in_port_order() -> None:
    g = Graph()
    a, b, c = g.input((3,)), g.input((3,)), g.input((3,))
    add = g.add_node("Add").node_id
    for port, src in [(2, c), (0, a), (1, b)]:
        g.connect(src.node_id, add, 0, port)
    assert [e.src for e in g.in_edges(add)] == [a.node_id, b.node_id, c.node_id]


def test_layer_ref_indexes_the_output_ports() -> None:
    g = Graph()
    split = g.add("Split", g.input((4,)), chunks=2)
    assert [r.port for r in split] == [0, 1]
    with pytest.raises(IndexError, match="split1 has 2 outputs"):
        split[2]


def test_default_names_count_up_per_prefix() -> None:
    g = mlp()
    fc = g.add_node("Linear").node_id
    conv = g.add_node("Conv2d").node_id
    assert g.node(fc).name == "fc3" and g.node(conv).name == "conv1"


def test_node_ids_are_never_reused_after_a_removal() -> None:
    g = mlp()
    last = g.node_ids()[-1]
    g.remove_node(last)
    assert g.add_node("ReLU").node_id != last


# ---- the property: undo all, redo all ------------------------------------------------------
TYPES = ["Linear", "ReLU", "Add", "Split", "Concat", "Output"]
TUNABLE = {"Linear": "out_features", "Split": "chunks", "Concat": "dim"}
NAMES = ["alpha", "beta", "fc1", "2bad", "forward", "_x"]

operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(TYPES)),
    # a port of None means the last output of the source, or the first free input of the target
    st.tuples(st.just("connect"), st.integers(0, 7), st.integers(0, 7), st.none() | st.integers(0, 2), st.none() | st.integers(0, 2)),
    st.tuples(st.just("disconnect"), st.integers(0, 9)),
    st.tuples(st.just("set_param"), st.integers(0, 7), st.integers(0, 4)),
    st.tuples(st.just("rename"), st.integers(0, 7), st.sampled_from(NAMES)),
    st.tuples(st.just("move"), st.integers(0, 7), st.integers(-500, 500), st.integers(-500, 500)),
    st.tuples(st.just("remove"), st.integers(0, 7)),
)


def branching() -> Graph:
    """A Split wired from every port, so lowering its chunks leaves stale wires to undo around."""
    g = Graph()
    parts = g.add("Split", g.input((6,)), chunks=3)
    g.output(g.add("Linear", g.add("ReLU", parts[1]), out_features=4), loss="mse")
    g.output(g.add("Concat", parts[0], parts[2]), loss="mse")
    return g


def _pick(graph: Graph, index: int) -> str | None:
    nodes = graph.node_ids()
    return nodes[index % len(nodes)] if nodes else None


def _free_port(graph: Graph, node_id: str) -> int:
    """The first input port of ``node_id`` with no wire (0 if it has none free)."""
    t = graph.node(node_id).layer_type
    taken = {e.dst_port for e in graph.in_edges(node_id)}
    ports = range(len(taken) + 1) if t.variadic else range(len(t.inputs))
    return next((p for p in ports if p not in taken), 0)


def _perform(graph: Graph, op: tuple) -> Edit | None:
    """Performs one random operation; returns its inverse, or None if it was refused."""
    kind = op[0]
    try:
        if kind == "add":
            return graph.add_node(op[1])
        if kind == "disconnect":
            edges = graph.edges()
            return graph.disconnect(edges[op[1] % len(edges)]) if edges else None
        node = _pick(graph, op[1])
        if node is None:
            return None
        if kind == "connect":
            dst = _pick(graph, op[2])
            port = _free_port(graph, dst) if op[4] is None else op[4]
            src_port = max(graph.node(node).output_count() - 1, 0) if op[3] is None else op[3]
            return graph.connect(node, dst, src_port, port)
        if kind == "set_param":
            tunable = [n.id for n in graph.nodes() if n.type in TUNABLE]
            if not tunable:
                return None
            node = tunable[op[1] % len(tunable)]
            return graph.set_param(node, TUNABLE[graph.node(node).type], op[2])
        if kind == "rename":
            return graph.rename(node, op[2])
        if kind == "move":
            return graph.move(node, (op[2], op[3]))
        if kind == "remove":
            return graph.remove_node(node)
    except GraphError:
        return None
    raise AssertionError(kind)


@settings(max_examples=50, deadline=None)
@given(st.lists(operation, min_size=1, max_size=30))
@example([("set_param", 0, 2), ("remove", 1)])  # remove a Split whose lowered chunks left a stale wire
@example([("set_param", 0, 1), ("disconnect", 1)])  # disconnect a stale wire
def test_undoing_every_edit_in_reverse_restores_the_document_and_redo_replays_it(ops: list[tuple]) -> None:
    graph = branching()
    states = [graph_to_json(graph)]
    inverses: list[Edit] = []
    for op in ops:
        before = graph_to_json(graph)
        inverse = _perform(graph, op)
        if inverse is None:
            assert graph_to_json(graph) == before, f"the refused {op} changed the document"
            continue
        inverses.append(inverse)
        states.append(graph_to_json(graph))

    redos: list[Edit] = []
    for inverse, state in zip(reversed(inverses), reversed(states), strict=False):
        assert graph_to_json(graph) == state
        redos.append(graph.apply(inverse))
    assert graph_to_json(graph) == states[0]

    for redo in reversed(redos):
        graph.apply(redo)
    assert graph_to_json(graph) == states[-1]


def test_connect_restoring_is_how_undo_restores_a_loaded_cycle() -> None:
    g = mlp()
    fc1, fc2 = ids(g, "fc1", "fc2")
    g.disconnect(g.in_edges(fc1)[0])
    before = graph_to_json(g)
    undo = g.apply(Connect(Edge(fc2, fc1), restoring=True))
    assert g.would_create_cycle(fc1, fc2)
    g.apply(undo)
    assert graph_to_json(g) == before
