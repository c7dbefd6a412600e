"""The canvas view: zoom around the cursor, pan with the middle button, fit the whole graph."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from netdesigner.ui import theme


class GraphView(QGraphicsView):
    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.0015 ** event.angleDelta().y()
        self.zoom(factor)

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(0.05 / current, min(factor, 4.0 / current))
        self.scale(factor, factor)

    def show_start(self, readable_zoom: float = 0.6) -> None:
        """The whole graph if it is readable at that size, else its top at a readable zoom."""
        self.fit_all()
        if self.transform().m11() < readable_zoom:
            rect = self.scene().itemsBoundingRect()
            self.resetTransform()
            self.scale(readable_zoom, readable_zoom)
            visible = self.mapToScene(self.viewport().rect()).boundingRect()
            self.centerOn(rect.center().x(), rect.top() + visible.height() / 2 - 40)

    def fit_all(self) -> None:
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        if self.transform().m11() < 0.4:
            return
        step = 20
        painter.setPen(QPen(theme.GRID, 0))
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(rect.top()) % step
        for x in range(left, int(rect.right()) + 1, step):
            painter.drawLine(x, int(rect.top()), x, int(rect.bottom()))
        for y in range(top, int(rect.bottom()) + 1, step):
            painter.drawLine(int(rect.left()), y, int(rect.right()), y)
