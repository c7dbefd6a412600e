"""Files in the window: save and reopen, recent files, the example gallery, drops, unsaved changes."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from ui_gestures import PROJECTS, answer_next_dialog

from netdesigner.core.project import Project
from netdesigner.core.project_format import graph_to_json
from netdesigner.examples import list_examples
from netdesigner.ui import settings
from netdesigner.ui.gallery import ExampleGallery
from netdesigner.ui.main_window import MainWindow


def test_save_reopen_gives_the_same_document(window: MainWindow, tmp_path) -> None:
    path = tmp_path / "lenet.ndproj"
    shutil.copy(PROJECTS / "lenet5.ndproj", path)
    window.open_file(path)
    graph = window.project.graph
    graph_id = graph.find("fc1").id
    window.scene.select_nodes([graph_id])
    window.inspector._set_param("out_features", 99)
    assert window.isWindowModified()
    assert window.save()
    assert not window.isWindowModified()
    edited = graph_to_json(graph)
    window.open_file(path)
    assert graph_to_json(window.project.graph) == edited


def test_recent_files_remember_opened_projects_and_reopen_them(window: MainWindow, tmp_path) -> None:
    settings.clear_recent_files()
    a, b = tmp_path / "a.ndproj", tmp_path / "b.ndproj"
    shutil.copy(PROJECTS / "lenet5.ndproj", a)
    shutil.copy(PROJECTS / "vae.ndproj", b)
    window.open_file(a)
    window.open_file(b)
    assert settings.recent_files()[:2] == [b.resolve(), a.resolve()]
    menu = window.actions.recent_menu
    entries = [act for act in menu.actions() if act.text().startswith("&")]
    assert [e.text() for e in entries] == ["&1 b.ndproj", "&2 a.ndproj"]
    entries[1].trigger()
    assert window.project.path == a
    a.unlink()
    assert a.resolve() not in settings.recent_files()  # gone from disk: not offered


def test_window_layout_is_remembered(qtbot) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.docks["Summary"].hide()
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.restore_layout()
    second.show()
    assert not second.docks["Summary"].isVisible()
    second.docks["Summary"].show()
    second.close()


def test_gallery_lists_every_example_with_its_description(qtbot) -> None:
    examples = list_examples()
    assert {e.path.name for e in examples} == {p.name for p in PROJECTS.glob("*.ndproj")}
    assert all(e.description for e in examples)
    gallery = ExampleGallery()
    qtbot.addWidget(gallery)
    texts = [gallery.list.item(i).text() for i in range(gallery.list.count())]
    assert len(texts) == len(examples)
    row = texts.index("Backpropagation: Backpropagation and depth")
    taught = [t for t in texts if ": " in t]
    assert taught == texts[:len(taught)], "examples with a lesson come first, in the canon's order"
    gallery.list.setCurrentRow(row)
    page = gallery.details.toPlainText()
    depth = next(e for e in examples if e.path.name == "depth_vanishing_gradients.ndproj")
    assert depth.description in page and depth.look_at[:60] in page
    assert "100× smaller" in page and "It promises" in page


def test_new_from_example_opens_an_unsaved_copy(window: MainWindow, qtbot) -> None:
    example = next(e for e in list_examples() if e.path.name == "vae.ndproj")

    def choose() -> None:
        gallery = QApplication.activeModalWidget()
        if not isinstance(gallery, ExampleGallery):
            QTimer.singleShot(20, choose)
            return
        row = next(i for i in range(gallery.list.count()) if gallery.list.item(i).text().endswith(example.name))
        gallery.list.setCurrentRow(row)
        gallery.done(QDialog.DialogCode.Accepted)

    QTimer.singleShot(20, choose)
    window.actions["example"].trigger()
    assert window.project.name == example.name and window.project.path is None
    assert len(window.project.graph) == len(Project.load(example.path).graph)


def test_dropping_a_project_file_on_the_window_opens_it(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(PROJECTS / "digits_cnn.ndproj"))])
    for cls in (QDragEnterEvent, QDropEvent):
        event = cls(QPointF(40, 40) if cls is QDropEvent else QPoint(40, 40), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, event)
        assert event.isAccepted()
    assert window.project.path == PROJECTS / "digits_cnn.ndproj"


def test_dropping_a_broken_file_says_why_and_keeps_the_document(window: MainWindow, tmp_path) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    before = graph_to_json(window.project.graph)
    bad = tmp_path / "broken.ndproj"
    bad.write_text('{"format": "netdesigner-project", "version": 1, "graph": {"nodes": [')
    seen = answer_next_dialog(QMessageBox.StandardButton.Ok)
    assert not window.open_path_asking(bad)
    assert seen and "broken.ndproj" in seen[0] and "cut short" in seen[0]
    assert graph_to_json(window.project.graph) == before


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(qtbot) -> None:
    win = MainWindow()
    qtbot.addWidget(win, before_close_func=lambda w: w.stack.setClean())
    win.show()
    win.add_layer("Linear")
    seen = answer_next_dialog(QMessageBox.StandardButton.Cancel)
    assert not win.close()
    assert seen == ["Save the changes to Untitled?"] and win.isVisible()
    answer_next_dialog(QMessageBox.StandardButton.Discard)
    assert win.close()
