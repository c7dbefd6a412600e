"""Element-wise non-linearities (and the two normalising ones, Softmax and LogSoftmax)."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, TensorInfo, declare, expect_float
from netdesigner.core.params import Bool, Choice, Float, Int


def _simple(name: str, prefix: str, doc: str, factory: str) -> None:
    """Declares a parameter-free activation that builds ``torch.nn.<factory>()``."""

    @declare(name, Category.ACTIVATION, prefix, doc)
    def build(p, inputs):
        from torch import nn

        expect_float(inputs[0])
        return getattr(nn, factory)()


_simple("ReLU", "relu", "max(0, x): the default non-linearity of deep networks.", "ReLU")
_simple("SiLU", "silu", "x·sigmoid(x) (swish): smooth, non-monotonic.", "SiLU")
_simple("Tanh", "tanh", "Hyperbolic tangent, squashing to (-1, 1).", "Tanh")
_simple("Sigmoid", "sigmoid", "1 / (1 + e⁻ˣ), squashing to (0, 1).", "Sigmoid")


def _dim_in_range(x: TensorInfo, dim: int) -> None:
    if not -len(x.shape) <= dim < len(x.shape):
        raise ShapeError(f"dim={dim} is outside the {len(x.shape)} axes of {x} (0 is the first axis after the batch)")


@declare(
    "LeakyReLU", Category.ACTIVATION, "lrelu", "x for x > 0, negative_slope·x otherwise: never quite dead.",
    params=[Float("negative_slope", 0.01, "slope for negative inputs", min=0.0, max=1.0)],
)
def leaky_relu(p, inputs):
    from torch import nn

    expect_float(inputs[0])
    return nn.LeakyReLU(p.negative_slope)


@declare(
    "ELU", Category.ACTIVATION, "elu", "x for x > 0, alpha·(eˣ − 1) otherwise: smooth, with negative outputs.",
    params=[Float("alpha", 1.0, "value approached for very negative inputs (as −alpha)", min=0.0, max=100.0)],
)
def elu(p, inputs):
    from torch import nn

    expect_float(inputs[0])
    return nn.ELU(p.alpha)


@declare(
    "GELU", Category.ACTIVATION, "gelu", "x·Φ(x), the transformer's activation.",
    params=[Choice("approximate", "none", ("none", "tanh"), "exact, or the faster tanh approximation")],
)
def gelu(p, inputs):
    from torch import nn

    expect_float(inputs[0])
    return nn.GELU(approximate=p.approximate)


@declare(
    "Softmax", Category.ACTIVATION, "softmax",
    "Turns scores into probabilities along one axis (not before a cross-entropy loss, which applies it itself).",
    params=[Int("dim", -1, "axis that sums to one (0 = first axis after the batch, -1 = last)", min=-8, max=7)],
)
def softmax(p, inputs):
    from torch import nn

    from netdesigner.nn import batch_dim

    expect_float(inputs[0])
    _dim_in_range(inputs[0], p.dim)
    return nn.Softmax(dim=batch_dim(p.dim))


@declare(
    "LogSoftmax", Category.ACTIVATION, "logsoftmax",
    "Log-probabilities along one axis, for the NLL loss.",
    params=[Int("dim", -1, "axis to normalise (0 = first axis after the batch, -1 = last)", min=-8, max=7)],
)
def log_softmax(p, inputs):
    from torch import nn

    from netdesigner.nn import batch_dim

    expect_float(inputs[0])
    _dim_in_range(inputs[0], p.dim)
    return nn.LogSoftmax(dim=batch_dim(p.dim))


@declare(
    "Softplus", Category.ACTIVATION, "softplus", "log(1 + e^(beta·x)) / beta: a smooth ReLU.",
    params=[
        Float("beta", 1.0, "sharpness", min=1e-3, max=1000.0),
        Float("threshold", 20.0, "above beta·x > threshold the function is linear", min=0.0, max=1000.0),
    ],
)
def softplus(p, inputs):
    from torch import nn

    expect_float(inputs[0])
    return nn.Softplus(p.beta, p.threshold)


@declare(
    "PReLU", Category.ACTIVATION, "prelu", "Leaky ReLU whose negative slope is learned.",
    params=[
        Bool("per_channel", False, "learn one slope per channel (axis 0) instead of one for all"),
        Float("init", 0.25, "initial slope", min=0.0, max=1.0),
    ],
)
def prelu(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_float(x)
    if p.per_channel and not x.shape:
        raise ShapeError(f"per_channel needs a channel axis, but receives {x}")
    return nn.PReLU(x.shape[0] if p.per_channel else 1, init=p.init)
