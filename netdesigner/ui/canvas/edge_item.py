"""A wire on the canvas: a smooth curve from an output port to an input port, labelled with its shape."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from netdesigner.core.events import Edge
from netdesigner.ui import theme


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """The smooth curve of a wire: leaves an output downwards, enters an input from above."""
    path = QPainterPath(start)
    bend = max(40.0, abs(end.y() - start.y()) / 2)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.setPen(QPen(theme.EDGE, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        self.setZValue(0)
        self.label = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(7.5)
        self.label.setFont(font)
        self.label.setBrush(theme.MUTED_TEXT)

    def route(self, start: QPointF, end: QPointF) -> None:
        path = wire_path(start, end)
        self.setPath(path)
        middle = path.pointAtPercent(0.5)
        self.label.setPos(middle + QPointF(6, -8))

    def set_shape_text(self, text: str, broken: bool = False) -> None:
        self.label.setText(text)
        self.setPen(QPen(theme.ERROR if broken else theme.EDGE, 1.6, Qt.PenStyle.DashLine if broken else Qt.PenStyle.SolidLine))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        super().paint(painter, option, widget)

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-4, -4, 4, 4)
