"""Auto-layout reads top to bottom, puts parallel branches side by side, and is one undoable edit."""

from __future__ import annotations

from netdesigner.core.edits import Connect
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph
from netdesigner.core.layout import COLUMN_WIDTH, ROW_HEIGHT, auto_layout, layout_edit
from netdesigner.core.project_format import graph_to_json


def residual_block() -> Graph:
    """input → conv_a → relu → conv_b → add ← skip ← input; add → output."""
    g = Graph()
    x = g.input((4, 8, 8))
    h = g.add("Conv2d", x, name="conv_a", out_channels=4, kernel_size=3, padding=1)
    h = g.add("ReLU", h, name="relu")
    h = g.add("Conv2d", h, name="conv_b", out_channels=4, kernel_size=3, padding=1)
    skip = g.add("Conv2d", x, name="skip", out_channels=4, kernel_size=1)
    g.output(g.add("Add", h, skip, name="add"))
    return g


def layout_by_name(g: Graph) -> dict[str, tuple[float, float]]:
    return {g.node(n).name: p for n, p in auto_layout(g).items()}


def test_every_node_gets_a_position() -> None:
    g = residual_block()
    assert set(auto_layout(g)) == set(g.node_ids())


def test_each_node_sits_in_a_row_below_all_its_inputs() -> None:
    g = residual_block()
    positions = auto_layout(g)
    for edge in g.edges():
        assert positions[edge.dst][1] > positions[edge.src][1], f"{edge} does not point down"


def test_a_node_sits_one_row_below_its_deepest_input() -> None:
    at = layout_by_name(residual_block())
    assert at["add"][1] == at["conv_b"][1] + ROW_HEIGHT
    assert at["input1"][1] == 0.0


def test_a_skip_branch_sits_beside_the_main_path() -> None:
    at = layout_by_name(residual_block())
    assert at["skip"][1] == at["conv_a"][1]
    assert at["skip"][0] != at["conv_a"][0]
    assert abs(at["skip"][0] - at["conv_a"][0]) == COLUMN_WIDTH


def test_a_chain_is_one_straight_column() -> None:
    g = Graph()
    g.output(g.add("ReLU", g.add("Linear", g.input((4,)))))
    assert {x for x, _ in auto_layout(g).values()} == {0.0}


def test_nodes_on_a_cycle_go_in_a_last_row_without_crashing() -> None:
    g = residual_block()
    a, b = g.add_node("ReLU", name="ring_a").node_id, g.add_node("Tanh", name="ring_b").node_id
    g.connect(a, b)
    g.apply(Connect(Edge(b, a), restoring=True))
    positions = auto_layout(g)
    lowest = max(y for n, (_, y) in positions.items() if n not in (a, b))
    assert positions[a][1] == positions[b][1] > lowest


def test_layout_edit_moves_the_nodes_to_their_layout() -> None:
    g = residual_block()
    layout_edit(g).apply(g)
    assert {n.id: n.position for n in g.nodes()} == auto_layout(g)


def test_layout_edit_is_undoable() -> None:
    g = residual_block()
    g.move(g.find("relu").id, (37, -12))
    before = graph_to_json(g)
    undo = g.apply(layout_edit(g))
    assert graph_to_json(g) != before
    g.apply(undo)
    assert graph_to_json(g) == before


def test_layout_edit_of_a_laid_out_graph_moves_nothing() -> None:
    g = residual_block()
    g.apply(layout_edit(g))
    assert layout_edit(g).edits == ()
