"""The Qt binding must not lose references to None: PySide6 6.12.0 did in every void QPainter
call, and after a few thousand paints Python 3.11 aborted with "deallocating None"."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter


def test_painting_keeps_none_alive(qtbot) -> None:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(500):
            painter.drawLine(0, 0, 5, 5)
            painter.drawRect(QRectF(0, 0, 5, 5))
            painter.drawEllipse(QPointF(3, 3), 2, 2)
            painter.drawLines([QPointF(0, 0), QPointF(9, 9)])
            painter.setBrush(QColor("red"))
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 100, f"{lost} references to None lost in 2,500 QPainter calls: use another PySide6 release"
