"""Normalisation layers; batch norm behaves differently in training and eval mode."""

from __future__ import annotations

import math

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, declare, expect_float, expect_rank
from netdesigner.core.params import Bool, Float, Int

_EPS = Float("eps", 1e-5, "added to the variance for numerical stability", min=1e-12, max=1.0)
_MOMENTUM = Float("momentum", 0.1, "how fast the running mean and variance follow the batches", min=0.0, max=1.0)
_AFFINE = Bool("affine", True, "learn a scale and shift per channel after normalising")


@declare(
    "BatchNorm1d", Category.NORMALISATION, "bn",
    "Batch normalisation of (features,) or (channels, length) input: batch statistics in training, running ones in eval.",
    params=[_EPS, _MOMENTUM, _AFFINE],
)
def batch_norm1d(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, (1, 2), "(features,) or (channels, length)")
    expect_float(x)
    return nn.BatchNorm1d(x.shape[0], eps=p.eps, momentum=p.momentum, affine=p.affine)


@declare(
    "BatchNorm2d", Category.NORMALISATION, "bn",
    "Batch normalisation of (channels, height, width) maps: batch statistics in training, running ones in eval.",
    params=[_EPS, _MOMENTUM, _AFFINE],
)
def batch_norm2d(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, 3, "(channels, height, width)")
    expect_float(x)
    return nn.BatchNorm2d(x.shape[0], eps=p.eps, momentum=p.momentum, affine=p.affine)


@declare(
    "LayerNorm", Category.NORMALISATION, "ln",
    "Normalises each sample over its last axes (the same in training and eval), as in transformers.",
    params=[
        Int("axes", 1, "how many trailing axes to normalise over", min=1, max=8),
        _EPS,
        Bool("elementwise_affine", True, "learn a scale and shift per element"),
    ],
)
def layer_norm(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_float(x)
    if p.axes > len(x.shape):
        raise ShapeError(f"axes={p.axes} but the input {x} has only {len(x.shape)} axes")
    return nn.LayerNorm(x.shape[-p.axes:], eps=p.eps, elementwise_affine=p.elementwise_affine)


@declare(
    "GroupNorm", Category.NORMALISATION, "gn",
    "Normalises groups of channels within each sample; independent of the batch size.",
    params=[Int("num_groups", 8, "number of channel groups (must divide the channels)", min=1, max=65536), _EPS, _AFFINE],
)
def group_norm(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, (1, 2, 3, 4), "(channels, ...)")
    expect_float(x)
    if x.shape[0] % p.num_groups:
        raise ShapeError(f"num_groups={p.num_groups} must divide the {x.shape[0]} channels of {x}")
    if math.prod(x.shape) == p.num_groups:
        advice = "; use fewer groups" if p.num_groups > 1 else ""
        raise ShapeError(f"num_groups={p.num_groups} leaves one value per group of {x}, which always normalises to 0{advice}")
    return nn.GroupNorm(p.num_groups, x.shape[0], eps=p.eps, affine=p.affine)
