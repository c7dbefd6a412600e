"""Colours of the canvas: one hue per palette category, calm greys for everything else."""

from __future__ import annotations

from PySide6.QtGui import QColor

from netdesigner.core.layer_type import Category

CATEGORY_COLOURS: dict[Category, str] = {
    Category.IO: "#5b6b7f",
    Category.DENSE: "#3b7dd8",
    Category.CONVOLUTION: "#2a9d8f",
    Category.POOLING: "#56a86b",
    Category.NORMALISATION: "#8e6cc9",
    Category.REGULARISATION: "#b07d48",
    Category.ACTIVATION: "#d9822b",
    Category.RECURRENT: "#c0506a",
    Category.ATTENTION: "#a7489b",
    Category.STRUCTURE: "#6f7f8f",
    Category.PROBABILISTIC: "#c4a000",
}

NODE_FILL = QColor("#fbfbfc")
NODE_BORDER = QColor("#c3c8d0")
NODE_SELECTED = QColor("#2f6fde")
TEXT = QColor("#1f2328")
MUTED_TEXT = QColor("#5d6570")
EDGE = QColor("#8a939e")
ERROR = QColor("#d1242f")
CANVAS = QColor("#eef0f3")
GRID = QColor("#e2e5ea")


def category_colour(category: Category) -> QColor:
    return QColor(CATEGORY_COLOURS[category])
