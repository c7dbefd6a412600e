"""One layer's outputs as a picture without Qt, drawn with Pillow, for ``netdesigner
activations --png``: on the left what the layer gives out for one sample (feature maps as a
grey mosaic, each map on its own scale; a sequence as a time x unit heat-map; a vector as
bars), on the right the histogram of its values over the whole batch, with the share of dead
ReLU units or saturated tanh/sigmoid values. A quick look from the command line; the window
draws the interactive view (``ui/plots/activations_panel.py``).

Text stays within what Pillow's default font draws (no arrows or ×).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from netdesigner.analysis.png import _colours, _fmt

if TYPE_CHECKING:
    from netdesigner.analysis.layer_outputs import LayerOutput

PANEL = 400  # the output panel's side in pixels
MARGIN = 48  # room for the bars' value labels on the left
HIST_WIDTH = 300
SIZE = (MARGIN + PANEL + 50 + HIST_WIDTH + MARGIN, MARGIN + 16 + PANEL + 50)  # (width, height)
GAP_COLOUR = (205, 215, 235)  # between feature maps: apart from both black and white
BAR_COLOUR = (47, 111, 222)
HIST_COLOUR = (217, 130, 43)
MOST_BARS = PANEL // 2  # a vector wider than this shows its first units only


def layer_png(path: str | Path, output: LayerOutput, sample: int = 0) -> None:
    """Draws ``output`` (one node's captured outputs) for ``sample`` beside its histogram over
    the batch, and saves it as PNG."""
    from netdesigner.analysis.layer_outputs import OutputKind

    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    top = MARGIN + 16
    sample = min(sample, len(output.values) - 1)
    kind = output.kind
    if kind is OutputKind.FEATURE_MAPS:
        what = _feature_maps(image, output, sample, top)
    elif kind is OutputKind.SEQUENCE:
        what = _sequence(image, draw, output.values[sample], top)
    else:
        what = _bars(draw, output.values[sample].reshape(-1), top)
    draw.text((MARGIN, 8), f"{output.name} ({output.layer_type}), sample {sample}: {what}", fill="black")
    _histogram(draw, output, MARGIN + PANEL + 50, top)
    draw.text((MARGIN, top + PANEL + 26), output.describe(), fill="black")
    image.save(path, format="PNG")


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    """(width, height) of an image of ``size`` scaled to fit ``box``: by a whole factor when it
    is smaller (every pixel the same size), keeping its aspect when it is larger."""
    w, h = size
    factor = box // max(w, h)
    if factor >= 1:
        return w * factor, h * factor
    scale = box / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _feature_maps(image: Image.Image, output: LayerOutput, sample: int, top: int) -> str:
    from netdesigner.analysis.layer_outputs import feature_map_mosaic

    mosaic = feature_map_mosaic(output, sample)
    grey = (np.nan_to_num(mosaic, nan=0.0) * 255).round().astype(np.uint8)
    rgb = np.repeat(grey[..., None], 3, axis=2)
    rgb[np.isnan(mosaic)] = GAP_COLOUR
    _, channels, h, w = output.values.shape
    shown = min(channels, 64)
    columns, rows = (mosaic.shape[1] + 1) // (w + 1), (mosaic.shape[0] + 1) // (h + 1)
    last = shown - (rows - 1) * columns  # maps in the last row; the cells after them stay white
    rgb[(rows - 1) * (h + 1):, max(last * (w + 1) - 1, 0):] = 255
    tile = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    tile = tile.resize(_fit(tile.size, PANEL), Image.NEAREST)
    image.paste(tile, (MARGIN, top))
    more = f" (the first {shown} of {channels})" if shown < channels else ""
    return f"{shown} feature maps of {h}x{w}{more}, each on its own scale (black low, white high)"


def _sequence(image: Image.Image, draw: ImageDraw.ImageDraw, values: np.ndarray, top: int) -> str:
    values = np.asarray(values, dtype=np.float64)
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    cells = _colours((values - low) / (high - low) if high > low else np.zeros_like(values))
    heat = Image.fromarray(np.ascontiguousarray(cells), "RGB").resize((PANEL, PANEL), Image.NEAREST)
    image.paste(heat, (MARGIN, top))
    draw.rectangle([MARGIN - 1, top - 1, MARGIN + PANEL, top + PANEL], outline="black")
    draw.text((MARGIN, top + PANEL + 4), "unit (across); time step (down, first at the top)", fill="black")
    steps, units = values.shape
    return f"{steps} steps x {units} units (dark {_fmt(low)}, yellow {_fmt(high)})"


def _bars(draw: ImageDraw.ImageDraw, values: np.ndarray, top: int) -> str:
    shown = np.asarray(values[:MOST_BARS], dtype=np.float64)
    finite = shown[np.isfinite(shown)]
    low, high = (min(float(finite.min()), 0.0), max(float(finite.max()), 0.0)) if finite.size else (0.0, 1.0)
    if high <= low:
        high = low + 1.0

    def y(v: float) -> float:
        return top + (high - v) / (high - low) * PANEL

    width = PANEL / max(len(shown), 1)
    for i, v in enumerate(shown):
        if np.isfinite(v):
            x0 = MARGIN + i * width
            y0, y1 = sorted((y(0.0), y(float(v))))
            draw.rectangle([x0 + 0.1 * width, y0, x0 + max(0.9 * width, 1.0), max(y1, y0 + 1)], fill=BAR_COLOUR)
    draw.line([MARGIN, y(0.0), MARGIN + PANEL, y(0.0)], fill="black")
    draw.line([MARGIN, top, MARGIN, top + PANEL], fill="black")
    for value, at in ((high, top - 4), (low, top + PANEL - 8)):
        label = _fmt(value)
        draw.text((MARGIN - 4 - draw.textlength(label), at), label, fill="black")
    draw.text((MARGIN, top + PANEL + 4), "unit", fill="black")
    more = f" (the first {len(shown)} of {len(values)})" if len(shown) < len(values) else ""
    return f"{len(values)} units{more}"


def _histogram(draw: ImageDraw.ImageDraw, output: LayerOutput, left: int, top: int) -> None:
    counts, edges = output.histogram()
    peak = max(int(counts.max()), 1) if counts.size else 1
    width = HIST_WIDTH / max(len(counts), 1)
    bottom = top + PANEL
    for i, count in enumerate(counts):
        if count:
            height = max(count / peak * (PANEL - 20), 1.0)
            draw.rectangle([left + i * width, bottom - height, left + (i + 1) * width - 1, bottom], fill=HIST_COLOUR)
    draw.line([left, top + 20, left, bottom, left + HIST_WIDTH, bottom], fill="black")
    draw.text((left, top), f"values over {len(output.values)} samples (peak {peak:,})", fill="black")
    draw.text((left, bottom + 4), _fmt(float(edges[0])), fill="black")
    right = _fmt(float(edges[-1]))
    draw.text((left + HIST_WIDTH - 6 * len(right), bottom + 4), right, fill="black")
    dead, saturated = output.dead_fraction(), output.saturated_fraction()
    note = (f"dead units: {dead:.0%}" if dead is not None
            else f"saturated: {saturated:.0%}" if saturated is not None else "")
    if note:
        draw.text((left + HIST_WIDTH - 6 * len(note), top + 22), note, fill="black")
