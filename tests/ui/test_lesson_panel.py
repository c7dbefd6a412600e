"""The Lesson tab: an example's lesson shown, its results checked by real training on a worker
thread (driven by real clicks), stopped on demand, and a variant opened as a new document."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_gestures import PROJECTS

from netdesigner.ui.lesson_panel import NO_LESSON
from netdesigner.ui.main_window import MainWindow

DEPTH = PROJECTS / "depth_vanishing_gradients.ndproj"


def test_an_example_opens_on_its_lesson(window: MainWindow) -> None:
    window.open_file(DEPTH)
    panel = window.lesson
    assert window.plot_tabs.currentWidget() is panel
    text = panel.text.toPlainText()
    assert "Backpropagation" in text and "What to look at" in text and "100× smaller" in text
    assert [panel.variants.itemText(i) for i in range(panel.variants.count())] == ["sigmoid", "ReLU + BatchNorm"]
    assert panel.check_button.isEnabled() and not panel.stop_button.isEnabled()


def test_check_the_results_trains_both_variants_and_marks_each_claim(window: MainWindow, qtbot) -> None:
    window.open_file(DEPTH)
    panel = window.lesson
    before = DEPTH.read_bytes()
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.worker.running and panel.stop_button.isEnabled() and not panel.check_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=120_000)
    report = panel.report
    assert report is not None and report.holds
    assert set(report.runs) == {"sigmoid", "ReLU + BatchNorm"}
    assert panel.shown_curves() == {"sigmoid": 8, "ReLU + BatchNorm": 8}
    text = panel.text.toPlainText()
    assert text.count("✓") == len(window.project.lesson.claims) and "measured" in text
    assert DEPTH.read_bytes() == before and window.project.weights is None and window.stack.isClean()


def test_stop_ends_a_check_without_results(window: MainWindow, qtbot) -> None:
    window.open_file(DEPTH)
    panel = window.lesson
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.worker.running, timeout=60_000)
    assert panel.report is None
    assert "Stopped" in panel.text.toPlainText() and panel.check_button.isEnabled()


def test_open_variant_shows_its_graph_as_a_new_document(window: MainWindow, qtbot) -> None:
    window.open_file(DEPTH)
    panel = window.lesson
    panel.variants.setCurrentText("ReLU + BatchNorm")
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    project = window.project
    assert project.path is None and project.name.endswith("ReLU + BatchNorm")
    assert sum(n.type == "BatchNorm1d" for n in project.graph.nodes()) == 8
    assert not any(n.type == "Sigmoid" for n in project.graph.nodes())
    assert len(window.scene.node_items) == len(project.graph)


def test_a_project_without_a_lesson_says_where_lessons_are(window: MainWindow) -> None:
    window.open_file(PROJECTS / "lenet5.ndproj")
    panel = window.lesson
    assert window.plot_tabs.currentWidget() is window.plots
    assert panel.text.toPlainText().startswith(NO_LESSON[:40])
    assert not panel.check_button.isEnabled() and not panel.open_button.isEnabled()
