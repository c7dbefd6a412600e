"""The window over the document: real widgets, real mouse events, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from ui_gestures import PROJECTS

from netdesigner.core.project import Project
from netdesigner.core.project_format import graph_to_json
from netdesigner.ui.main_window import MainWindow


@pytest.mark.parametrize("path", sorted(PROJECTS.glob("*.ndproj")), ids=lambda p: p.stem)
def test_scene_shows_exactly_the_documents_nodes_and_edges(window: MainWindow, path: Path) -> None:
    window.open_file(path)
    graph = window.project.graph
    assert set(window.scene.node_items) == set(graph.node_ids())
    assert set(window.scene.edge_items) == set(graph.edges())
    for edge, item in window.scene.edge_items.items():
        assert item.label.text() == str(window.scene.report.edge_tensor(edge))


def test_palette_search_shows_only_matching_layers(window: MainWindow, qtbot) -> None:
    window.palette.search.clear()
    qtbot.keyClicks(window.palette.search, "conv")
    assert set(window.palette.visible_types()) == {"Conv1d", "Conv2d", "ConvTranspose2d"}


def _palette_item_centre(window: MainWindow, type_name: str) -> QPoint:
    tree = window.palette.tree
    (item,) = tree.findItems(type_name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    tree.scrollToItem(item)
    return tree.visualItemRect(item).center()


def test_double_click_in_palette_adds_a_layer_wired_after_the_selection(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    graph = window.project.graph
    fc = graph.find("fc3") if graph.has_name("fc3") else [n for n in graph.nodes() if n.type == "Linear"][-1]
    window.scene.node_items[fc.id].setSelected(True)
    before = len(graph)
    where = _palette_item_centre(window, "ReLU")
    qtbot.mouseClick(window.palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(window.palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert len(graph) == before + 1
    added = graph.nodes()[-1]
    assert added.type == "ReLU" and [e.src for e in graph.in_edges(added.id)] == [fc.id]
    assert window.windowTitle().startswith("spirals_mlp.ndproj[*]") and window.isWindowModified()
    window.stack.undo()
    assert len(graph) == before


def test_dragging_a_node_is_one_undoable_move(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    node = graph.find("conv1")
    start = node.position
    item = window.scene.node_items[node.id]
    viewport = window.view.viewport()
    press = window.view.mapFromScene(item.mapToScene(40, 30))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=press)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, press + QPoint(12 * step, 0))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=press + QPoint(60, 0))
    assert graph.node(node.id).position != start
    assert window.stack.count() == 1
    window.stack.undo()
    assert graph.node(node.id).position == start
    assert (item.pos().x(), item.pos().y()) == start


def test_undo_of_a_whole_session_restores_the_document_and_redo_replays_it(window: MainWindow) -> None:
    window.open_file(PROJECTS / "digits_cnn.ndproj")
    graph = window.project.graph
    original = graph_to_json(graph)
    for type_name in ["ReLU", "Dropout", "Linear", "Tanh"]:
        window.scene.clearSelection()
        window.scene.node_items[graph.node_ids()[-1]].setSelected(True)
        window.add_layer(type_name)
    window.scene.clearSelection()
    window.scene.node_items[graph.find("relu2").id].setSelected(True)
    window.delete_selection()
    window.auto_layout()
    edited = graph_to_json(graph)
    while window.stack.canUndo():
        window.stack.undo()
    assert graph_to_json(graph) == original
    assert set(window.scene.node_items) == set(graph.node_ids())
    while window.stack.canRedo():
        window.stack.redo()
    assert graph_to_json(graph) == edited


def test_error_badge_and_status_bar_name_the_problem(window: MainWindow, qtbot, tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "lenet5.ndproj")
    project.graph.set_param(project.graph.find("conv2").id, "kernel_size", 15)
    project.save(tmp_path / "broken.ndproj")
    window.open_file(tmp_path / "broken.ndproj")
    item = window.scene.node_items[window.project.graph.find("conv2").id]
    assert item.error and "15×15" in item.error
    assert "conv2 (Conv2d)" in window.status.text()


def test_save_and_reopen_give_the_same_document(window: MainWindow, tmp_path: Path) -> None:
    window.open_file(PROJECTS / "vae.ndproj")
    window.add_layer("ReLU")
    assert window.save(tmp_path / "copy.ndproj")
    assert not window.windowTitle().endswith("* — NetDesigner")
    saved = graph_to_json(window.project.graph)
    window.open_file(tmp_path / "copy.ndproj")
    assert graph_to_json(window.project.graph) == saved


def _drag(qtbot, window: MainWindow, start, end) -> None:
    viewport = window.view.viewport()
    a, b = window.view.mapFromScene(start), window.view.mapFromScene(end)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, a + (b - a) * step / 5)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)


def test_dragging_from_an_output_port_to_an_input_port_connects(window: MainWindow, qtbot) -> None:
    graph = window.project.graph
    x = graph.add_node("Input", {"shape": (4,)}, position=(0, 0)).node_id
    relu = graph.add_node("ReLU", position=(0, 200)).node_id
    window.view.show_start()
    src, dst = window.scene.node_items[x], window.scene.node_items[relu]
    _drag(qtbot, window, src.output_port_pos(0), dst.input_port_pos(0))
    assert [(e.src, e.dst) for e in graph.edges()] == [(x, relu)]
    qtbot.waitUntil(lambda: window.scene.edge_items[graph.edges()[0]].label.text() == "(4,)", timeout=2000)
    window.stack.undo()
    assert graph.edges() == []


def test_a_connection_that_would_make_a_cycle_is_refused_with_its_reason(window: MainWindow, qtbot) -> None:
    graph = window.project.graph
    a = graph.add_node("ReLU", position=(0, 0)).node_id
    b = graph.add_node("Tanh", position=(0, 200)).node_id
    graph.connect(a, b)
    window.view.show_start()
    _drag(qtbot, window, window.scene.node_items[b].output_port_pos(0), window.scene.node_items[a].input_port_pos(0))
    assert len(graph.edges()) == 1
    assert "cycle" in window.statusBar().currentMessage()
