"""Loss-landscape pictures without Qt, drawn with Pillow: a heat-map of a surface with a
colour bar, and a line plot of an interpolation. Small on purpose: a quick look from the
command line; the application draws the interactive ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HEAT_SIZE = 400  # the heat-map's side in pixels
MARGIN = 30
BAR_WIDTH = 18
SURFACE_SIZE = (MARGIN + HEAT_SIZE + 20 + BAR_WIDTH + 70, 2 * MARGIN + HEAT_SIZE)  # (width, height)
LINE_SIZE = (600, 380)
_ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=np.float64)  # viridis
_LINE_COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44)]


def _colours(t: np.ndarray) -> np.ndarray:
    """RGB (uint8) for values in [0, 1] on a viridis-like scale; not-finite ones grey."""
    finite = np.isfinite(t)
    pos = np.clip(np.where(finite, t, 0.0), 0.0, 1.0) * (len(_ANCHORS) - 1)
    lo = np.minimum(pos.astype(int), len(_ANCHORS) - 2)
    frac = (pos - lo)[..., None]
    rgb = _ANCHORS[lo] * (1 - frac) + _ANCHORS[lo + 1] * frac
    rgb[~finite] = 128
    return rgb.round().astype(np.uint8)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def surface_png(path: str | Path, alphas: np.ndarray, betas: np.ndarray, losses: np.ndarray,
                trajectory: np.ndarray | None = None) -> None:
    """A heat-map of ``losses[i, j]`` (α along x, β upwards), its colour bar with the lowest
    and highest loss, and the centre (α = β = 0, the weights) marked with a cross; a training
    path's (α, β) points, when given, as a white line with its start ringed."""
    losses = np.asarray(losses, dtype=np.float64)
    finite = losses[np.isfinite(losses)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    t = (losses - lo) / (hi - lo) if hi > lo else np.zeros_like(losses)
    cells = _colours(t).transpose(1, 0, 2)[::-1]  # rows: β from the top down; columns: α
    image = Image.new("RGB", SURFACE_SIZE, "white")
    image.paste(Image.fromarray(np.ascontiguousarray(cells), "RGB").resize((HEAT_SIZE, HEAT_SIZE), Image.NEAREST), (MARGIN, MARGIN))
    draw = ImageDraw.Draw(image)
    draw.rectangle([MARGIN - 1, MARGIN - 1, MARGIN + HEAT_SIZE, MARGIN + HEAT_SIZE], outline="black")

    def to_px(a: float, b: float) -> tuple[float, float]:
        fa = (a - alphas[0]) / (alphas[-1] - alphas[0]) if alphas[-1] != alphas[0] else 0.5
        fb = (b - betas[0]) / (betas[-1] - betas[0]) if betas[-1] != betas[0] else 0.5
        return MARGIN + fa * HEAT_SIZE, MARGIN + (1 - fb) * HEAT_SIZE

    if trajectory is not None and len(trajectory):
        points = [to_px(float(a), float(b)) for a, b in np.asarray(trajectory).reshape(-1, 2)]
        draw.line(points, fill="white", width=2, joint="curve")
        for px, py in points:
            draw.ellipse([px - 2, py - 2, px + 2, py + 2], fill="white")
        sx, sy = points[0]
        draw.ellipse([sx - 6, sy - 6, sx + 6, sy + 6], outline="white", width=2)
    cx, cy = to_px(0.0, 0.0)
    for colour, width in (("white", 4), ("black", 2)):
        draw.line([cx - 7, cy - 7, cx + 7, cy + 7], fill=colour, width=width)
        draw.line([cx - 7, cy + 7, cx + 7, cy - 7], fill=colour, width=width)
    draw.text((MARGIN, MARGIN + HEAT_SIZE + 6), f"alpha {_fmt(alphas[0])} .. {_fmt(alphas[-1])}", fill="black")
    draw.text((MARGIN, 8), f"beta {_fmt(betas[0])} .. {_fmt(betas[-1])} (up)", fill="black")
    bar_x = MARGIN + HEAT_SIZE + 20
    ramp = _colours(np.linspace(1.0, 0.0, HEAT_SIZE))[:, None, :].repeat(BAR_WIDTH, axis=1)
    image.paste(Image.fromarray(np.ascontiguousarray(ramp), "RGB"), (bar_x, MARGIN))
    draw.rectangle([bar_x - 1, MARGIN - 1, bar_x + BAR_WIDTH, MARGIN + HEAT_SIZE], outline="black")
    draw.text((bar_x + BAR_WIDTH + 4, MARGIN), _fmt(hi), fill="black")
    draw.text((bar_x + BAR_WIDTH + 4, MARGIN + HEAT_SIZE - 10), _fmt(lo), fill="black")
    draw.text((bar_x, MARGIN + HEAT_SIZE + 6), "loss", fill="black")
    image.save(path, format="PNG")


def line_png(path: str | Path, alphas: Sequence[float], curves: dict[str, np.ndarray]) -> None:
    """A line plot of each named curve over ``alphas``, with axes, the y range and a legend;
    dotted verticals at α = 0 (the start) and α = 1 (the weights)."""
    width, height = LINE_SIZE
    left, right, top, bottom = 70, width - 20, 20, height - 40
    xs = np.asarray(alphas, dtype=np.float64)
    values = np.concatenate([np.asarray(v, dtype=np.float64) for v in curves.values()]) if curves else np.zeros(1)
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    x_lo, x_hi = float(xs.min()), float(xs.max()) if xs.max() > xs.min() else float(xs.min()) + 1.0

    def px(a: float, v: float) -> tuple[float, float]:
        return left + (a - x_lo) / (x_hi - x_lo) * (right - left), bottom - (v - lo) / (hi - lo) * (bottom - top)

    image = Image.new("RGB", LINE_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.line([left, top, left, bottom, right, bottom], fill="black", width=1)
    for a in (0.0, 1.0):
        if x_lo <= a <= x_hi:
            x = px(a, lo)[0]
            for y in range(top, bottom, 6):
                draw.line([x, y, x, y + 2], fill=(150, 150, 150))
    for a in np.linspace(x_lo, x_hi, 5):
        x = px(float(a), lo)[0]
        draw.line([x, bottom, x, bottom + 4], fill="black")
        draw.text((x - 10, bottom + 6), _fmt(float(a)), fill="black")
    draw.text(((left + right) // 2 - 15, bottom + 20), "alpha", fill="black")
    draw.text((5, top), _fmt(hi), fill="black")
    draw.text((5, bottom - 10), _fmt(lo), fill="black")
    for k, (name, ys) in enumerate(curves.items()):
        colour = _LINE_COLOURS[k % len(_LINE_COLOURS)]
        points = [px(float(a), float(v)) for a, v in zip(xs, ys, strict=True) if np.isfinite(v)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        draw.line([right - 110, top + 8 + 14 * k, right - 90, top + 8 + 14 * k], fill=colour, width=2)
        draw.text((right - 85, top + 2 + 14 * k), name, fill="black")
    image.save(path, format="PNG")
