"""Mouse gestures on the canvas for the UI tests: real events at the pixels where things are drawn."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from netdesigner.ui.main_window import MainWindow

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def on_screen(window: MainWindow, scene_pos: QPointF) -> QPoint:
    """A scene point in the canvas viewport's pixels, scrolled into view first."""
    window.view.ensureVisible(scene_pos.x() - 5, scene_pos.y() - 5, 10, 10, 80, 80)
    return window.view.mapFromScene(scene_pos)


def drag(qtbot, window: MainWindow, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """A left-button drag on the canvas from one scene point to another, with moves between."""
    viewport = window.view.viewport()
    a = on_screen(window, start)
    b = window.view.mapFromScene(end)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    for i in range(1, steps + 1):
        qtbot.mouseMove(viewport, a + (b - a) * i / steps)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)


def connect_by_mouse(qtbot, window: MainWindow, src: str, dst: str, src_port: int = 0, dst_port: int = 0) -> None:
    graph, scene = window.project.graph, window.scene
    a = scene.node_items[graph.find(src).id]
    b = scene.node_items[graph.find(dst).id]
    drag(qtbot, window, a.output_port_pos(src_port), b.input_port_pos(dst_port))


def forget_changes(window: MainWindow) -> None:
    """Stops training and drops unsaved changes, so closing a test's window asks nothing."""
    window.training.stop(wait_s=10.0)
    window.landscape.shutdown(5.0)
    window.lesson.shutdown(5.0)
    QApplication.processEvents()  # a run's end still queued would mark the weights unsaved after this
    window.stack.setClean()
    window.weights_changed = False


def answer_next_dialog(button: QMessageBox.StandardButton) -> list[str]:
    """Presses ``button`` on the next message box that has it; returns its text once seen."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.button(button) is not None:
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, press)

    QTimer.singleShot(20, press)
    return seen
