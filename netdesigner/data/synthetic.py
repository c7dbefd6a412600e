"""What every synthetic data set has: a size, a noise level and a seed of its own.

The data seed is separate from the split seed (``load_dataset(seed=…)``), so a person can
draw a new sample of spirals while keeping the split rule, or re-split the same spirals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netdesigner.core.params import Float, Int, Param

if TYPE_CHECKING:
    import numpy as np

SAMPLES = Int("samples", 1000, "how many samples to draw (before the train / validation / test split)", min=10, max=1_000_000)
SEED = Int("seed", 0, "seed of the random draw: the same seed draws the same data", min=0, max=2**31 - 1)


def noise(default: float, doc: str = "standard deviation of the Gaussian noise added to the inputs") -> Param:
    return Float("noise", default, doc, min=0.0, max=10.0)


def generator(seed: int) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng(seed)


def class_counts(n: int, classes: int) -> list[int]:
    """``n`` samples shared as evenly as possible among ``classes``."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]
