"""Session-wide tiny data sets for the training tests (see ``tiny_training``)."""

from __future__ import annotations

import pytest
import torch
from tiny_training import make_moons, three_way

from netdesigner.data.splits import DataInfo, Splits, Task


@pytest.fixture(scope="session")
def moons() -> Splits:
    return make_moons()


@pytest.fixture(scope="session")
def digits() -> Splits:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16
    y = torch.tensor(d.target, dtype=torch.long)
    return three_way(x, y, DataInfo("digits", Task.CLASSIFICATION, (1, 8, 8), num_classes=10))


@pytest.fixture(scope="session")
def sine() -> Splits:
    """y = sin(3x) on [-1, 1]: one-dimensional function fitting."""
    x = torch.linspace(-1, 1, 300).unsqueeze(1)
    y = torch.sin(3 * x)
    return three_way(x, y, DataInfo("sine", Task.REGRESSION, (1,), target_shape=(1,)))
