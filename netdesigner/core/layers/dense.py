"""Fully connected layers and embeddings."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, declare, expect_float
from netdesigner.core.params import Bool, Int


@declare(
    "Linear", Category.DENSE, "fc",
    "Fully connected layer: y = x·Wᵀ + b on the last axis (in_features comes from the input).",
    params=[
        Int("out_features", 64, "size of each output vector", min=1, max=1_000_000),
        Bool("bias", True, "learn an additive bias"),
    ],
)
def linear(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_float(x)
    if not x.shape:
        raise ShapeError(f"needs at least one axis of features, but receives {x}")
    return nn.Linear(x.shape[-1], p.out_features, bias=p.bias)


@declare(
    "Embedding", Category.DENSE, "embed",
    "Looks up a learned vector for each integer token id (ids must be below num_embeddings).",
    params=[
        Int("num_embeddings", 1000, "vocabulary size: token ids run from 0 to this minus one", min=1, max=10_000_000),
        Int("embedding_dim", 64, "size of each embedding vector", min=1, max=100_000),
    ],
)
def embedding(p, inputs):
    from torch import nn

    (x,) = inputs
    if x.dtype != "int64":
        raise ShapeError(f"needs integer token ids (an Input with dtype int64), but receives {x}")
    return nn.Embedding(p.num_embeddings, p.embedding_dim)
