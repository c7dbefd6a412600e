"""The reparameterisation trick of variational autoencoders (Kingma & Welling, 2014)."""

from __future__ import annotations

import torch
from torch import nn


def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) ‖ N(0, 1)), summed over features and averaged over the batch."""
    per_sample = -0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).flatten(1).sum(dim=1)
    return per_sample.mean()


class Reparameterize(nn.Module):
    """z = mean + exp(logvar / 2) · ε with ε ~ N(0, 1); the mean itself in eval mode.

    While training, the KL term of the evidence lower bound is kept in ``self.kl`` (scaled by
    ``beta``) for the trainer to add to the loss; the forward result stays a plain tensor so the
    module exports like any other.
    """

    def __init__(self, beta: float = 1.0) -> None:
        super().__init__()
        self.beta = beta
        self.kl: torch.Tensor | None = None

    def forward(self, mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return mean
        self.kl = self.beta * kl_divergence(mean, logvar)
        return mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)

    def __getstate__(self) -> dict:
        """Copies and pickles leave ``kl`` out: it is one batch's result with its autograd
        graph, no part of the layer (and a deepcopy of a non-leaf tensor fails)."""
        state = dict(super().__getstate__())
        state["kl"] = None
        return state

    def extra_repr(self) -> str:
        return f"beta={self.beta}"
