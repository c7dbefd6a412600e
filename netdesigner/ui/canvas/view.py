"""The canvas view: zoom around the cursor, pan (middle button or space-drag), fit, and drops.

A layer dragged from the palette arrives here as a drop carrying its type name; the view only
reports where it landed (``layer_dropped``) and the window turns that into an edit.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView

from netdesigner.ui import theme
from netdesigner.ui.canvas.minimap import MiniMap

LAYER_MIME_TYPE = "application/x-netdesigner-layer-type"
LABELS_FROM_ZOOM = 0.45  # wire labels below this zoom are too small to read and cost frames


class GraphView(QGraphicsView):
    layer_dropped = Signal(str, QPointF)  # layer type name, scene position
    view_changed = Signal()

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self._pan_from: QPoint | None = None
        self._space_held = False
        self.minimap = MiniMap(self)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self.view_changed)
        self.view_changed.connect(self._level_of_detail)

    def _level_of_detail(self) -> None:
        if self.scene() is not None:
            self.scene().show_labels(self.transform().m11() >= LABELS_FROM_ZOOM)

    # ---- zoom and fit ------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.0015 ** event.angleDelta().y()
        self.zoom(factor)

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.05 / current, min(factor, 4.0 / current))
        self.scale(factor, factor)
        self.view_changed.emit()

    def show_start(self, readable_zoom: float = 0.6) -> None:
        """The whole graph if it is readable at that size, else its top at a readable zoom."""
        self.fit_all()
        if self.transform().m11() < readable_zoom:
            rect = self.scene().itemsBoundingRect()
            self.resetTransform()
            self.scale(readable_zoom, readable_zoom)
            visible = self.mapToScene(self.viewport().rect()).boundingRect()
            self.centerOn(rect.center().x(), rect.top() + visible.height() / 2 - 40)
        self.view_changed.emit()

    def fit_all(self) -> None:
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())
        self.view_changed.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.minimap.place()

    # ---- pan ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space_held and event.button() == Qt.MouseButton.LeftButton
        ):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            now = event.position().toPoint()
            self.pan_by(now - self._pan_from)
            self._pan_from = now
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space_held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, delta: QPoint) -> None:
        """Moves the content with the mouse: dragging right shows what lay to the left."""
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())

    # ---- drops from the palette --------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()  # files go on to the window

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(LAYER_MIME_TYPE):
            event.ignore()
            return
        type_name = bytes(event.mimeData().data(LAYER_MIME_TYPE)).decode()
        self.layer_dropped.emit(type_name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    # ---- background --------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        if self.transform().m11() < 0.4:
            return
        step = 20
        painter.setPen(QPen(theme.colours().grid, 0))
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(rect.top()) % step
        lines = [QPointF(x, rect.top()) for x in range(left, int(rect.right()) + 1, step)]
        painter.drawLines([p for x in lines for p in (x, QPointF(x.x(), rect.bottom()))])
        rows = [QPointF(rect.left(), y) for y in range(top, int(rect.bottom()) + 1, step)]
        painter.drawLines([p for y in rows for p in (y, QPointF(rect.right(), y.y()))])
