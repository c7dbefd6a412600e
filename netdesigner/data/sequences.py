"""Sequence sets for recurrent networks; inputs are (time steps, features), as RNN/LSTM/GRU take.

* ``sine_forecast``: x (T, 1) float32, a window of T values of a sine wave with random
  frequency, phase and amplitude; y (1,) float32, the value that comes next. Regression.
* ``parity``: x (L, 1) float32 bits, or (L,) int64 token ids 0/1 for an Embedding
  (``encoding``); y the class "even" (0) or "odd" (1) of the number of ones. Classification.
  The answer depends on every bit, so it shows what long-range memory costs.
* ``running_sum``: x (L, 1) float32 values in [-1, 1]; y (L, 1) float32, the sum so far at
  every step. Task SEQUENCE (one target per time step): an RNN with sequence output followed
  by Linear(1) fits it.
"""

from __future__ import annotations

import math
from typing import Any

from netdesigner.core.params import Choice, Float, Int
from netdesigner.data.registry import DatasetSpec
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task
from netdesigner.data.synthetic import SAMPLES, SEED, generator, noise


def load_sine_forecast(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    n, t = o["samples"], o["window"]
    omega = rng.uniform(0.1, 0.6, (n, 1))  # radians per step: 10 to 60 steps per period
    phase = rng.uniform(0, 2 * math.pi, (n, 1))
    amplitude = rng.uniform(0.5, 1.0, (n, 1))
    series = amplitude * np.sin(omega * np.arange(t + 1) + phase)
    series += rng.normal(0.0, o["noise"], series.shape)
    info = DataInfo(
        "sine_forecast", Task.REGRESSION, input_shape=(t, 1), target_shape=(1,),
        feature_names=("value",), description=f"the next value of a sine wave after {t} values",
    )
    return Samples(series[:, :t, None].astype("float32"), series[:, t:].astype("float32"), info)


def load_parity(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    n, length = o["samples"], o["length"]
    bits = rng.integers(0, 2, (n, length))
    y = bits.sum(axis=1) % 2
    flip = rng.random(n) < o["noise"]
    y = np.where(flip, 1 - y, y)
    tokens = o["encoding"] == "tokens"
    x = bits.astype("int64") if tokens else bits[:, :, None].astype("float32")
    info = DataInfo(
        "parity", Task.CLASSIFICATION, input_shape=x.shape[1:], input_dtype="int64" if tokens else "float32",
        num_classes=2, class_names=("even", "odd"), feature_names=("bit",), vocabulary_size=2 if tokens else None,
        description=f"whether a string of {length} bits has an even or odd number of ones",
    )
    return Samples(x, y.astype("int64"), info, extra={"vocabulary_size": 2} if tokens else {})


def load_running_sum(o: dict[str, Any]) -> Samples:
    import numpy as np

    rng = generator(o["seed"])
    n, length = o["samples"], o["length"]
    x = rng.uniform(-1, 1, (n, length, 1))
    y = np.cumsum(x, axis=1) + rng.normal(0.0, o["noise"], x.shape)
    info = DataInfo(
        "running_sum", Task.SEQUENCE, input_shape=(length, 1), target_shape=(length, 1),
        feature_names=("value",), description=f"the running sum at each of {length} steps",
    )
    return Samples(x.astype("float32"), y.astype("float32"), info)


DATASETS = (
    DatasetSpec(
        "sine_forecast", "Sine forecasting", "Predict the next value of a sine wave from a window of past values.",
        "synthetic",
        (SAMPLES, noise(0.02, "standard deviation of the Gaussian noise added to every value"), SEED,
         Int("window", 20, "time steps the model sees before predicting the next", min=2, max=1000)),
        load_sine_forecast,
    ),
    DatasetSpec(
        "parity", "Parity of bit strings", "Is the number of ones even or odd? Every bit matters.", "synthetic",
        (SAMPLES, Float("noise", 0.0, "fraction of labels flipped at random", min=0.0, max=0.5), SEED,
         Int("length", 8, "bits per string (time steps)", min=1, max=256),
         Choice("encoding", "values", ("values", "tokens"),
                "values: float bits of shape (length, 1); tokens: int64 ids of shape (length,) for an Embedding")),
        load_parity,
    ),
    DatasetSpec(
        "running_sum", "Running sum", "Output the sum of the values so far at every time step.", "synthetic",
        (SAMPLES, noise(0.0, "standard deviation of the Gaussian noise added to the targets"), SEED,
         Int("length", 10, "time steps per sequence", min=1, max=1000)),
        load_running_sum,
    ),
)
