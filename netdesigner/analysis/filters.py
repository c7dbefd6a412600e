"""What the first convolution has learned to look for: its filters as small images.

Each filter is averaged over its input channels and scaled to its own range, then all are laid
out as one mosaic with one-pixel gaps, so a grid of 16 or 64 filters is one image to draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


def first_conv_weight(module: torch.nn.Module, state: dict[str, torch.Tensor] | None = None) -> tuple[str, np.ndarray] | None:
    """(layer name, weight as out × in × h × w) of the first 2-D convolution, or None."""
    import torch

    for name, child in module.named_modules():
        if isinstance(child, torch.nn.Conv2d):
            weight = state[f"{name}.weight"] if state is not None else child.weight
            return name, weight.detach().float().cpu().numpy()
    return None


def filter_mosaic(weight: np.ndarray, columns: int | None = None) -> np.ndarray:
    """The filters of ``weight`` (out × in × h × w) as one 2-D image in [0, 1], gaps at NaN."""
    from netdesigner.analysis.mosaic import tile

    return tile(weight.mean(axis=1), columns)
