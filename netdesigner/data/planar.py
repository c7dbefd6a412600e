"""Two-dimensional classification sets: the decision boundaries a person can watch being learnt.

Each draws points in the plane (input shape (2,), float32, roughly within [-1.5, 1.5]) with a
class id per point, deterministically from the ``seed`` option. Points are shuffled, so the
first few (which a preview shows) mix the classes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from netdesigner.core.params import Float, Int
from netdesigner.data.registry import DatasetSpec
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task
from netdesigner.data.synthetic import SAMPLES, SEED, class_counts, generator, noise

if TYPE_CHECKING:
    import numpy as np


def _samples(name: str, x: np.ndarray, y: np.ndarray, class_names: tuple[str, ...], description: str, rng: np.random.Generator) -> Samples:
    order = rng.permutation(len(x))
    info = DataInfo(
        name, Task.CLASSIFICATION, input_shape=(2,), num_classes=len(class_names),
        class_names=class_names, feature_names=("x1", "x2"), description=description,
    )
    return Samples(x[order].astype("float32"), y[order].astype("int64"), info)


def _labels(counts: list[int]) -> np.ndarray:
    import numpy as np

    return np.concatenate([np.full(c, k) for k, c in enumerate(counts)])


def load_spirals(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    k = o["classes"]
    counts = class_counts(o["samples"], k)
    parts = []
    for arm, count in enumerate(counts):
        t = np.sqrt(rng.uniform(0.0025, 1.0, count))  # sqrt: as many points far out as near the centre
        angle = t * o["turns"] * 2 * math.pi + arm * 2 * math.pi / k
        parts.append(np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1))
    x = np.concatenate(parts) + rng.normal(0.0, o["noise"], (o["samples"], 2))
    names = tuple(f"arm {i + 1}" for i in range(k))
    return _samples("spirals", x, _labels(counts), names, f"{k} interleaved spiral arms", rng)


def load_moons(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    upper, lower = class_counts(o["samples"], 2)
    t1, t2 = rng.uniform(0, math.pi, upper), rng.uniform(0, math.pi, lower)
    x = np.concatenate([
        np.stack([np.cos(t1), np.sin(t1)], axis=1),
        np.stack([1 - np.cos(t2), 0.5 - np.sin(t2)], axis=1),
    ]) - np.array([0.5, 0.25])
    x += rng.normal(0.0, o["noise"], x.shape)
    return _samples("moons", x, _labels([upper, lower]), ("upper", "lower"), "two interleaving half circles", rng)


def load_circles(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    outer, inner = class_counts(o["samples"], 2)
    angle = rng.uniform(0, 2 * math.pi, outer + inner)
    radius = np.concatenate([np.ones(outer), np.full(inner, o["factor"])])
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += rng.normal(0.0, o["noise"], x.shape)
    return _samples("circles", x, _labels([outer, inner]), ("outer", "inner"), "a small circle inside a large one", rng)


def load_xor(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    counts = class_counts(o["samples"], 2)
    y = _labels(counts)
    magnitude = rng.uniform(0, 1, (o["samples"], 2))
    sign = rng.choice([-1.0, 1.0], o["samples"])
    # same sign for class 0, opposite for class 1: balanced, labelled before the noise blurs the border
    x = magnitude * np.stack([sign, np.where(y == 0, sign, -sign)], axis=1)
    x += rng.normal(0.0, o["noise"], x.shape)
    return _samples("xor", x, y, ("same sign", "opposite sign"), "the XOR of the signs of two coordinates", rng)


def load_blobs(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    k = o["classes"]
    counts = class_counts(o["samples"], k)
    angles = 2 * math.pi * np.arange(k) / k
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = _labels(counts)
    x = centres[y] + rng.normal(0.0, o["noise"], (o["samples"], 2))
    names = tuple(f"blob {i + 1}" for i in range(k))
    return _samples("blobs", x, y, names, f"{k} Gaussian blobs on a circle", rng)


def _mixture(name: str, o: dict[str, Any], centres: np.ndarray, title: str) -> Samples:
    """Equal shares of samples around each centre with deviation ``noise``; the label is the
    mode's index, and the centres and deviation go to ``Splits.extra`` so that a GAN's samples
    can be scored against them (``analysis.gan_samples.mode_coverage``)."""
    import numpy as np

    rng = generator(o["seed"])
    k = len(centres)
    y = _labels(class_counts(o["samples"], k))
    x = centres[y] + rng.normal(0.0, o["noise"], (o["samples"], 2))
    names = tuple(f"mode {i + 1}" for i in range(k))
    samples = _samples(name, x, y, names, f"{title} (σ = {o['noise']:g})", rng)
    samples.extra.update(mixture_centres=np.asarray(centres, dtype=np.float64).tolist(), mixture_sigma=float(o["noise"]))
    return samples


def load_gaussian_ring(o: dict[str, Any]) -> Samples:
    import numpy as np

    k = o["modes"]
    angles = 2 * math.pi * np.arange(k) / k
    return _mixture("gaussian_ring", o, np.stack([np.cos(angles), np.sin(angles)], axis=1), f"{k} Gaussians on a circle of radius 1")


def load_gaussian_grid(o: dict[str, Any]) -> Samples:
    import numpy as np

    n = o["side"]
    ticks = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
    gx, gy = np.meshgrid(ticks, ticks[::-1])
    return _mixture("gaussian_grid", o, np.stack([gx.ravel(), gy.ravel()], axis=1), f"{n}×{n} Gaussians on a grid over [-1, 1]²")


DATASETS = (
    DatasetSpec(
        "spirals", "Spirals", "Interleaved spiral arms: the classic test of a network's capacity.", "synthetic",
        (SAMPLES, noise(0.05), SEED,
         Int("classes", 2, "number of spiral arms, one class each", min=2, max=8),
         Float("turns", 1.5, "how many times each arm winds around the centre", min=0.25, max=5.0)),
        load_spirals,
    ),
    DatasetSpec(
        "moons", "Two moons", "Two interleaving half circles: a curved boundary a linear model cannot draw.", "synthetic",
        (SAMPLES, noise(0.1), SEED), load_moons,
    ),
    DatasetSpec(
        "circles", "Circles", "A circle inside a circle: separable only with a non-linear feature.", "synthetic",
        (SAMPLES, noise(0.05), SEED,
         Float("factor", 0.5, "radius of the inner circle relative to the outer one", min=0.05, max=0.95)),
        load_circles,
    ),
    DatasetSpec(
        "xor", "XOR", "Points labelled by whether their coordinates share a sign: needs a hidden layer.", "synthetic",
        (SAMPLES, noise(0.05), SEED), load_xor,
    ),
    DatasetSpec(
        "blobs", "Blobs", "Gaussian blobs, one per class: the easy case, nearly linearly separable.", "synthetic",
        (SAMPLES, noise(0.3), SEED, Int("classes", 3, "number of blobs, one class each", min=2, max=10)),
        load_blobs,
    ),
    DatasetSpec(
        "gaussian_ring", "Ring of Gaussians", "Small Gaussians evenly spaced on a circle: the classic test of a GAN's "
        "mode coverage (label = mode).", "synthetic",
        (SAMPLES, noise(0.05, "standard deviation σ of each Gaussian"), SEED,
         Int("modes", 8, "number of Gaussians on the circle", min=2, max=64)),
        load_gaussian_ring,
    ),
    DatasetSpec(
        "gaussian_grid", "Grid of Gaussians", "Small Gaussians on an n×n grid: a harder test of a GAN's mode coverage "
        "(label = mode).", "synthetic",
        (SAMPLES, noise(0.05, "standard deviation σ of each Gaussian"), SEED,
         Int("side", 5, "Gaussians per side of the grid (side × side modes)", min=2, max=10)),
        load_gaussian_grid,
    ),
)
