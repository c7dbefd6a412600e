"""Colours of the canvas: one hue per palette category, calm greys for everything else.

Two sets, light and dark; the canvas uses the one that matches the application's palette, so
it follows the system's light or dark mode (and ``--theme``) without settings of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

from netdesigner.core.layer_type import Category
from netdesigner.shipped_folders import resources_folder

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


@dataclass(frozen=True)
class Colours:
    node_fill: QColor
    node_border: QColor
    node_selected: QColor
    text: QColor
    muted_text: QColor
    edge: QColor
    error: QColor
    canvas: QColor
    grid: QColor
    dark: bool


LIGHT = Colours(
    node_fill=QColor("#fbfbfc"), node_border=QColor("#c3c8d0"), node_selected=QColor("#2f6fde"),
    text=QColor("#1f2328"), muted_text=QColor("#5d6570"), edge=QColor("#8a939e"),
    error=QColor("#d1242f"), canvas=QColor("#eef0f3"), grid=QColor("#e2e5ea"), dark=False,
)
DARK = Colours(
    node_fill=QColor("#2b2f36"), node_border=QColor("#4a505a"), node_selected=QColor("#5b9bff"),
    text=QColor("#e6e8eb"), muted_text=QColor("#a3abb6"), edge=QColor("#7d8694"),
    error=QColor("#ff5c5c"), canvas=QColor("#1c1f24"), grid=QColor("#252930"), dark=True,
)
ERROR = LIGHT.error  # for widgets' text, readable on both


def colours() -> Colours:
    """The set that matches the application's window colour."""
    app = QGuiApplication.instance()
    if app is None:
        return LIGHT
    return DARK if QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


RESOURCES = resources_folder()  # in the package (a wheel, the bundle) or beside it (a checkout)


def app_icon() -> QIcon:
    return QIcon(str(RESOURCES / "icons" / "netdesigner.svg"))


_CATEGORY_QCOLOURS: dict[Category, QColor] = {}


def category_colour(category: Category) -> QColor:
    """The category's hue (one shared QColor per category: nodes ask for it on every paint)."""
    colour = _CATEGORY_QCOLOURS.get(category)
    if colour is None:
        colour = _CATEGORY_QCOLOURS[category] = QColor(CATEGORY_COLOURS[category])
    return colour


def apply_scheme(scheme: str) -> None:
    """'light', 'dark' or 'system': sets the application's colour scheme and a matching palette."""
    app = QGuiApplication.instance()
    if scheme == "system" or app is None:
        return
    dark = scheme == "dark"
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    app.setStyle("Fusion")
    app.setPalette(_palette(DARK if dark else LIGHT))


def _palette(c: Colours) -> QPalette:
    p = QPalette()
    base = QColor("#23262c") if c.dark else QColor("#ffffff")
    window = QColor("#2a2d33") if c.dark else QColor("#f3f4f6")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.node_selected,
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted_text,
        QPalette.ColorRole.Mid: c.node_border,
    }
    for role, colour in roles.items():
        p.setColor(role, colour)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, c.muted_text)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, c.muted_text)
    return p
