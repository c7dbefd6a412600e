"""A wire on the canvas: a smooth curve from an output port to an input port, labelled with its shape."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSimpleTextItem

from netdesigner.core.events import Edge
from netdesigner.ui import theme


def wire_path(start: QPointF, end: QPointF, detour_x: float | None = None) -> QPainterPath:
    """The smooth curve of a wire: leaves an output downwards, enters an input from above.

    With ``detour_x`` the wire runs down beside the layers it skips (a residual connection),
    instead of through them.
    """
    path = QPainterPath(start)
    if detour_x is None:
        bend = max(40.0, abs(end.y() - start.y()) / 2)
        path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
        return path
    path.cubicTo(start + QPointF(0, 40), QPointF(detour_x, start.y() + 10), QPointF(detour_x, start.y() + 60))
    path.lineTo(detour_x, end.y() - 60)
    path.cubicTo(QPointF(detour_x, end.y() - 10), end - QPointF(0, 40), end)
    return path


class EdgeItem(QGraphicsPathItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.setPen(QPen(theme.colours().edge, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        self.setZValue(0)
        self.label = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(7.5)
        self.label.setFont(font)
        self.label.setBrush(theme.colours().muted_text)

    def route(self, start: QPointF, end: QPointF, detour_x: float | None = None) -> None:
        path = wire_path(start, end, detour_x)
        self.setPath(path)
        middle = path.pointAtPercent(0.5)
        self.label.setPos(middle + QPointF(6, -8))

    def set_shape_text(self, text: str, broken: bool = False) -> None:
        self.label.setText(text)
        self.setPen(QPen(theme.colours().error if broken else theme.colours().edge, 1.6, Qt.PenStyle.DashLine if broken else Qt.PenStyle.SolidLine))
