"""A small map of the whole graph in the canvas corner: where you are, and a click to go elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from netdesigner.ui import theme
from netdesigner.ui.canvas.node_item import HEIGHT, WIDTH

SIZE = (180, 130)
MARGIN = 10


class MiniMap(QWidget):
    def __init__(self, view) -> None:
        super().__init__(view)
        self.view = view
        self.resize(*SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Map of the whole graph: click or drag to move the view")
        self._redraw = QTimer(self, singleShot=True, interval=30, timeout=self.update)
        view.view_changed.connect(self._redraw.start)

    def place(self) -> None:
        area = self.view.viewport().geometry()
        self.move(area.right() - SIZE[0] - MARGIN, area.bottom() - SIZE[1] - MARGIN)

    def watch(self, scene) -> None:
        scene.changed.connect(self._redraw.start)
        self._redraw.start()

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        """The scene rectangle shown, the scale, and the offset that centres it in the widget."""
        scene = self.view.scene()
        rect = scene.itemsBoundingRect().adjusted(-60, -60, 60, 60) if scene else QRectF()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        rect = rect.united(visible) if not rect.isEmpty() else visible
        scale = min((self.width() - 8) / max(rect.width(), 1), (self.height() - 8) / max(rect.height(), 1))
        offset = QPointF((self.width() - rect.width() * scale) / 2, (self.height() - rect.height() * scale) / 2)
        return rect, scale, offset

    def paintEvent(self, event) -> None:
        scene = self.view.scene()
        if scene is None:
            return
        c = theme.colours()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(c.node_fill)
        background.setAlpha(225)
        painter.setPen(QPen(c.node_border, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        rect, scale, offset = self._mapping()

        def to_map(p: QPointF) -> QPointF:
            return (p - rect.topLeft()) * scale + offset

        painter.setPen(Qt.PenStyle.NoPen)
        for item in scene.node_items.values():
            painter.setBrush(c.error if item.error else theme.category_colour(item.node.layer_type.category))
            box = item.mapRectToScene(QRectF(0, 0, WIDTH, HEIGHT))
            painter.drawRect(QRectF(to_map(box.topLeft()), to_map(box.bottomRight())))
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        painter.setPen(QPen(c.node_selected, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(to_map(visible.topLeft()), to_map(visible.bottomRight())))

    def _go(self, event: QMouseEvent) -> None:
        rect, scale, offset = self._mapping()
        self.view.centerOn((event.position() - offset) / scale + rect.topLeft())
        self.view.view_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event)
