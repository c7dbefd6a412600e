"""Editing with the mouse and the inspector: palette drops, wiring, rewiring, parameters, clipboard."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QSpinBox
from ui_gestures import PROJECTS, connect_by_mouse, drag, on_screen

from netdesigner.core.events import Edge
from netdesigner.core.project import Project
from netdesigner.core.project_format import graph_to_json
from netdesigner.ui.canvas.view import LAYER_MIME_TYPE
from netdesigner.ui.main_window import MainWindow


def drop_from_palette(qtbot, window: MainWindow, type_name: str, scene_pos: QPointF) -> str:
    """Drops a layer as the palette's drag would: the palette's own mime data, a real drop event."""
    tree = window.palette.tree
    (item,) = tree.findItems(type_name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    mime = tree.mimeData([item])
    viewport = window.view.viewport()
    at = QPointF(on_screen(window, scene_pos))
    before = set(window.project.graph.node_ids())
    for kind, cls in (("enter", QDragEnterEvent), ("move", QDragMoveEvent), ("drop", QDropEvent)):
        point = at if cls is QDropEvent else at.toPoint()  # enter and move take whole pixels
        event = cls(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, event)
        assert event.isAccepted(), f"the canvas refused the {kind} event"
    qtbot.wait(1)
    (added,) = set(window.project.graph.node_ids()) - before
    return window.project.graph.node(added).name


def test_palette_mime_data_names_the_layer_type(window: MainWindow) -> None:
    tree = window.palette.tree
    (item,) = tree.findItems("Conv2d", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    mime = tree.mimeData([item])
    assert bytes(mime.data(LAYER_MIME_TYPE)).decode() == "Conv2d"
    assert item.flags() & Qt.ItemFlag.ItemIsDragEnabled


def test_a_dropped_layer_lands_where_it_was_dropped(window: MainWindow, qtbot) -> None:
    name = drop_from_palette(qtbot, window, "Linear", QPointF(300, 200))
    node = window.project.graph.find(name)
    assert node.type == "Linear"
    assert abs(node.position[0] + 95 - 300) <= 10 and abs(node.position[1] + 33 - 200) <= 10
    assert window.stack.count() == 1 and window.selected_node_ids() == [node.id]


def test_a_drop_that_is_not_a_layer_is_refused(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("hello")
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.view.viewport(), event)
    assert len(window.project.graph) == 0


def _set_field(qtbot, window: MainWindow, param: str, text: str) -> None:
    editor = window.inspector.editors[param].control
    if isinstance(editor, QSpinBox):
        editor.lineEdit().selectAll()
        qtbot.keyClicks(editor.lineEdit(), text)
        qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    elif isinstance(editor, QLineEdit):
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    else:
        raise AssertionError(f"no text field for {param}")


def test_inspector_edit_updates_the_shape_labels_and_undoes(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph, scene = window.project.graph, window.scene
    conv1 = graph.find("conv1")
    scene.select_nodes([conv1.id])
    assert window.inspector.title.text().startswith("<b>conv1</b>")
    out_edge = graph.out_edges(conv1.id)[0]
    assert scene.edge_items[out_edge].label.text() == "(6, 28, 28)"
    _set_field(qtbot, window, "out_channels", "10")
    qtbot.waitUntil(lambda: scene.edge_items[out_edge].label.text() == "(10, 28, 28)")
    assert graph.node(conv1.id).params["out_channels"] == 10
    assert "(10, 28, 28)" in window.inspector.facts.text()
    window.stack.undo()
    qtbot.waitUntil(lambda: scene.edge_items[out_edge].label.text() == "(6, 28, 28)")
    assert window.inspector.editors["out_channels"].control.value() == 6


def test_a_bad_value_is_refused_with_the_reason_and_not_applied(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    conv1 = graph.find("conv1")
    window.scene.select_nodes([conv1.id])
    _set_field(qtbot, window, "kernel_size", "5, 5, 5")
    assert "kernel_size must be" in window.inspector.message.text()
    assert graph.node(conv1.id).params["kernel_size"] == (5, 5)
    assert window.inspector.editors["kernel_size"].control.text() == "5, 5"
    assert window.stack.count() == 0
    _set_field(qtbot, window, "kernel_size", "3×3")
    assert graph.node(conv1.id).params["kernel_size"] == (3, 3)
    assert window.inspector.message.text() == ""


def test_renaming_in_the_inspector(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    node = graph.find("fc1")
    window.scene.select_nodes([node.id])
    field = window.inspector.name_edit
    field.selectAll()
    qtbot.keyClicks(field, "conv2")  # taken
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert graph.node(node.id).name == "fc1" and "conv2" in window.inspector.message.text()
    field.selectAll()
    qtbot.keyClicks(field, "hidden")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert graph.node(node.id).name == "hidden"


def test_editing_several_layers_of_one_type_sets_all_in_one_command(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    tanhs = [n.id for n in graph.nodes() if n.type == "Tanh"]
    convs = [graph.find("conv1").id, graph.find("conv2").id]
    window.scene.select_nodes(convs)
    assert "2 layers" in window.inspector.title.text()
    spin = window.inspector.editors["out_channels"].control
    assert spin.specialValueText() == "—"  # 6 and 16 differ
    bias = window.inspector.editors["bias"].control
    assert isinstance(bias, QCheckBox)
    qtbot.mouseClick(bias, Qt.MouseButton.LeftButton, pos=QPoint(bias.width() // 2 if bias.width() < 30 else 8, bias.height() // 2))
    assert all(graph.node(n).params["bias"] is False for n in convs)
    assert window.stack.count() == 1
    padding = window.inspector.editors["padding"].control
    assert isinstance(padding, QLineEdit)
    window.scene.select_nodes(convs + tanhs)
    assert window.inspector.editors == {}  # mixed types: nothing to edit together


def test_choice_fields_are_combo_boxes(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    out = [n for n in graph.nodes() if n.type == "Output"][0]
    window.scene.select_nodes([out.id])
    combo = window.inspector.editors["loss"].control
    assert isinstance(combo, QComboBox) and combo.currentText() == out.params["loss"]
    combo.activated.emit(combo.findText("mse"))
    assert graph.node(out.id).params["loss"] == "mse"


def test_lifting_a_wire_off_its_input_disconnects_and_dropping_it_elsewhere_rewires(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph, scene = window.project.graph, window.scene
    tanh1, pool1 = graph.find("tanh1"), graph.find("pool1")
    edge = graph.edge_into(pool1.id, 0)
    assert edge is not None and edge.src == tanh1.id
    pool_item = scene.node_items[pool1.id]
    start = pool_item.input_port_pos(0)
    drag(qtbot, window, start, start + QPointF(260, 40))  # onto empty canvas
    assert graph.edge_into(pool1.id, 0) is None
    assert edge not in scene.edge_items and window.stack.count() == 1
    window.stack.undo()
    assert graph.edge_into(pool1.id, 0) == edge and scene.edge_items[edge].isVisible()

    # rewire: lift conv2's input wire and drop it on the flatten input (occupied: refused, kept)
    conv2 = graph.find("conv2")
    flatten = graph.find("flatten")
    wire = graph.edge_into(conv2.id, 0)
    drag(qtbot, window, scene.node_items[conv2.id].input_port_pos(0), scene.node_items[flatten.id].input_port_pos(0))
    assert graph.edge_into(conv2.id, 0) == wire  # refused as a whole: nothing lost
    assert "Not connected" in window.statusBar().currentMessage()


def test_connecting_by_mouse_and_refusing_a_cycle(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    connect_by_mouse(qtbot, window, "fc1", "conv1")  # conv1's input is taken
    assert "Not connected" in window.statusBar().currentMessage()
    window.stack.clear()
    drop_from_palette(qtbot, window, "ReLU", QPointF(600, 200))
    relu = [n for n in graph.nodes() if n.type == "ReLU"][-1]
    connect_by_mouse(qtbot, window, "conv1", relu.name)
    assert Edge(graph.find("conv1").id, relu.id) in graph.edges()


def test_copy_paste_through_the_clipboard_reaches_a_second_window(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    ids = [graph.find(n).id for n in ("conv1", "tanh1", "pool1")]
    window.scene.select_nodes(ids)
    assert window.copy_selection()
    text = QGuiApplication.clipboard().text()
    assert '"netdesigner-fragment"' in text

    other = MainWindow()
    qtbot.addWidget(other, before_close_func=lambda w: w.stack.setClean())
    other.paste()
    pasted = other.project.graph
    assert [n.type for n in pasted.nodes()] == ["Conv2d", "Tanh", "AvgPool2d"]
    assert [n.name for n in pasted.nodes()] == ["conv1", "tanh1", "pool1"]
    assert len(pasted.edges()) == 2  # the wires among the copied layers, not to the rest
    assert pasted.find("conv1").params == graph.find("conv1").params
    assert set(other.selected_node_ids()) == set(pasted.node_ids())

    before = len(graph)
    window.paste()  # into the same graph: new names, shifted
    assert len(graph) == before + 3
    assert graph.has_name("conv3") and graph.has_name("tanh3")
    window.stack.undo()
    assert len(graph) == before


def test_paste_of_foreign_text_says_so_and_changes_nothing(window: MainWindow) -> None:
    QGuiApplication.clipboard().setText("not layers")
    window.paste()
    assert len(window.project.graph) == 0 and window.stack.count() == 0
    assert "Nothing pasted" in window.statusBar().currentMessage()


def test_cut_and_duplicate(window: MainWindow) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    graph = window.project.graph
    start = graph_to_json(graph)
    first_linear = next(n for n in graph.nodes() if n.type == "Linear")
    window.scene.select_nodes([first_linear.id])
    window.duplicate_selection()
    assert len(graph) == len(start["nodes"]) + 1
    window.cut_selection()  # the duplicate is selected now
    assert graph_to_json(graph) == start
    assert '"netdesigner-fragment"' in QGuiApplication.clipboard().text()


def test_summary_and_canvas_share_the_selection(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    graph = window.project.graph
    window.scene.select_nodes([graph.find("pool2").id])
    assert window.summary.selected_names() == ["pool2"]
    table = window.summary
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "fc2")
    table.scrollToItem(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center())
    assert window.selected_node_ids() == [graph.find("fc2").id]
    assert window.inspector.title.text().startswith("<b>fc2</b>")


def test_code_tab_shows_the_generated_module(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    window.code.regenerate()
    text = window.code.toPlainText()
    assert "class LeNet5(nn.Module)" in text and "self.conv1 = nn.Conv2d(in_channels=1, out_channels=6" in text
    window.project.graph.set_param(window.project.graph.find("conv1").id, "out_channels", 8)
    window.code.regenerate()
    assert "self.conv1 = nn.Conv2d(in_channels=1, out_channels=8" in window.code.toPlainText()


def test_history_lists_the_commands(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    history_action = next(a for a in window.menuBar().actions()[1].menu().actions() if a.text() == "&History")
    history_action.trigger()
    assert window.docks["History"].isVisible()
    window.select_all()
    window.auto_layout()
    assert window.history.model().rowCount() == 2  # "<opened>" and the layout
    assert window.stack.text(0) == "Auto-layout"


def test_middle_button_and_space_drag_pan_the_view(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "resnet18.ndproj")
    view, viewport = window.view, window.view.viewport()
    before = view.mapToScene(viewport.rect().center())
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(300, 300))
    qtbot.mouseMove(viewport, QPoint(340, 250))
    qtbot.mouseMove(viewport, QPoint(380, 200))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(380, 200))
    after = view.mapToScene(viewport.rect().center())
    scale = view.transform().m11()
    assert abs((before.x() - after.x()) * scale - 80) < 3 and abs((before.y() - after.y()) * scale + 100) < 3
    assert window.stack.count() == 0  # panning is not an edit

    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(viewport, QPoint(300, 360))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(300, 360))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    moved = view.mapToScene(viewport.rect().center())
    assert abs((after.y() - moved.y()) * scale - 60) < 3
    assert window.stack.count() == 0


def test_minimap_click_moves_the_view(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "resnet18.ndproj")
    minimap = window.view.minimap
    assert minimap.isVisible()
    before = window.view.mapToScene(window.view.viewport().rect().center())
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=QPoint(minimap.width() // 2, minimap.height() - 10))
    after = window.view.mapToScene(window.view.viewport().rect().center())
    assert after.y() > before.y() + 500  # towards the bottom of the tall ResNet


def test_build_lenet5_from_an_empty_canvas_with_the_mouse(window: MainWindow, qtbot, tmp_path) -> None:
    """The issue's "done when": palette drops, port drags and the inspector only; compare with the example."""
    target = Project.load(PROJECTS / "lenet5.ndproj").graph
    order = [n for n in target.topological_order()]
    names: dict[str, str] = {}
    for i, node_id in enumerate(order):
        node = target.node(node_id)
        names[node_id] = drop_from_palette(qtbot, window, node.type, QPointF(100, 100 + i * 110))
        mine = window.project.graph.find(names[node_id])
        window.scene.select_nodes([mine.id])
        for param, value in node.params.items():
            if mine.params[param] == value:
                continue
            control = window.inspector.editors[param].control
            if isinstance(control, QComboBox):
                control.activated.emit(control.findText(value))
            elif isinstance(control, QCheckBox):
                qtbot.mouseClick(control, Qt.MouseButton.LeftButton, pos=QPoint(8, control.height() // 2))
            else:
                text = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
                _set_field(qtbot, window, param, text)
            assert window.project.graph.node(mine.id).params[param] == value, param
    for edge in target.edges():
        connect_by_mouse(qtbot, window, names[edge.src], names[edge.dst], edge.src_port, edge.dst_port)
    graph = window.project.graph
    qtbot.waitUntil(lambda: not window.scene.problems)
    assert len(graph.edges()) == len(target.edges())
    assert window.scene.report.total_params == 61_706
    path = tmp_path / "mine.ndproj"
    assert window.save(path)
    again = Project.load(path).graph
    assert [(n.type, n.params) for n in again.nodes()] == [(target.node(i).type, target.node(i).params) for i in order]


def test_rubber_band_and_ctrl_click_select(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    graph, scene = window.project.graph, window.scene
    window.view.fit_all()
    first, second = scene.node_items[graph.find("point").id], scene.node_items[graph.find("fc1").id]
    band = first.sceneBoundingRect().united(second.sceneBoundingRect()).adjusted(-30, -20, 30, 20)
    viewport = window.view.viewport()
    start, end = window.view.mapFromScene(band.topLeft()), window.view.mapFromScene(band.bottomRight())
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert set(window.selected_node_ids()) == {graph.find("point").id, graph.find("fc1").id}
    third = scene.node_items[graph.find("fc3").id]
    at = window.view.mapFromScene(third.mapToScene(60, 30))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, pos=at)
    assert len(window.selected_node_ids()) == 3
    assert window.stack.count() == 0  # selecting is not an edit
