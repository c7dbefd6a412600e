"""A ``ModelPicture`` as a PNG without Qt (Pillow), for ``netdesigner picture``: the decision
boundary with the training points, the learned curve over the points, a GAN's samples over the
data, or grey image mosaics (reconstructions, filters, generated images), with the title above
and the caption below."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from netdesigner.analysis.boundary import hue_rgb
from netdesigner.analysis.model_picture import ModelPicture, PictureKind

PLOT = 420  # the picture's side in pixels
MARGIN = 50
WIDTH, HEIGHT = PLOT + 2 * MARGIN, PLOT + 2 * MARGIN + 30
CAPTION_CHARACTERS = 80  # per line under the picture
CURVE_COLOUR = (217, 130, 43)
REAL_COLOUR = (190, 190, 190)  # the data under a GAN's samples: faint


def picture_png(path: str | Path, picture: ModelPicture) -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 14), picture.title, fill="black")
    if picture.kind is PictureKind.BOUNDARY:
        _boundary(image, draw, picture)
    elif picture.kind is PictureKind.CURVE:
        _curve(draw, picture)
    elif picture.samples is not None:
        _samples(draw, picture)
    else:
        _mosaic(image, picture.mosaic)
    caption = "\n".join(textwrap.wrap(picture.caption, CAPTION_CHARACTERS))
    draw.multiline_text((MARGIN, MARGIN + PLOT + 18), caption, fill=(80, 80, 80))
    image.save(path, format="PNG")


def _boundary(image: Image.Image, draw: ImageDraw.ImageDraw, picture: ModelPicture) -> None:
    b = picture.boundary
    regions = Image.fromarray(b.colours()[::-1].copy()).resize((PLOT, PLOT), Image.Resampling.BILINEAR)  # ys up
    image.paste(regions, (MARGIN, MARGIN))
    x0, x1, y0, y1 = float(b.xs[0]), float(b.xs[-1]), float(b.ys[0]), float(b.ys[-1])
    for (px, py), label in zip(picture.points, picture.targets, strict=True):
        cx = MARGIN + (px - x0) / (x1 - x0) * PLOT
        cy = MARGIN + PLOT - (py - y0) / (y1 - y0) * PLOT
        colour = tuple(int(c) for c in hue_rgb(int(label)))
        draw.ellipse([cx - 3, cy - 3, cx + 3, cy + 3], fill=colour, outline="white")
    _frame(draw, (x0, x1), (y0, y1), "feature 1", "feature 2")


def _curve(draw: ImageDraw.ImageDraw, picture: ModelPicture) -> None:
    xs, ys = picture.curve
    px_, py_ = picture.points, picture.targets
    x0, x1 = float(min(xs.min(), px_.min())), float(max(xs.max(), px_.max()))
    finite = np.concatenate([ys[np.isfinite(ys)], py_[np.isfinite(py_)]])
    y0, y1 = float(finite.min()), float(finite.max())
    if y1 <= y0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad = (y1 - y0) * 0.05
    y0, y1 = y0 - pad, y1 + pad

    def at(x: float, y: float) -> tuple[float, float]:
        return MARGIN + (x - x0) / (x1 - x0) * PLOT, MARGIN + PLOT - (y - y0) / (y1 - y0) * PLOT

    for x, y in zip(px_, py_, strict=True):
        cx, cy = at(float(x), float(y))
        draw.ellipse([cx - 2, cy - 2, cx + 2, cy + 2], fill=tuple(int(c) for c in hue_rgb(0)))
    line = [at(float(x), float(y)) for x, y in zip(xs, ys, strict=True) if np.isfinite(y)]
    if len(line) > 1:
        draw.line(line, fill=CURVE_COLOUR, width=3)
    _frame(draw, (x0, x1), (y0, y1), "input", "output")


def _samples(draw: ImageDraw.ImageDraw, picture: ModelPicture) -> None:
    """Generated points (orange) over the real ones (grey), on the real data's square plane."""
    from netdesigner.analysis.boundary import plane_of

    x0, x1, y0, y1 = plane_of(picture.points)
    side = max(x1 - x0, y1 - y0)  # equal scales: a ring stays round
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x0, x1, y0, y1 = cx - side / 2, cx + side / 2, cy - side / 2, cy + side / 2

    def dots(points: np.ndarray, colour: tuple[int, int, int], r: float) -> None:
        for px, py in points:
            if not (np.isfinite(px) and np.isfinite(py)) or not (x0 <= px <= x1 and y0 <= py <= y1):
                continue
            u = MARGIN + (px - x0) / side * PLOT
            v = MARGIN + PLOT - (py - y0) / side * PLOT
            draw.ellipse([u - r, v - r, u + r, v + r], fill=colour)

    dots(picture.points, REAL_COLOUR, 1.5)
    dots(picture.samples, CURVE_COLOUR, 2.0)
    _frame(draw, (x0, x1), (y0, y1), "x1", "x2")


def _mosaic(image: Image.Image, mosaic: np.ndarray) -> None:
    grey = (np.where(np.isnan(mosaic), 1.0, np.clip(mosaic, 0, 1)) * 255).astype(np.uint8)
    scale = max(1, PLOT // max(grey.shape))
    tiles = Image.fromarray(grey).resize((grey.shape[1] * scale, grey.shape[0] * scale), Image.Resampling.NEAREST)
    image.paste(tiles, (MARGIN + (PLOT - tiles.width) // 2, MARGIN + (PLOT - tiles.height) // 2))


def _frame(draw: ImageDraw.ImageDraw, xr: tuple[float, float], yr: tuple[float, float], x_label: str, y_label: str) -> None:
    draw.rectangle([MARGIN, MARGIN, MARGIN + PLOT, MARGIN + PLOT], outline="black")
    draw.text((MARGIN, MARGIN + PLOT + 3), f"{xr[0]:.3g}", fill="black")
    draw.text((MARGIN + PLOT - 30, MARGIN + PLOT + 3), f"{xr[1]:.3g}", fill="black")
    draw.text((MARGIN + PLOT // 2 - 20, MARGIN + PLOT + 3), x_label, fill="black")
    draw.text((4, MARGIN + PLOT - 10), f"{yr[0]:.3g}", fill="black")
    draw.text((4, MARGIN), f"{yr[1]:.3g}", fill="black")
    draw.text((4, MARGIN + PLOT // 2), y_label, fill="black")
