"""The window's menus and shortcuts, following platform habits (QKeySequence's standard keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from netdesigner.ui import settings
from netdesigner.ui.gallery import ExampleGallery

if TYPE_CHECKING:
    from netdesigner.ui.main_window import MainWindow

Key = QKeySequence.StandardKey


@dataclass
class WindowActions:
    """The actions other code needs to reach (tests, the recent-files list)."""

    window: MainWindow
    recent_menu: QMenu
    by_name: dict[str, QAction]

    def refresh_recent(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for i, path in enumerate(files):
            action = self.recent_menu.addAction(f"&{i + 1} {path.name}" if i < 9 else path.name)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.window.open_path_asking(p))
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list")
        clear.setEnabled(bool(files))
        clear.triggered.connect(lambda: (settings.clear_recent_files(), self.refresh_recent()))

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]


def _choose_example(window: MainWindow) -> None:
    gallery = ExampleGallery(window)
    if gallery.exec() and gallery.chosen_path() is not None:
        window.new_from_example(gallery.chosen_path())


def _start_training(window: MainWindow) -> None:
    window.docks["Training"].raise_()
    window.docks["Plots"].show()
    window.training.start()


def _show_landscape(window: MainWindow) -> None:
    window.docks["Plots"].show()
    if window.docks["Plots"].height() < 400:  # the heat map needs room to be read
        window.resizeDocks([window.docks["Plots"]], [430], Qt.Orientation.Vertical)
    window.plot_tabs.setCurrentWidget(window.landscape)
    window.landscape.compute()


def _export(window: MainWindow) -> None:
    """File > Export…: a modal dialog over the current project (its graph as drawn, its weights)."""
    from netdesigner.ui.export_dialog import ExportDialog

    window.export_dialog = ExportDialog(window.project, window)
    window.export_dialog.exec()


def _about(window: MainWindow) -> None:
    """Help > About: the versions for a bug report; it does not block the window."""
    from netdesigner.ui.about_dialog import show_about

    show_about(window)


def _import_torch(window: MainWindow) -> None:
    from netdesigner.ui.torch_import_dialog import import_torch_module

    import_torch_module(window)


def build_menus(window: MainWindow) -> WindowActions:
    bar = window.menuBar()
    actions: dict[str, QAction] = {}

    def add(menu: QMenu, name: str, text: str, slot, *keys) -> QAction:
        action = QAction(text, window)
        if keys:
            action.setShortcuts([k if isinstance(k, QKeySequence) else QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        actions[name] = action
        return action

    file = bar.addMenu("&File")
    add(file, "new", "&New", window.new_project, Key.New)
    add(file, "example", "New from &example…", lambda: _choose_example(window), "Ctrl+Shift+N")
    add(file, "open", "&Open…", window.open_dialog, Key.Open)
    recent = file.addMenu("Open &Recent")
    file.addSeparator()
    add(file, "save", "&Save", window.save, Key.Save)
    add(file, "save_as", "Save &As…", window.save_as, Key.SaveAs)
    add(file, "export", "&Export…", lambda: _export(window), "Ctrl+E")
    add(file, "import_torch", "&Import PyTorch module…", lambda: _import_torch(window))
    file.addSeparator()
    add(file, "close", "&Close", window.new_project, Key.Close)
    add(file, "quit", "&Quit", window.close, Key.Quit)

    edit = bar.addMenu("&Edit")
    undo = window.stack.createUndoAction(window, "&Undo")
    undo.setShortcuts([QKeySequence(Key.Undo)])
    redo = window.stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    edit.addActions([undo, redo])
    actions["undo"], actions["redo"] = undo, redo
    history = window.docks["History"].toggleViewAction()
    history.setText("&History")
    history.setShortcut(QKeySequence("Ctrl+H"))
    edit.addAction(history)
    edit.addSeparator()
    add(edit, "cut", "Cu&t", window.cut_selection, Key.Cut)
    add(edit, "copy", "&Copy", window.copy_selection, Key.Copy)
    add(edit, "paste", "&Paste", window.paste, Key.Paste)
    add(edit, "duplicate", "D&uplicate", window.duplicate_selection, "Ctrl+D")
    add(edit, "delete", "&Delete", window.delete_selection, Key.Delete, "Backspace")
    add(edit, "select_all", "Select &All", window.select_all, Key.SelectAll)
    edit.addSeparator()
    add(edit, "layout", "Auto-&layout", window.auto_layout, "Ctrl+L")

    view = bar.addMenu("&View")
    add(view, "fit", "&Fit graph", window.view.fit_all, "F")
    add(view, "zoom_in", "Zoom &in", lambda: window.view.zoom(1.25), Key.ZoomIn, "Ctrl+=")
    add(view, "zoom_out", "Zoom &out", lambda: window.view.zoom(0.8), Key.ZoomOut)
    add(view, "zoom_reset", "&Actual size", lambda: (window.view.resetTransform(), window.view.view_changed.emit()), "Ctrl+0")
    minimap = add(view, "minimap", "&Mini-map", lambda: window.view.minimap.setVisible(actions["minimap"].isChecked()))
    minimap.setCheckable(True)
    minimap.setChecked(True)
    view.addSeparator()
    for name in ("Layers", "Inspector", "Training", "Summary", "Plots"):
        view.addAction(window.docks[name].toggleViewAction())

    train = bar.addMenu("&Train")
    add(train, "train_start", "&Start / Continue", lambda: _start_training(window), "Ctrl+R")
    add(train, "train_pause", "&Pause / Resume", window.training.toggle_pause, "Ctrl+Shift+P")
    add(train, "train_stop", "S&top", window.training.stop, "Ctrl+.")
    train.addSeparator()
    add(train, "landscape", "Loss &landscape", lambda: _show_landscape(window), "Ctrl+Shift+L")
    train.addSeparator()
    add(train, "train_reset", "&Reset weights", window.training.reset_weights)

    help_menu = bar.addMenu("&Help")
    about = add(help_menu, "about", "&About NetDesigner", lambda: _about(window))
    about.setMenuRole(QAction.MenuRole.AboutRole)  # macOS moves it to the application menu

    result = WindowActions(window, recent, actions)
    result.refresh_recent()
    return result
