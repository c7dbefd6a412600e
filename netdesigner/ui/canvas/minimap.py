"""A small map of the whole graph in the canvas corner: where you are, and a click to go elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap
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
        self._layer: QPixmap | None = None  # the nodes drawn small, redrawn only when the scene changes
        view.view_changed.connect(self._redraw.start)

    def place(self) -> None:
        area = self.view.viewport().geometry()
        self.move(area.right() - SIZE[0] - MARGIN, area.bottom() - SIZE[1] - MARGIN)

    def watch(self, scene) -> None:
        scene.changed.connect(self._scene_changed)
        self._scene_changed()

    def _scene_changed(self) -> None:
        self._layer = None
        self._redraw.start()

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        """The scene rectangle shown, the scale, and the offset that centres it in the widget."""
        scene = self.view.scene()
        rect = scene.itemsBoundingRect().adjusted(-60, -60, 60, 60) if scene else QRectF()
        if rect.isEmpty():
            rect = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        scale = min((self.width() - 8) / max(rect.width(), 1), (self.height() - 8) / max(rect.height(), 1))
        offset = QPointF((self.width() - rect.width() * scale) / 2, (self.height() - rect.height() * scale) / 2)
        return rect, scale, offset

    def paintEvent(self, event) -> None:
        if self.view.scene() is None:
            return
        if self._layer is None or self._layer.size() != self.size():
            self._layer = self._draw_layer()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._layer)
        rect, scale, offset = self._mapping()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        box = QRectF((visible.topLeft() - rect.topLeft()) * scale + offset, visible.size() * scale)
        painter.setClipRect(QRectF(self.rect()).adjusted(2, 2, -2, -2))
        painter.setPen(QPen(theme.colours().node_selected, 1.5))
        painter.drawRect(box)

    def _draw_layer(self) -> QPixmap:
        c = theme.colours()
        layer = QPixmap(self.size())
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(c.node_fill)
        background.setAlpha(225)
        painter.setPen(QPen(c.node_border, 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        rect, scale, offset = self._mapping()
        painter.setPen(Qt.PenStyle.NoPen)
        for item in self.view.scene().node_items.values():
            painter.setBrush(c.error if item.error else theme.category_colour(item.node.layer_type.category))
            top_left = (item.pos() - rect.topLeft()) * scale + offset
            painter.drawRect(QRectF(top_left.x(), top_left.y(), max(WIDTH * scale, 2), max(HEIGHT * scale, 1.5)))
        painter.end()
        return layer

    def _go(self, event: QMouseEvent) -> None:
        rect, scale, offset = self._mapping()
        self.view.centerOn((event.position() - offset) / scale + rect.topLeft())
        self.view.view_changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event)
