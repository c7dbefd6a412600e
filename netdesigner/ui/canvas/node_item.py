"""A layer on the canvas: name, type with its key parameters, output shape, ports, error badge."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
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


_BOUNDS = QRectF(-PORT_RADIUS - 8, -PORT_RADIUS - 2, WIDTH + 2 * PORT_RADIUS + 16, HEIGHT + 2 * PORT_RADIUS + 4)
_FONTS: list[QFont] = []


def _fonts() -> tuple[QFont, QFont]:
    """The title and small fonts, made once (a node paints often)."""
    if not _FONTS:
        title, small = QFont(), QFont()
        title.setPointSizeF(9.5)
        title.setBold(True)
        small.setPointSizeF(8.0)
        _FONTS.extend((title, small))
    return _FONTS[0], _FONTS[1]


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

    @property
    def node(self) -> Node:
        """The document's node as last drawn."""
        return self._node

    # ---- geometry ----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return _BOUNDS  # asked several times per item per frame: no new rectangle each time

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
        if painter.worldTransform().m11() < 0.3 and not self.error and not self.isSelected():
            painter.fillRect(body, colour)  # a whole graph at a glance: one block per layer
            return
        c = theme.colours()
        title_font, small_font = _fonts()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = c.error if self.error else (c.node_selected if self.isSelected() else c.node_border)
        painter.setPen(QPen(border, 2.0 if self.isSelected() or self.error else 1.0))
        painter.setBrush(c.node_fill)
        painter.drawRoundedRect(body, 7, 7)
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(0, 0, 6, HEIGHT), 3, 3)
        painter.fillPath(stripe, colour)
        if painter.worldTransform().m11() < 0.35:  # too small to read: the box and its colour are enough
            return

        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        type_width = metrics.horizontalAdvance(node.type) + 8
        painter.setPen(colour.lighter(130) if c.dark else colour.darker(120))
        painter.drawText(QRectF(14, 4, WIDTH - 20, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, node.type)
        params = metrics.elidedText(key_params(node), Qt.TextElideMode.ElideRight, int(WIDTH - 20))
        painter.setPen(c.muted_text)
        painter.drawText(QRectF(14, 23, WIDTH - 20, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, params)
        painter.setPen(c.error if self.error else c.text)
        shape = "⚠ " + (self.error or "") if self.error else ("→ " + self.shape_text if self.shape_text else "")
        shape = metrics.elidedText(shape, Qt.TextElideMode.ElideRight, int(WIDTH - 20))
        painter.drawText(QRectF(14, 41, WIDTH - 20, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shape)
        painter.setFont(title_font)
        name = painter.fontMetrics().elidedText(node.name, Qt.TextElideMode.ElideRight, int(WIDTH - 20 - type_width))
        painter.setPen(c.text)
        painter.drawText(QRectF(14, 4, WIDTH - 20, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

        painter.setPen(QPen(c.node_border.darker(130), 1.0))
        painter.setBrush(QBrush(colour))
        for port in range(self.input_count()):
            painter.drawEllipse(self.mapFromScene(self.input_port_pos(port)), PORT_RADIUS, PORT_RADIUS)
        for port in range(node.output_count()):
            painter.drawEllipse(self.mapFromScene(self.output_port_pos(port)), PORT_RADIUS, PORT_RADIUS)
        if self.error:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.error)
            painter.drawEllipse(QPointF(WIDTH, 0), 8, 8)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(QRectF(WIDTH - 8, -8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene() is not None:
            self.scene().node_item_moved(self)
        return super().itemChange(change, value)
