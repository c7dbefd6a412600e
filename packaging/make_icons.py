"""Renders the application icon (``resources/icons/netdesigner.svg``, the one the window uses)
into the sizes Linux desktops look up in the hicolor icon theme, under ``packaging/icons/``.

The PNGs are kept in the repository so installing the desktop files needs no Qt; run this
again after changing the SVG:  .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "netdesigner.svg"
APP_ID = "io.github.netdesigner.NetDesigner"  # the desktop entry's and the metainfo's id
SIZES = (16, 32, 48, 64, 128, 256)
THEME = Path(__file__).resolve().parent / "icons" / "hicolor"


def render(size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a readable SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):
        raise SystemExit(f"could not write {target}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])  # QPainter on a QImage wants one (fonts, SVG text)
    for size in SIZES:
        target = THEME / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        render(size, target)
        print(target.relative_to(ROOT))
    scalable = THEME / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    print(scalable.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
