"""One-dimensional function fitting: universal approximation, watched live.

x is drawn uniformly from [-π, π]; the target is f(x) plus Gaussian noise. Input shape (1,),
target shape (1,), both float32, task regression. The functions are chosen to show what a
network finds easy (smooth sin, a cubic) and hard (the kink of abs, the jump of a step).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from netdesigner.core.params import Choice
from netdesigner.data.registry import DatasetSpec
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task
from netdesigner.data.synthetic import SAMPLES, SEED, generator, noise

if TYPE_CHECKING:
    import numpy as np

FUNCTIONS = ("sin", "step", "abs", "polynomial")

_FORMULAS = {
    "sin": "sin(x)",
    "step": "sign(x) (−1 left of 0, +1 right)",
    "abs": "|x| − π/2",
    "polynomial": "0.1·x³ − 0.5·x",
}


def _f(name: str, x: np.ndarray) -> np.ndarray:
    import numpy as np

    if name == "sin":
        return np.sin(x)
    if name == "step":
        return np.where(x < 0, -1.0, 1.0)
    if name == "abs":
        return np.abs(x) - math.pi / 2  # centred, so a network starting near 0 is not already off
    return 0.1 * x**3 - 0.5 * x


def load_function(o: dict[str, Any]) -> Samples:
    rng = generator(o["seed"])
    n = o["samples"]
    x = rng.uniform(-math.pi, math.pi, (n, 1))
    y = _f(o["function"], x) + rng.normal(0.0, o["noise"], (n, 1))
    formula = _FORMULAS[o["function"]]
    info = DataInfo(
        "function", Task.REGRESSION, input_shape=(1,), target_shape=(1,),
        feature_names=("x",), description=f"y = {formula} on [−π, π]",
    )
    return Samples(x.astype("float32"), y.astype("float32"), info, extra={"function": o["function"]})


DATASETS = (
    DatasetSpec(
        "function", "1-D function", "Fit y = f(x) on [−π, π] (sin, step, abs or a cubic): regression in one dimension.",
        "synthetic",
        (Choice("function", "sin", FUNCTIONS, "the function to fit: " + "; ".join(f"{k}: {v}" for k, v in _FORMULAS.items())),
         SAMPLES, noise(0.05, "standard deviation of the Gaussian noise added to the targets"), SEED),
        load_function,
    ),
)
