"""Attention layers over (sequence, features) input."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, TensorInfo, declare, expect_float, expect_rank
from netdesigner.core.params import Bool, Choice, Float, Int


def _check_heads(x: TensorInfo, heads: int) -> None:
    expect_rank(x, 2, "(sequence, features)")
    expect_float(x)
    if x.shape[1] % heads:
        raise ShapeError(f"{heads} heads must divide the {x.shape[1]} features of {x}")


@declare(
    "MultiheadAttention", Category.ATTENTION, "attn",
    "Multi-head self-attention: every position looks at every other (or only earlier ones, if causal).",
    params=[
        Int("num_heads", 4, "attention heads (must divide the feature size)", min=1, max=1024),
        Float("dropout", 0.0, "dropout on the attention weights", min=0.0, max=1.0),
        Bool("bias", True, "learn biases in the projections"),
        Bool("causal", False, "mask future positions, as a language model must"),
    ],
)
def multihead_attention(p, inputs):
    from netdesigner.nn import SelfAttention

    (x,) = inputs
    _check_heads(x, p.num_heads)
    return SelfAttention(x.shape[1], p.num_heads, causal=p.causal, dropout=p.dropout, bias=p.bias)


@declare(
    "TransformerEncoderLayer", Category.ATTENTION, "encoder",
    "A transformer encoder block: self-attention then a feed-forward network, each with a residual and LayerNorm.",
    params=[
        Int("nhead", 4, "attention heads (must divide the feature size)", min=1, max=1024),
        Int("dim_feedforward", 256, "hidden size of the feed-forward network", min=1, max=1_000_000),
        Float("dropout", 0.1, "dropout after attention and feed-forward", min=0.0, max=1.0),
        Choice("activation", "relu", ("relu", "gelu"), "activation of the feed-forward network"),
        Bool("norm_first", False, "LayerNorm before each sub-block (pre-norm, trains more stably when deep)"),
        Bool("causal", False, "mask future positions"),
    ],
)
def transformer_encoder_layer(p, inputs):
    from netdesigner.nn import TransformerEncoderBlock

    (x,) = inputs
    _check_heads(x, p.nhead)
    return TransformerEncoderBlock(
        x.shape[1], p.nhead, causal=p.causal, dim_feedforward=p.dim_feedforward,
        dropout=p.dropout, activation=p.activation, norm_first=p.norm_first,
    )
