"""Stochastic layers for variational models."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, declare, expect_float
from netdesigner.core.params import Float


@declare(
    "Reparameterize", Category.PROBABILISTIC, "z",
    "Samples z = mean + σ·ε from (mean, log-variance) while training and adds the KL term to the loss; gives the mean in eval.",
    inputs=("mean", "logvar"),
    params=[Float("beta", 1.0, "weight of the KL term in the loss (β-VAE)", min=0.0, max=1000.0)],
)
def reparameterize(p, inputs):
    from netdesigner.nn import Reparameterize

    mean, logvar = inputs
    expect_float(mean)
    if mean.shape != logvar.shape:
        raise ShapeError(f"mean {mean} and logvar {logvar} must have the same shape")
    return Reparameterize(p.beta)
