"""Many small images as one: a grid with one-pixel gaps (NaN), so a panel draws one image.

Filters, feature maps, reconstructions and decoded samples are all drawn this way. Each
image is either scaled to its own range (filters, feature maps: the pattern matters, not the
level) or all to one shared range (reconstructions beside their inputs: the level matters).
"""

from __future__ import annotations

import math

import numpy as np


def _scaled(image: np.ndarray, low: float, high: float) -> np.ndarray:
    return (image - low) / (high - low) if high > low else np.full_like(image, 0.5)


def tile(images: np.ndarray, columns: int | None = None, *, each_own_range: bool = True,
         value_range: tuple[float, float] | None = None) -> np.ndarray:
    """``images`` (N × H × W) as one float32 image in [0, 1] with NaN gaps, ``columns`` wide
    (default: about square). Scaled per image, or to ``value_range`` (default: all images'
    range) when ``each_own_range`` is False."""
    images = np.asarray(images, dtype=np.float32)
    count, h, w = images.shape
    columns = max(1, min(columns or math.ceil(math.sqrt(count)), count))
    rows = math.ceil(count / columns)
    if not each_own_range:
        low, high = value_range or (float(np.nanmin(images)), float(np.nanmax(images)))
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan, dtype=np.float32)
    for i, image in enumerate(images):
        if each_own_range:
            low, high = float(image.min()), float(image.max())
        r, c = divmod(i, columns)
        mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = np.clip(_scaled(image, low, high), 0, 1)
    return mosaic


def as_grey(batch: np.ndarray) -> np.ndarray:
    """N × C × H × W (or N × H × W) as N × H × W: channels averaged."""
    batch = np.asarray(batch, dtype=np.float32)
    return batch.mean(axis=1) if batch.ndim == 4 else batch


def stack(*mosaics: np.ndarray, gap: int = 2) -> np.ndarray:
    """Mosaics one above the other, left-aligned, ``gap`` NaN rows between them."""
    width = max(m.shape[1] for m in mosaics)
    parts = []
    for i, m in enumerate(mosaics):
        if i:
            parts.append(np.full((gap, width), np.nan, dtype=np.float32))
        padded = np.full((m.shape[0], width), np.nan, dtype=np.float32)
        padded[:, :m.shape[1]] = m
        parts.append(padded)
    return np.vstack(parts)
