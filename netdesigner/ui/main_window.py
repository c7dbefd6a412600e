"""The main window: canvas in the centre, palette and summary as docks, menus with the usual keys."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox

from netdesigner.core.catalog import layer_type
from netdesigner.core.edits import AddNode, Connect, Group, RemoveNode
from netdesigner.core.errors import GraphError, NetDesignerError
from netdesigner.core.events import Edge
from netdesigner.core.layout import layout_edit
from netdesigner.core.project import Project
from netdesigner.core.summary import human
from netdesigner.core.validation import Severity
from netdesigner.ui.canvas.node_item import HEIGHT, NodeItem
from netdesigner.ui.canvas.scene import GraphScene
from netdesigner.ui.canvas.view import GraphView
from netdesigner.ui.commands import push_edit
from netdesigner.ui.palette import Palette
from netdesigner.ui.summary_dock import SummaryTable

FILE_FILTER = "NetDesigner projects (*.ndproj)"


class MainWindow(QMainWindow):
    def __init__(self, project: Project | None = None) -> None:
        super().__init__()
        self.stack = QUndoStack(self)
        self.project = project or Project()
        self.scene: GraphScene | None = None
        self.view = GraphView(None)
        self.setCentralWidget(self.view)
        self.palette = Palette()
        self.summary = SummaryTable()
        self.view_menu_docks: list[QDockWidget] = []
        self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Summary", self.summary, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self._menus()
        self.palette.layer_chosen.connect(self.add_layer)
        self.stack.cleanChanged.connect(self._update_title)
        self.resize(1280, 820)
        self.resizeDocks([self.view_menu_docks[0]], [230], Qt.Orientation.Horizontal)
        self.resizeDocks([self.view_menu_docks[1]], [190], Qt.Orientation.Vertical)
        self._show_project(self.project)

    # ---- documents ---------------------------------------------------------------------
    def _show_project(self, project: Project) -> None:
        if self.scene is not None:
            self.scene.detach()
        self.stack.clear()
        self.project = project
        self.scene = GraphScene(project.graph, self.stack)
        self.scene.shapes_updated.connect(self._on_shapes)
        self.scene.edit_refused.connect(lambda why: self.statusBar().showMessage(f"Not connected: {why}", 8000))
        self.view.setScene(self.scene)
        self._on_shapes(self.scene.report, self.scene.problems)
        self._update_title()
        self.view.show_start()

    def open_file(self, path: str | Path) -> None:
        project = Project.load(path)  # ProjectError reaches the caller; nothing changes here
        if all(n.position == (0.0, 0.0) for n in project.graph.nodes()) and len(project.graph) > 1:
            project.graph.apply(layout_edit(project.graph))
        self._show_project(project)

    def _open(self) -> None:
        if not self._may_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", FILE_FILTER)
        if path:
            try:
                self.open_file(path)
            except NetDesignerError as e:
                QMessageBox.warning(self, "Cannot open", str(e))

    def _new(self) -> None:
        if self._may_discard():
            self._show_project(Project())

    def save(self, path: str | Path | None = None) -> bool:
        target = path or self.project.path
        if target is None:
            target, _ = QFileDialog.getSaveFileName(self, "Save project", "untitled.ndproj", FILE_FILTER)
            if not target:
                return False
        try:
            self.project.save(target)
        except NetDesignerError as e:
            QMessageBox.warning(self, "Cannot save", str(e))
            return False
        self.stack.setClean()
        self._update_title()
        return True

    def _may_discard(self) -> bool:
        if self.stack.isClean():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.project.name}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event) -> None:
        if self._may_discard():
            self.scene.detach()
            event.accept()
        else:
            event.ignore()

    def _update_title(self) -> None:
        name = self.project.path.name if self.project.path else self.project.name
        self.setWindowTitle(f"{name}{'' if self.stack.isClean() else ' *'} — NetDesigner")

    # ---- editing -----------------------------------------------------------------------
    def add_layer(self, type_name: str) -> None:
        """Adds a layer at the view's centre, wired after the selected node when that works."""
        graph = self.project.graph
        selected = self.selected_node_ids()
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        position = (round(centre.x() / 10) * 10, round(centre.y() / 10) * 10)
        if len(selected) == 1:
            source = graph.node(selected[0])
            position = (source.position[0], source.position[1] + HEIGHT + 44)
        node_id = graph.new_id()
        name = graph.unique_name(layer_type(type_name).prefix)
        add = AddNode(node_id, type_name, name, {}, position)
        if len(selected) == 1 and graph.node(selected[0]).output_count() > 0:
            try:
                push_edit(self.stack, graph, Group((add, Connect(Edge(selected[0], node_id)))), f"Add {name}")
                return
            except GraphError:
                pass
        push_edit(self.stack, graph, add, f"Add {name}")

    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.scene.selectedItems() if isinstance(i, NodeItem)]

    def delete_selection(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            push_edit(self.stack, self.project.graph, Group(tuple(RemoveNode(n) for n in ids)), f"Delete {len(ids)} layer(s)")

    def auto_layout(self) -> None:
        push_edit(self.stack, self.project.graph, layout_edit(self.project.graph), "Auto-layout")
        self.view.fit_all()

    def _on_shapes(self, report, problems) -> None:
        graph = self.project.graph
        self.summary.show_summary(graph, report, problems)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        text = f"{len(graph)} layers · {human(report.total_params)} parameters · {human(report.total_macs)} MACs"
        if errors:
            text += f" · {len(errors)} error(s): {errors[0].describe(graph)}"
        self.status.setText(text)

    # ---- menus -------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New", self._new, QKeySequence.StandardKey.New)
        self._action(file, "&Open…", self._open, QKeySequence.StandardKey.Open)
        self._action(file, "&Save", lambda: self.save(), QKeySequence.StandardKey.Save)
        self._action(file, "Save &As…", lambda: self.save(QFileDialog.getSaveFileName(self, "Save as", "", FILE_FILTER)[0] or None), QKeySequence.StandardKey.SaveAs)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        undo = self.stack.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence.StandardKey.Undo])
        redo = self.stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        edit.addSeparator()
        self._action(edit, "&Delete", self.delete_selection, [QKeySequence.StandardKey.Delete, QKeySequence("Backspace")])
        self._action(edit, "Select &All", lambda: [i.setSelected(True) for i in self.scene.node_items.values()], QKeySequence.StandardKey.SelectAll)
        self._action(edit, "Auto-&layout", self.auto_layout, QKeySequence("Ctrl+L"))
        view = bar.addMenu("&View")
        self._action(view, "&Fit graph", self.view.fit_all, QKeySequence("F"))
        self._action(view, "Zoom &in", lambda: self.view.zoom(1.25), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "Zoom &out", lambda: self.view.zoom(0.8), QKeySequence.StandardKey.ZoomOut)
        view.addSeparator()
        for dock in self.view_menu_docks:
            view.addAction(dock.toggleViewAction())

    def _dock(self, title: str, widget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.view_menu_docks.append(dock)
        return dock
