"""Decision boundaries of a classifier with two input features, as TensorFlow Playground
draws them: which class the model picks at every point of the input plane, and how sure it is.

Computed on a private copy of a weight snapshot, never on the weights an optimiser is
changing (DESIGN rule 6); a 100×100 grid is one forward pass of 10,000 points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


CLASS_HUES = ("#2f6fde", "#d9822b", "#2a9d8f", "#c0506a", "#8e6cc9", "#56a86b", "#c4a000", "#5b6b7f", "#a7489b", "#b07d48")


def hue_rgb(index: int) -> np.ndarray:
    """Class ``index``'s hue as float RGB in [0, 255] (the classes' colours everywhere)."""
    colour = CLASS_HUES[int(index) % len(CLASS_HUES)]
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


@dataclass
class Boundary:
    xs: np.ndarray  # grid coordinates along the first feature
    ys: np.ndarray  # … and the second
    classes: np.ndarray  # (len(ys), len(xs)) class picked at each point
    confidence: np.ndarray  # (len(ys), len(xs)) its probability, in [1/classes, 1]

    def colours(self) -> np.ndarray:
        """(len(ys), len(xs), 3) uint8: each class's hue over white, deeper the surer the model
        (white at a tie), so regions and their uncertain borders read at once."""
        hues = np.stack([hue_rgb(k) for k in range(int(self.classes.max()) + 1)])
        n_classes = max(2, len(hues))
        strength = (self.confidence - 1 / n_classes) / (1 - 1 / n_classes)  # 0 at a tie, 1 when sure
        mix = 0.15 + 0.4 * np.clip(strength, 0, 1)[..., None]
        white = np.full(3, 255.0, dtype=np.float32)
        return (white * (1 - mix) + hues[self.classes] * mix).astype(np.uint8)


def plane_of(points: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    """The rectangle around the data, widened by ``margin`` of its size on every side."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = (hi - lo) * margin + 1e-6
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def decision_boundary(module: torch.nn.Module, state: dict[str, torch.Tensor] | None,
                      plane: tuple[float, float, float, float], resolution: int = 100) -> Boundary:
    """The class and confidence over a ``resolution``² grid of ``plane`` (x0, x1, y0, y1).

    The model's first output is taken as class scores (logits) over its last axis; one score
    per sample is read as a binary logit."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    xs = np.linspace(plane[0], plane[1], resolution, dtype=np.float32)
    ys = np.linspace(plane[2], plane[3], resolution, dtype=np.float32)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = torch.from_numpy(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1))
    with torch.no_grad():
        out = model(points)
        scores = (out[0] if isinstance(out, (tuple, list)) else out).float().reshape(len(points), -1)
        if scores.shape[1] == 1:
            p = torch.sigmoid(scores[:, 0])
            probabilities = torch.stack([1 - p, p], dim=1)
        else:
            probabilities = torch.softmax(scores, dim=1)
        confidence, classes = probabilities.max(dim=1)
    shape = (resolution, resolution)
    return Boundary(xs, ys, classes.numpy().reshape(shape), confidence.numpy().reshape(shape))


def fitted_curve(module: torch.nn.Module, state: dict[str, torch.Tensor] | None, x_range: tuple[float, float],
                 points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """The output of a one-input, one-output regression model over ``x_range`` (the function
    it has learned, for universal-approximation lessons)."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    xs = np.linspace(x_range[0], x_range[1], points, dtype=np.float32)
    with torch.no_grad():
        out = model(torch.from_numpy(xs).reshape(-1, 1))
        ys = (out[0] if isinstance(out, (tuple, list)) else out).float().reshape(points, -1)[:, 0]
    return xs, ys.numpy()
