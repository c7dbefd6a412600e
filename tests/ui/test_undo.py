"""Undo is exact: any sequence of edits, undone, gives back the document it started from.

Two ways in: random sequences of every kind of edit pushed through the window's undo stack
(a hypothesis property, with undo and redo interleaved), and a 30-step session made with real
mouse gestures where the canvas has them. Both compare the whole document, field by field,
and check that the scene shows exactly the document at every stop.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication
from ui_gestures import PROJECTS, drag

from netdesigner.core.catalog import all_types, layer_type
from netdesigner.core.edits import (
    AddNode,
    Connect,
    Disconnect,
    Edit,
    Group,
    Move,
    RemoveNode,
    Rename,
    SetParam,
)
from netdesigner.core.errors import GraphError
from netdesigner.core.events import Edge
from netdesigner.core.fragment import copy_fragment, paste_edit, read_fragment
from netdesigner.core.graph import Graph
from netdesigner.core.layout import layout_edit
from netdesigner.core.params import Param, ParamKind
from netdesigner.core.project_format import graph_to_json
from netdesigner.core.shapes import ShapeInference
from netdesigner.ui.commands import push_edit
from netdesigner.ui.main_window import MainWindow

TYPE_NAMES = [t.name for t in all_types()]


# ---- what "the same document" means --------------------------------------------------------
def snapshot(graph: Graph) -> tuple:
    """Everything the document holds: the file form, and each field as the graph keeps it
    (ids, names, types, parameters, exact positions, edges with their ports, node order)."""
    nodes = [(n.id, n.name, n.type, dict(n.params), n.position) for n in graph.nodes()]
    return graph_to_json(graph), nodes, graph.edges()


def assert_same_document(graph: Graph, expected: tuple) -> None:
    got = snapshot(graph)
    assert got[1] == expected[1], "nodes (id, name, type, params, position) differ"
    assert got[2] == expected[2], "edges (with ports) differ"
    assert got[0] == expected[0], "graph_to_json differs"


def assert_scene_shows_document(window: MainWindow) -> None:
    scene, graph = window.scene, window.project.graph
    assert set(scene.node_items) == set(graph.node_ids())
    assert set(scene.edge_items) == set(graph.edges())
    for node_id, item in scene.node_items.items():
        assert (item.pos().x(), item.pos().y()) == graph.node(node_id).position
    for edge, item in scene.edge_items.items():  # every wire leaves the port it belongs to
        start = scene.node_items[edge.src].output_port_pos(edge.src_port)
        assert (item.path().pointAtPercent(0.0) - start).manhattanLength() < 1e-6


def assert_shapes_follow(window: MainWindow) -> None:
    """After the scene's deferred refresh: the incremental report equals a fresh inference,
    and every edge label shows its tensor."""
    QApplication.processEvents()
    scene, graph = window.scene, window.project.graph
    assert scene.report.nodes == ShapeInference(graph).run().nodes
    for edge, item in scene.edge_items.items():
        tensor = scene.report.edge_tensor(edge)
        assert item.label.text() == (str(tensor) if tensor else "")


# ---- random edits ----------------------------------------------------------------------
class Chooser(Protocol):
    """Where the random choices come from: hypothesis (which shrinks a failing sequence) or a
    seeded ``random.Random`` (for sequences far longer than hypothesis draws comfortably)."""

    def pick(self, options: Sequence[Any]) -> Any: ...
    def integer(self, lo: int, hi: int) -> int: ...
    def real(self, lo: float, hi: float) -> float: ...
    def identifier(self) -> str: ...
    def subset(self, options: Sequence[Any], lo: int, hi: int) -> list[Any]: ...


class HypothesisChooser:
    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def pick(self, options: Sequence[Any]) -> Any:
        return self.data.draw(st.sampled_from(list(options)))

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def real(self, lo: float, hi: float) -> float:
        return self.data.draw(st.floats(lo, hi, allow_nan=False))

    def identifier(self) -> str:
        return self.data.draw(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True))

    def subset(self, options: Sequence[Any], lo: int, hi: int) -> list[Any]:
        return self.data.draw(st.lists(st.sampled_from(list(options)), min_size=lo, max_size=hi, unique=True))


class RandomChooser:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.rng.choice(list(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def real(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def identifier(self) -> str:
        letters = "abcdefghijklmnopqrstuvwxyz"
        return self.rng.choice(letters) + "".join(self.rng.choice(letters + "0123456789_") for _ in range(self.rng.randint(0, 10)))

    def subset(self, options: Sequence[Any], lo: int, hi: int) -> list[Any]:
        return self.rng.sample(list(options), self.rng.randint(lo, min(hi, len(options))))


def valid_value(c: Chooser, p: Param) -> Any:
    """Values the declaration accepts (kept small: sizes a person would type)."""
    lo = p.minimum if p.minimum is not None else -8
    hi = p.maximum if p.maximum is not None else lo + 64
    if p.kind is ParamKind.INT:
        return c.integer(int(lo), int(min(hi, lo + 40)))
    if p.kind is ParamKind.FLOAT:
        return c.real(float(lo), float(min(hi, lo + 4)))
    if p.kind is ParamKind.BOOL:
        return c.pick([False, True])
    if p.kind is ParamKind.CHOICE:
        return c.pick(p.choices)
    assert p.kind is ParamKind.INT_TUPLE
    if p.keywords and c.pick([False, True]):
        return c.pick(p.keywords)
    length = p.length or c.integer(1, 4)
    return tuple(c.integer(int(lo), int(min(hi, lo + 9))) for _ in range(length))


def invalid_value(p: Param) -> Any:
    if p.kind in (ParamKind.INT, ParamKind.FLOAT) and p.minimum is not None:
        return p.minimum - 1
    return {ParamKind.BOOL: "yes", ParamKind.CHOICE: "no such choice"}.get(p.kind, object())


def draw_node(c: Chooser, graph: Graph) -> str:
    ids = graph.node_ids()
    return c.pick(ids) if ids else "n_missing"


def draw_name(c: Chooser, graph: Graph, prefix: str) -> str:
    kind = c.integer(0, 3)
    if kind == 0:
        return graph.unique_name(prefix)
    if kind == 1:
        return c.identifier()  # may be a keyword or taken: refused
    if kind == 2:
        return c.pick([n.name for n in graph.nodes()] or ["x"])  # taken: refused
    return c.pick(["", "9lives", "forward"])  # invalid or reserved: refused


def draw_position(c: Chooser) -> tuple[float, float]:
    return (c.integer(-4000, 4000) / 4, c.integer(-4000, 4000) / 4)


def edit_add(c: Chooser, graph: Graph) -> Edit:
    t = layer_type(c.pick(TYPE_NAMES))
    params = {}
    if t.params and c.pick([False, True]):
        p = c.pick(t.params)
        params[p.name] = valid_value(c, p)
    node_id = c.pick([graph.new_id(), graph.new_id(), *graph.node_ids()[:1]])
    index = c.pick([None, c.integer(0, len(graph))])
    return AddNode(node_id, t.name, draw_name(c, graph, t.prefix), params, draw_position(c), index)


def edit_remove(c: Chooser, graph: Graph) -> Edit:
    return RemoveNode(draw_node(c, graph))


def edit_connect(c: Chooser, graph: Graph) -> Edit:
    src, dst = draw_node(c, graph), draw_node(c, graph)
    if src not in graph or dst not in graph:
        return Connect(Edge(src, dst))
    src_port = c.integer(0, graph.node(src).output_count())  # the last one is refused
    t = graph.node(dst).layer_type
    taken = {e.dst_port for e in graph.in_edges(dst)}
    if t.variadic:
        free = [max(taken, default=-1) + 1]
    else:
        free = [p for p in range(len(t.inputs)) if p not in taken] or [0]
    dst_port = c.pick(free) if c.pick([False, True]) else c.integer(0, len(t.inputs) + 1)
    return Connect(Edge(src, dst, src_port, dst_port))


def edit_disconnect(c: Chooser, graph: Graph) -> Edit:
    edges = graph.edges()
    edge = c.pick(edges) if edges else Edge("n1", "n2")
    if c.integer(0, 9) == 0:
        edge = Edge(edge.src, edge.dst, edge.src_port, edge.dst_port + 7)  # no such wire: refused
    return Disconnect(edge)


def edit_set_param(c: Chooser, graph: Graph) -> Edit:
    with_params = [n.id for n in graph.nodes() if n.layer_type.params]
    if not with_params:
        return SetParam(draw_node(c, graph), "nope", 1)
    node = graph.node(c.pick(with_params))
    p = c.pick(node.layer_type.params)
    kind = c.integer(0, 9)
    if kind == 0:
        return SetParam(node.id, p.name, invalid_value(p))
    if kind == 1:
        return SetParam(node.id, "no_such_param", 1)
    return SetParam(node.id, p.name, valid_value(c, p))


def edit_rename(c: Chooser, graph: Graph) -> Edit:
    node_id = draw_node(c, graph)
    prefix = graph.node(node_id).layer_type.prefix if node_id in graph else "x"
    return Rename(node_id, draw_name(c, graph, prefix))


def edit_move(c: Chooser, graph: Graph) -> Edit:
    return Move(draw_node(c, graph), draw_position(c))


def edit_layout(c: Chooser, graph: Graph) -> Edit:
    return layout_edit(graph)


def edit_paste(c: Chooser, graph: Graph) -> Edit:
    """Copy some nodes (with the wires among them) and paste them, as Ctrl+C, Ctrl+V does."""
    ids = graph.node_ids()
    chosen = c.subset(ids, 1, 5) if ids else []
    piece = read_fragment(copy_fragment(graph, chosen))
    return paste_edit(graph, piece, draw_position(c))[0]


SIMPLE: dict[str, Callable[[Chooser, Graph], Edit]] = {
    "add": edit_add, "remove": edit_remove, "connect": edit_connect, "disconnect": edit_disconnect,
    "set_param": edit_set_param, "rename": edit_rename, "move": edit_move, "layout": edit_layout,
    "paste": edit_paste,
}


def edit_group(c: Chooser, graph: Graph) -> Edit:
    """A multi-delete, a multi-move, or a mix drawn against the state before the group (so a
    later part may be refused after earlier parts applied: the group must roll them back)."""
    ids = graph.node_ids() or ["n_missing"]
    kind = c.pick(["delete", "move", "mix"])
    if kind == "delete":
        return Group(tuple(RemoveNode(n) for n in c.subset(ids, 1, 6)))
    if kind == "move":
        return Group(tuple(Move(n, draw_position(c)) for n in c.subset(ids, 1, 6)))
    kinds = [c.pick(sorted(SIMPLE)) for _ in range(c.integer(2, 4))]
    return Group(tuple(SIMPLE[k](c, graph) for k in kinds))


EDITS = {**SIMPLE, "group": edit_group}


class History:
    """Edits pushed through the window's stack with undo and redo interleaved, remembering the
    document at every stack index, each step checked against what it should have done."""

    def __init__(self, window: MainWindow) -> None:
        self.window, self.stack, self.graph = window, window.stack, window.project.graph
        self.states = [snapshot(self.graph)]  # states[i]: the document at stack index i
        self.pushed = 0

    def step(self, c: Chooser, action: str) -> str:
        stack, graph = self.stack, self.graph
        if action in ("undo", "redo"):
            if action == "undo" and stack.canUndo():
                stack.undo()
            elif action == "redo" and stack.canRedo():
                stack.redo()
            assert_same_document(graph, self.states[stack.index()])
            return action
        edit = EDITS[action](c, graph)
        before, count = snapshot(graph), stack.count()
        try:
            push_edit(stack, graph, edit, action)
        except GraphError:  # refused: nothing pushed, nothing changed
            assert stack.count() == count
            assert_same_document(graph, before)
            return f"{action} refused"
        del self.states[stack.index():]  # pushing after an undo drops what could be redone
        self.states.append(snapshot(graph))
        assert stack.index() == stack.count() == len(self.states) - 1
        self.pushed += 1
        return f"{action} pushed"

    def unwind_and_replay(self) -> None:
        """Redo to the end, undo to the start checking every stop, redo to the end again."""
        stack, graph, states, window = self.stack, self.graph, self.states, self.window
        while stack.canRedo():
            stack.redo()
        assert stack.index() == len(states) - 1
        assert_same_document(graph, states[-1])
        while stack.canUndo():  # every stop on the way down is the document as it was
            stack.undo()
            assert_same_document(graph, states[stack.index()])
        assert_same_document(graph, states[0])
        assert_scene_shows_document(window)
        assert_shapes_follow(window)
        assert stack.isClean()
        while stack.canRedo():
            stack.redo()
            assert_same_document(graph, states[stack.index()])
        assert_same_document(graph, states[-1])
        assert_scene_shows_document(window)
        assert_shapes_follow(window)


@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(project=st.sampled_from(["lenet5", "resnet18"]), data=st.data())
def test_any_edits_undo_to_the_original_and_redo_to_the_edited(window: MainWindow, project: str, data: st.DataObject) -> None:
    window.open_file(PROJECTS / f"{project}.ndproj")  # a fresh document and an empty stack per example
    c, history = HypothesisChooser(data), History(window)
    for step in range(data.draw(st.integers(1, 25), label="steps")):
        event(history.step(c, data.draw(st.sampled_from([*EDITS, "undo", "redo"]), label="action")))
        assert_scene_shows_document(window)
        if step % 4 == 3:  # now and then the scene's deferred shape refresh runs, as in the window
            QApplication.processEvents()
    history.unwind_and_replay()


def test_a_thousand_random_edits_of_every_kind_undo_and_redo_exactly(window: MainWindow) -> None:
    """Issue 9: 1,000 edits (adds, removes, wires, parameters, names, moves, auto-layout,
    paste, groups) with undo and redo among them, then all undone and all redone."""
    window.open_file(PROJECTS / "lenet5.ndproj")
    c, history = RandomChooser(seed=9), History(window)
    actions = [*EDITS] * 2 + ["undo", "redo"]  # edits twice as often as each of undo and redo
    outcomes: dict[str, int] = {}
    for step in range(1000):
        outcome = history.step(c, c.pick(actions))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if step % 50 == 49:
            assert_scene_shows_document(window)
            QApplication.processEvents()
    assert sum(outcomes.values()) == 1000
    for kind in EDITS:  # every kind of edit was really applied, not only refused
        assert outcomes.get(f"{kind} pushed", 0) > 0, outcomes
    assert window.stack.count() >= 200
    print(f"1,000 steps: {window.stack.count()} edits on the stack; {dict(sorted(outcomes.items()))}")
    history.unwind_and_replay()


# ---- a session with the mouse ------------------------------------------------------------
def _palette_item_centre(window: MainWindow, type_name: str) -> QPoint:
    tree = window.palette.tree
    (item,) = tree.findItems(type_name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    tree.scrollToItem(item)
    return tree.visualItemRect(item).center()


def _palette_add(qtbot, window: MainWindow, type_name: str) -> str:
    where = _palette_item_centre(window, type_name)
    qtbot.mouseClick(window.palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(window.palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    return window.project.graph.node_ids()[-1]


def _look_at(window: MainWindow, *points: QPointF) -> None:
    """Zoom 1, centred on the points, all of which must then lie inside the viewport."""
    view = window.view
    view.resetTransform()
    xs, ys = [p.x() for p in points], [p.y() for p in points]
    view.centerOn((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    area = view.viewport().rect().adjusted(10, 10, -10, -10)
    for p in points:
        assert area.contains(view.mapFromScene(p)), f"{p} is off screen"


def _modified_mark_shown(window: MainWindow) -> bool:
    """Whether the title the platform shows marks unsaved changes ('*', from Qt's '[*]')."""
    shown = window.windowHandle().title()
    assert shown.startswith("lenet5.ndproj")
    return "*" in shown


def test_a_thirty_step_session_with_the_mouse_undoes_and_redoes_exactly(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph, stack, scene = window.project.graph, window.stack, window.scene
    original = snapshot(graph)
    made: dict[str, str] = {}  # the nodes this round added: "act", "drop"

    def node_pos(node_id: str) -> QPointF:
        x, y = graph.node(node_id).position
        return QPointF(x, y)

    def add_free_layer(r: int) -> None:  # palette double-click, nothing selected: at the view's centre
        scene.clearSelection()
        source = node_pos(graph.find("conv1").id)
        window.view.resetTransform()
        window.view.centerOn(source + QPointF(420 + 10 * r, 160))
        made["act"] = _palette_add(qtbot, window, "ReLU")
        assert graph.in_edges(made["act"]) == []

    def connect_by_wire(r: int) -> None:  # drag from conv1's output port to the new layer's input
        src, dst = scene.node_items[graph.find("conv1").id], scene.node_items[made["act"]]
        start, end = src.output_port_pos(0), dst.input_port_pos(0)
        _look_at(window, start, end)
        drag(qtbot, window, start, end)
        assert [e.src for e in graph.in_edges(made["act"])] == [graph.find("conv1").id]

    def drag_node(node_id: str, by: QPointF) -> None:
        scene.clearSelection()
        item = scene.node_items[node_id]
        grip = item.mapToScene(40, 30)
        _look_at(window, grip, grip + by)
        drag(qtbot, window, grip, grip + by)

    def set_param(r: int) -> None:
        push_edit(stack, graph, SetParam(graph.find("conv1").id, "out_channels", 7 + r), "Set out_channels")

    def rename(r: int) -> None:
        push_edit(stack, graph, Rename(made["act"], f"extra_act{r}"), "Rename")

    def add_after_selection(r: int) -> None:  # palette double-click with one node selected: added and wired
        scene.clearSelection()
        scene.node_items[made["act"]].setSelected(True)
        made["drop"] = _palette_add(qtbot, window, "Dropout")
        assert [e.src for e in graph.in_edges(made["drop"])] == [made["act"]]

    def disconnect(r: int) -> None:
        (edge,) = graph.in_edges(made["act"])
        push_edit(stack, graph, Disconnect(edge), "Disconnect")

    def delete_two(r: int) -> None:
        scene.clearSelection()
        for node_id in (made["act"], made["drop"]):
            scene.node_items[node_id].setSelected(True)
        window.delete_selection()
        assert made["act"] not in graph and made["drop"] not in graph

    steps: list[Callable[[int], None]] = [
        add_free_layer,
        connect_by_wire,
        lambda r: drag_node(made["act"], QPointF(60, 40)),
        set_param,
        rename,
        add_after_selection,
        disconnect,
        delete_two,
        lambda r: drag_node(graph.find("conv2").id, QPointF(-80 - 20 * r, 30)),
        lambda r: window.auto_layout(),  # puts conv2 back in the column
    ]
    states = [original]
    for r in range(3):
        for step in steps:
            count = stack.count()
            step(r)
            assert stack.count() == count + 1, f"{step} pushed {stack.count() - count} commands"
            states.append(snapshot(graph))
            assert_scene_shows_document(window)
            assert _modified_mark_shown(window)
    assert stack.count() == 30
    edited = states[-1]
    assert edited[0] != original[0]  # the session changed the document (so undo has work to do)
    assert all(states[i] != states[i + 1] for i in range(30)), "a step changed nothing"

    for i in range(30, 0, -1):
        stack.undo()
        assert_same_document(graph, states[i - 1])
    assert graph_to_json(graph) == original[0]
    assert_same_document(graph, original)
    assert_scene_shows_document(window)
    assert_shapes_follow(window)
    assert stack.isClean() and not _modified_mark_shown(window)

    for i in range(1, 31):
        stack.redo()
        assert_same_document(graph, states[i])
    assert graph_to_json(graph) == edited[0]
    assert_scene_shows_document(window)
    assert_shapes_follow(window)
    assert _modified_mark_shown(window)
