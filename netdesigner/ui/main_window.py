"""The main window: canvas in the centre; palette, inspector, summary and history as docks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QUndoView,
)

from netdesigner.analysis.live_budget import LiveBudget
from netdesigner.core.catalog import layer_type
from netdesigner.core.edits import AddNode, Connect, Group, RemoveNode
from netdesigner.core.errors import GraphError, NetDesignerError
from netdesigner.core.events import Edge
from netdesigner.core.fragment import copy_fragment, paste_edit, read_fragment
from netdesigner.core.layout import layout_edit
from netdesigner.core.project import Project
from netdesigner.core.summary import human
from netdesigner.core.validation import Severity
from netdesigner.ui import settings
from netdesigner.ui.analysis_source import provider_for_window
from netdesigner.ui.autosave import Autosave
from netdesigner.ui.canvas.node_item import HEIGHT, WIDTH, NodeItem
from netdesigner.ui.canvas.scene import GRID, GraphScene
from netdesigner.ui.canvas.view import GraphView
from netdesigner.ui.code_view import CodeView
from netdesigner.ui.commands import LOCK_PROPERTY, push_edit
from netdesigner.ui.inspector import Inspector
from netdesigner.ui.lesson_panel import LessonPanel
from netdesigner.ui.menus import build_menus
from netdesigner.ui.palette import Palette
from netdesigner.ui.plots.activations_panel import ActivationsPanel
from netdesigner.ui.plots.boundary_panel import BoundaryPanel
from netdesigner.ui.plots.landscape_panel import LandscapePanel
from netdesigner.ui.plots.text_sample_panel import TextSamplePanel
from netdesigner.ui.plots.training_plots import TrainingPlots
from netdesigner.ui.summary_dock import SummaryTable
from netdesigner.ui.train_dock import TrainDock
from netdesigner.ui.training_controller import TrainingController

FILE_FILTER = "NetDesigner projects (*.ndproj)"
OPENABLE = (".ndproj",)


class MainWindow(QMainWindow):
    def __init__(self, project: Project | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.resize(1320, 840)  # size and status bar before the docks are tabified, or Qt
        self.status = QLabel()  # leaves a stray tab bar where the bottom area first was
        self.statusBar().addPermanentWidget(self.status)  # the model summary stays on the right; messages take the left
        self.stack = QUndoStack(self)
        self.project = project or Project()
        self.scene: GraphScene | None = None
        self.view = GraphView(None)
        self.setCentralWidget(self.view)
        self.palette = Palette()
        self.inspector = Inspector()
        self.summary = SummaryTable()
        self.code = CodeView()
        self.train_dock = TrainDock()
        self.plots = TrainingPlots()
        self.live_budget = LiveBudget()  # the share of a run the live views may take, all of them together
        self.landscape = LandscapePanel()
        self.landscape.budget = self.live_budget
        self.landscape.set_source(lambda: provider_for_window(self))
        self.weights_changed = False  # trained weights not yet saved (they are not undoable edits)
        self.history = QUndoView(self.stack)
        self.history.setEmptyLabel("<opened>")
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(self.summary, "Layers")
        tabs.addTab(self.code, "PyTorch code")
        self.docks: dict[str, QDockWidget] = {}
        self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Training", self.train_dock, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Summary", tabs, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.plot_tabs = QTabWidget()  # tabs inside one dock: a second tabified dock pair misdraws (see below)
        self.plot_tabs.setDocumentMode(True)
        self.lesson = LessonPanel()
        self.lesson.open_variant.connect(self.open_variant)
        self.plot_tabs.addTab(self.lesson, "Lesson")
        self.plot_tabs.addTab(self.plots, "Training curves")
        self.plot_tabs.addTab(self.landscape, "Loss landscape")
        self.boundary = BoundaryPanel()
        self.plot_tabs.addTab(self.boundary, "Model view")
        self.activations = ActivationsPanel()
        self.activations.budget = self.live_budget
        self.activations.set_source(lambda: provider_for_window(self),
                                    lambda: {n.name: n.type for n in self.project.graph.nodes()})
        self.plot_tabs.addTab(self.activations, "Activations")
        self.text_sample = TextSamplePanel()  # its tab is shown only while the project trains on text
        self.plot_tabs.addTab(self.text_sample, "Text sample")
        self.text_sample.applies_changed.connect(
            lambda on: self.plot_tabs.setTabVisible(self.plot_tabs.indexOf(self.text_sample), on))
        self.text_sample.set_source(lambda: provider_for_window(self), lambda: self.project.data.dataset)
        self.stack.indexChanged.connect(lambda _index: self.text_sample.update_applies())
        self._dock("Plots", self.plot_tabs, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("History", self.history, Qt.DockWidgetArea.RightDockWidgetArea).hide()
        # One tab group only: in Qt 6.12 a second tabifyDockWidget leaves a stray tab bar behind
        # that stays drawn where it was when the window is resized.
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["Training"])
        self.splitDockWidget(self.docks["Summary"], self.docks["Plots"], Qt.Orientation.Horizontal)
        self.docks["Inspector"].raise_()
        self.training = TrainingController(self)
        self.actions = build_menus(self)
        self.palette.layer_chosen.connect(self.add_layer)
        self.view.layer_dropped.connect(self.add_layer_at)
        self.summary.names_selected.connect(self._select_from_summary)
        self.stack.cleanChanged.connect(self._update_title)
        self.autosave = Autosave(self)
        self.stack.indexChanged.connect(lambda _index: self.autosave.changed())
        self.setAcceptDrops(True)
        self.resizeDocks([self.docks["Layers"], self.docks["Inspector"]], [220, 300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Summary"]], [250], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Summary"], self.docks["Plots"]], [470, 850], Qt.Orientation.Horizontal)
        self._show_project(self.project)

    def _dock(self, title: str, widget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)  # saveState needs names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        return dock

    def restore_layout(self) -> None:
        geometry, state = settings.saved_layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # ---- documents ---------------------------------------------------------------------
    def _drop_scene(self) -> None:
        """Stops listening to the old scene before it goes (its teardown changes the selection)."""
        if self.scene is not None:
            self.scene.detach()
            self.scene.selectionChanged.disconnect(self._on_selection)
            self.scene.shapes_updated.disconnect(self._on_shapes)

    def _show_project(self, project: Project) -> None:
        self._drop_scene()
        self.stack.clear()
        self.project = project
        self.scene = GraphScene(project.graph, self.stack)
        self.scene.shapes_updated.connect(self._on_shapes)
        self.scene.edit_refused.connect(lambda why: self.statusBar().showMessage(why, 8000))
        self.scene.selectionChanged.connect(self._on_selection)
        self.view.setScene(self.scene)
        self.view.minimap.watch(self.scene)
        self.inspector.set_document(project.graph, self.stack)
        self.code.set_graph(project.graph, project.name)
        self.train_dock.set_project(project, self.stack)
        self.weights_changed = False
        self.autosave.saved()  # the previous document's changes were saved or thrown away
        self.training.project_changed()
        self.lesson.set_project(project)
        self.text_sample.update_applies()
        self.plot_tabs.setCurrentWidget(self.lesson if project.lesson is not None else self.plots)
        self._on_shapes(self.scene.report, self.scene.problems)
        self._update_title()
        self.view.show_start()

    def open_file(self, path: str | Path) -> None:
        """Opens a project, or imports an ONNX model; a ``ProjectError`` or ``ImportFailed``
        reaches the caller and nothing here changes."""
        if Path(path).suffix.lower() == ".onnx":
            self.import_onnx(path)
            return
        project = Project.load(path)
        if all(n.position == (0.0, 0.0) for n in project.graph.nodes()) and len(project.graph) > 1:
            project.graph.apply(layout_edit(project.graph))
        self._show_project(project)
        settings.remember_file(Path(path))
        self.actions.refresh_recent()

    def open_path_asking(self, path: str | Path) -> bool:
        """Opens a file after asking about unsaved changes; problems become a message box."""
        if not self.may_discard():
            return False
        try:
            self.open_file(path)
        except NetDesignerError as e:
            QMessageBox.warning(self, "Cannot import" if Path(path).suffix.lower() == ".onnx" else "Cannot open", str(e))
            return False
        return True

    def import_onnx(self, path: str | Path) -> None:
        """Opens an ONNX model as a new, unsaved project with its weights; ``ImportFailed``
        (listing every op without a layer) reaches the caller and nothing here changes."""
        from netdesigner.importer.onnx_import import project_from_onnx

        project, notes = project_from_onnx(path)
        self.show_imported(project, Path(path).name, notes)

    def show_imported(self, project: Project, source: str, notes: list[str]) -> None:
        """Shows an imported model as a new, unsaved project with its weights."""
        self._show_project(project)
        self.mark_weights_changed()  # not saved anywhere yet
        layers = sum(1 for n in project.graph.nodes() if n.type not in ("Input", "Output"))
        self.statusBar().showMessage(f"Imported {source}: {layers} layers with their weights. " + " ".join(notes), 15000)

    def open_variant(self, name: str) -> None:
        """Opens the lesson's variant ``name`` as a new, unsaved document (asking first when
        this one has unsaved changes); the file and its weights stay as they are."""
        if not self.may_discard():
            return
        try:
            variant = self.project.variant(name)
        except NetDesignerError as e:
            QMessageBox.warning(self, "Cannot open the variant", str(e))
            return
        self._show_project(variant)
        self.statusBar().showMessage(f"Opened the variant {name!r} as a new project: train it, or save it under a name of its own", 8000)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", f"{FILE_FILTER};;ONNX models (*.onnx)")
        if path:
            self.open_path_asking(path)

    def new_project(self) -> None:
        if self.may_discard():
            self._show_project(Project())

    def new_from_example(self, path: Path) -> None:
        """Opens an example as a new, unsaved project, so Save never writes over the example."""
        if not self.may_discard():
            return
        try:
            project = Project.load(path)
        except NetDesignerError as e:
            QMessageBox.warning(self, "Cannot open", str(e))
            return
        project.path = None
        self._show_project(project)

    def save(self, path: str | Path | None = None) -> bool:
        target = path or self.project.path
        if target is None:
            return self.save_as()
        try:
            self.project.save(target)
        except NetDesignerError as e:
            QMessageBox.warning(self, "Cannot save", str(e))
            return False
        self.stack.setClean()
        self.weights_changed = False
        self.autosave.saved()
        settings.remember_file(Path(target))
        self.actions.refresh_recent()
        self._update_title()
        return True

    def save_as(self) -> bool:
        suggested = str(self.project.path or f"{self.project.name.replace(' ', '_').lower() or 'untitled'}.ndproj")
        target, _ = QFileDialog.getSaveFileName(self, "Save project as", suggested, FILE_FILTER)
        return bool(target) and self.save(target if target.endswith(".ndproj") else target + ".ndproj")

    def may_discard(self) -> bool:
        """True when there are no unsaved changes, or the person saved or discarded them."""
        if self.training.running:
            answer = QMessageBox.question(self, "Training is running", "Stop the training run?",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes or not self.training.stop(wait_s=2.0):
                return False
        if not self.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self._document_name()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event) -> None:
        if self.may_discard():
            settings.save_layout(self.saveGeometry(), self.saveState())
            self.training.stop(wait_s=2.0)
            self.landscape.shutdown(2.0)
            self.lesson.shutdown(2.0)
            self.text_sample.shutdown(2.0)
            self.autosave.stop()
            self.autosave.saved()  # asked about above: nothing is left to recover
            self._drop_scene()
            self.scene = None
            event.accept()
        else:
            event.ignore()

    def _document_name(self) -> str:
        return self.project.path.name if self.project.path else self.project.name

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self._document_name()}[*] — NetDesigner")  # Qt draws the platform's mark
        self.setWindowModified(not self.stack.isClean() or self.weights_changed)

    def mark_weights_changed(self) -> None:
        self.weights_changed = True
        self.autosave.changed()
        self._update_title()

    def has_unsaved_changes(self) -> bool:
        return not self.stack.isClean() or self.weights_changed

    def show_recovered(self, project: Project) -> None:
        """Shows a project restored from a recovery copy: unsaved, its path the person's own file."""
        self._show_project(project)
        self.mark_weights_changed()  # nothing of it is in the person's file yet
        where = f"Save writes it to {project.path}" if project.path else "it has never been saved to a file"
        self.statusBar().showMessage(f"Restored {project.name!r} from its recovery copy: {where}", 15000)

    def set_editing_locked(self, reason: str | None) -> None:
        """While training runs the document refuses edits (``reason`` says why); None unlocks."""
        self.stack.setProperty(LOCK_PROPERTY, reason or "")
        self.scene.set_locked(bool(reason))
        self.inspector.setEnabled(not reason)

    # ---- files dropped on the window ---------------------------------------------------
    def _dropped_file(self, mime: QMimeData) -> Path | None:
        for url in mime.urls():
            path = Path(url.toLocalFile())
            if url.isLocalFile() and path.suffix.lower() in (*OPENABLE, ".onnx"):
                return path
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_path_asking(path)

    # ---- editing -----------------------------------------------------------------------
    def add_layer(self, type_name: str) -> None:
        """Adds a layer at the view's centre, wired after the selected node when that works."""
        graph = self.project.graph
        selected = self.selected_node_ids()
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        position = (centre.x() - WIDTH / 2, centre.y() - HEIGHT / 2)
        after = graph.node(selected[0]) if len(selected) == 1 else None
        if after is not None:
            position = (after.position[0], after.position[1] + HEIGHT + 44)
        self._add(type_name, position, after.id if after is not None and after.output_count() > 0 else None)

    def add_layer_at(self, type_name: str, scene_pos: QPointF) -> None:
        """A layer dropped from the palette: centred where it was dropped, wired to nothing."""
        self._add(type_name, (scene_pos.x() - WIDTH / 2, scene_pos.y() - HEIGHT / 2), None)

    def try_edit(self, edit, text: str) -> bool:
        """Pushes an edit; a refusal (a locked graph, a bad wire) goes to the status bar."""
        try:
            push_edit(self.stack, self.project.graph, edit, text)
        except GraphError as e:
            self.statusBar().showMessage(f"Not changed: {e}", 8000)
            return False
        return True

    def _add(self, type_name: str, position: tuple[float, float], after: str | None) -> None:
        graph = self.project.graph
        try:
            t = layer_type(type_name)
        except GraphError as e:
            self.statusBar().showMessage(str(e), 8000)
            return
        snapped = (round(position[0] / GRID) * GRID, round(position[1] / GRID) * GRID)
        node_id = graph.new_id()
        name = graph.unique_name(t.prefix)
        add = AddNode(node_id, type_name, name, {}, snapped)
        if after is not None:
            try:
                push_edit(self.stack, graph, Group((add, Connect(Edge(after, node_id)))), f"Add {name}")
                self.scene.select_nodes([node_id])
                return
            except GraphError:
                pass  # its output does not fit: add it unwired
        if self.try_edit(add, f"Add {name}"):
            self.scene.select_nodes([node_id])

    def selected_node_ids(self) -> list[str]:
        graph = self.project.graph
        ids = {i.node_id for i in self.scene.selectedItems() if isinstance(i, NodeItem)}
        return [n for n in graph.node_ids() if n in ids]  # document order, not the scene's

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.scene.node_items))

    def delete_selection(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            self.try_edit(Group(tuple(RemoveNode(n) for n in ids)), f"Delete {len(ids)} layer(s)")

    def copy_selection(self) -> bool:
        ids = self.selected_node_ids()
        if not ids:
            return False
        # Plain text (the JSON names its format): a QMimeData made in Python and handed to the
        # clipboard crashed the interpreter at exit (PySide6 6.12).
        QGuiApplication.clipboard().setText(copy_fragment(self.project.graph, ids))
        self.statusBar().showMessage(f"Copied {len(ids)} layer(s)", 4000)
        return True

    def cut_selection(self) -> None:
        if self.copy_selection():
            ids = self.selected_node_ids()
            self.try_edit(Group(tuple(RemoveNode(n) for n in ids)), f"Cut {len(ids)} layer(s)")

    def paste(self, offset: tuple[float, float] = (30.0, 30.0)) -> None:
        text = QGuiApplication.clipboard().text()
        try:
            piece = read_fragment(text)
            edit, ids = paste_edit(self.project.graph, piece, offset)
            push_edit(self.stack, self.project.graph, edit, f"Paste {len(ids)} layer(s)")
        except NetDesignerError as e:
            self.statusBar().showMessage(f"Nothing pasted: {e}", 8000)
            return
        self.scene.select_nodes(ids)

    def duplicate_selection(self) -> None:
        ids = self.selected_node_ids()
        if not ids:
            return
        piece = read_fragment(copy_fragment(self.project.graph, ids))
        edit, new_ids = paste_edit(self.project.graph, piece, (GRID * 4, GRID * 4))
        if self.try_edit(edit, f"Duplicate {len(ids)} layer(s)"):
            self.scene.select_nodes(new_ids)

    def auto_layout(self) -> None:
        if self.try_edit(layout_edit(self.project.graph), "Auto-layout"):
            self.view.fit_all()

    # ---- following the document and the selection ---------------------------------------
    def _on_shapes(self, report, problems) -> None:
        graph = self.project.graph
        self.summary.show_summary(graph, report, problems)
        self.inspector.refresh(report, problems)
        self.code.document_changed()
        errors = [p for p in problems if p.severity is Severity.ERROR]
        text = f"{len(graph)} layers · {human(report.total_params)} parameters · {human(report.total_macs)} MACs"
        if errors:
            first = errors[0].describe(graph).removeprefix("error: ")
            text += f" · {len(errors)} error{'s' if len(errors) > 1 else ''}: {first}"
        self.status.setText(text)

    def _on_selection(self) -> None:
        ids = self.selected_node_ids()
        self.inspector.show_nodes(ids)
        graph = self.project.graph
        self.summary.select_names([graph.node(n).name for n in ids])
        if len(ids) == 1 and self.activations.isVisible():
            self.activations.show_layer(graph.node(ids[0]).name)
        elif len(ids) == 1:
            self.activations.layer = graph.node(ids[0]).name  # drawn when the tab is shown

    def _select_from_summary(self, names: list[str]) -> None:
        graph = self.project.graph
        ids = [graph.find(n).id for n in names if graph.has_name(n)]
        self.scene.select_nodes(ids)
        if ids:
            self.view.ensureVisible(self.scene.node_items[ids[0]], 60, 60)
