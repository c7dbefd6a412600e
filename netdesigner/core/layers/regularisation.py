"""Regularisers that act only while training."""

from __future__ import annotations

from netdesigner.core.layer_type import Category, declare, expect_float, expect_rank
from netdesigner.core.params import Float


@declare(
    "Dropout", Category.REGULARISATION, "drop",
    "Zeroes each value with probability p while training (scaling the rest by 1/(1-p)); identity in eval.",
    params=[Float("p", 0.5, "probability of dropping a value", min=0.0, max=1.0)],
)
def dropout(p, inputs):
    from torch import nn

    expect_float(inputs[0])  # in eval it would pass ints through; training would fail
    return nn.Dropout(p.p)


@declare(
    "Dropout2d", Category.REGULARISATION, "drop",
    "Zeroes whole channels of (channels, height, width) maps with probability p while training.",
    params=[Float("p", 0.5, "probability of dropping a channel", min=0.0, max=1.0)],
)
def dropout2d(p, inputs):
    from torch import nn

    expect_rank(inputs[0], 3, "(channels, height, width)")
    expect_float(inputs[0])
    return nn.Dropout2d(p.p)


@declare(
    "GaussianNoise", Category.REGULARISATION, "noise",
    "Adds Gaussian noise of standard deviation std while training; identity in eval.",
    params=[Float("std", 0.1, "standard deviation of the noise", min=0.0, max=100.0)],
)
def gaussian_noise(p, inputs):
    from netdesigner.nn import GaussianNoise

    expect_float(inputs[0])
    return GaussianNoise(p.std)
