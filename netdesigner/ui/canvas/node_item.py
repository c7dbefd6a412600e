"""A layer on the canvas: name, type with its key parameters, output shape, ports, error badge."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netdesigner.core.graph import Node
from netdesigner.ui import theme

WIDTH, HEIGHT = 190.0, 66.0
PORT_RADIUS = 5.0


def key_params(node: Node, limit: int = 2) -> str:
    """The first parameters that differ in kind from a plain layer, shortly: 'out_channels=6, kernel_size=5×5'."""
    parts = []
    for name, value in list(node.params.items())[:limit]:
        if isinstance(value, tuple):
            value = "×".join(str(v) for v in value)
        parts.append(f"{name}={value}")
    return ", ".join(parts)


class NodeItem(QGraphicsItem):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self._node = node
        self.shape_text = ""
        self.error: str | None = None
        self.highest_input = -1  # highest connected input port; a variadic layer shows one more
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setPos(*node.position)
        self.setZValue(1)

    # ---- geometry ----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-PORT_RADIUS - 8, -PORT_RADIUS - 2, WIDTH + 2 * PORT_RADIUS + 16, HEIGHT + 2 * PORT_RADIUS + 4)

    def input_count(self) -> int:
        t = self._node.layer_type
        return max(t.min_inputs or 0, self.highest_input + 2) if t.variadic else len(t.inputs)

    def input_port_at(self, scene_pos: QPointF) -> int | None:
        for port in range(self.input_count()):
            if (self.input_port_pos(port) - scene_pos).manhattanLength() <= 2 * PORT_RADIUS + 4:
                return port
        return None

    def output_port_at(self, scene_pos: QPointF) -> int | None:
        for port in range(self._node.output_count()):
            if (self.output_port_pos(port) - scene_pos).manhattanLength() <= 2 * PORT_RADIUS + 4:
                return port
        return None

    def input_port_pos(self, port: int, count: int | None = None) -> QPointF:
        count = max(count or self.input_count(), port + 1)
        return self.mapToScene(QPointF(WIDTH * (port + 1) / (count + 1), 0.0))

    def output_port_pos(self, port: int) -> QPointF:
        count = max(self._node.output_count(), 1)
        return self.mapToScene(QPointF(WIDTH * (port + 1) / (count + 1), HEIGHT))

    # ---- state from the document -------------------------------------------------------
    def refresh(self, node: Node, shape_text: str, error: str | None, highest_input: int = -1) -> None:
        self._node = node
        self.prepareGeometryChange()
        self.highest_input = highest_input
        self.shape_text = shape_text
        self.error = error
        self.setToolTip(error or f"{node.name} ({node.type})\n{node.layer_type.doc}")
        self.update()

    # ---- painting ----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        node = self._node
        colour = theme.category_colour(node.layer_type.category)
        body = QRectF(0, 0, WIDTH, HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = theme.ERROR if self.error else (theme.NODE_SELECTED if self.isSelected() else theme.NODE_BORDER)
        painter.setPen(QPen(border, 2.0 if self.isSelected() or self.error else 1.0))
        painter.setBrush(theme.NODE_FILL)
        painter.drawRoundedRect(body, 7, 7)
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(0, 0, 6, HEIGHT), 3, 3)
        painter.fillPath(stripe, colour)

        painter.setPen(theme.TEXT)
        font = QFont(painter.font())
        font.setPointSizeF(9.5)
        font.setBold(True)
        painter.setFont(font)
        bold_metrics = painter.fontMetrics()
        font.setBold(False)
        font.setPointSizeF(8.0)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        type_width = metrics.horizontalAdvance(node.type) + 8
        name = bold_metrics.elidedText(node.name, Qt.TextElideMode.ElideRight, int(WIDTH - 20 - type_width))
        painter.setPen(colour.darker(120))
        painter.drawText(QRectF(14, 4, WIDTH - 20, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, node.type)
        font.setBold(True)
        font.setPointSizeF(9.5)
        painter.setFont(font)
        painter.setPen(theme.TEXT)
        painter.drawText(QRectF(14, 4, WIDTH - 20, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        font.setBold(False)
        font.setPointSizeF(8.0)
        painter.setFont(font)
        painter.setPen(theme.MUTED_TEXT)
        params = metrics.elidedText(key_params(node), Qt.TextElideMode.ElideRight, int(WIDTH - 20))
        painter.drawText(QRectF(14, 23, WIDTH - 20, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, params)
        painter.setPen(theme.ERROR if self.error else theme.TEXT)
        shape = "⚠ " + (self.error or "") if self.error else ("→ " + self.shape_text if self.shape_text else "")
        shape = metrics.elidedText(shape, Qt.TextElideMode.ElideRight, int(WIDTH - 20))
        painter.drawText(QRectF(14, 41, WIDTH - 20, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shape)

        painter.setPen(QPen(theme.NODE_BORDER.darker(130), 1.0))
        painter.setBrush(QBrush(colour))
        for port in range(self.input_count()):
            painter.drawEllipse(self.mapFromScene(self.input_port_pos(port)), PORT_RADIUS, PORT_RADIUS)
        for port in range(node.output_count()):
            painter.drawEllipse(self.mapFromScene(self.output_port_pos(port)), PORT_RADIUS, PORT_RADIUS)
        if self.error:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.ERROR)
            painter.drawEllipse(QPointF(WIDTH, 0), 8, 8)
            painter.setPen(theme.NODE_FILL)
            painter.drawText(QRectF(WIDTH - 8, -8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene() is not None:
            self.scene().node_item_moved(self)
        return super().itemChange(change, value)
