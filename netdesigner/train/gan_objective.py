"""What a GAN run minimises and measures: the two losses of Goodfellow et al. (2014), the
generator's in its non-saturating form, and their running sums over a pass.

- discriminator: binary cross-entropy (on logits) of D(x) against "real" and of D(G(z))
  against "fake", added: −log D(x) − log(1 − D(G(z))). The fakes are detached, so this loss
  reaches the discriminator's weights only;
- generator: binary cross-entropy of D(G(z)) against "real", i.e. −log D(G(z)): the
  non-saturating loss the paper recommends instead of log(1 − D(G(z))), whose gradient
  vanishes exactly when the discriminator rejects the fakes, early in training.

A pass's single loss (``train_loss``, ``val_loss`` and the batch loss the curves draw) is the
discriminator's plus the generator's; it says little alone, so the metrics keep them apart:
``discriminator_loss``, ``generator_loss``, and ``d_real`` / ``d_fake``, the discriminator's mean
probability that a real / a generated sample is real (both near 0.5 at the game's equilibrium;
d_real → 1 and d_fake → 0 when the discriminator is winning outright).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

METRICS = ("discriminator_loss", "generator_loss", "d_real", "d_fake")


class GanObjective:
    """The GAN's losses; answers what the trainer and the views ask of any objective."""

    task = "gan"
    classifies = False  # no confusion matrix, no decision boundary
    heads: tuple = ()
    kl_modules: tuple = ()

    def __init__(self, kl_beta: float = 1.0) -> None:
        self.kl_beta = kl_beta  # kept for the settings setter; a GAN has no KL term

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        yield  # no forward hooks: a GAN's losses are all in the two methods below

    def discriminator_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor,
                           tally: GanTally | None = None) -> torch.Tensor:
        """−log D(x) − log(1 − D(G(z))), each term a mean over its samples."""
        import torch
        import torch.nn.functional as F

        real = real_logits.float().reshape(len(real_logits), -1)
        fake = fake_logits.float().reshape(len(fake_logits), -1)
        loss = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
        if tally is not None:
            n = len(real)
            tally.add("discriminator_loss", loss.detach() * n, n)
            tally.add("d_real", torch.sigmoid(real.detach()).mean() * n, n)
            tally.add("d_fake", torch.sigmoid(fake.detach()).mean() * len(fake), len(fake))
        return loss

    def generator_loss(self, fake_logits: torch.Tensor, tally: GanTally | None = None) -> torch.Tensor:
        """−log D(G(z)): the generator wins when the discriminator calls its samples real."""
        import torch
        import torch.nn.functional as F

        fake = fake_logits.float().reshape(len(fake_logits), -1)
        loss = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
        if tally is not None:
            tally.add("generator_loss", loss.detach() * len(fake), len(fake))
        return loss


class GanTally:
    """Sums of the GAN's figures over a pass, kept as device tensors (adding never waits for
    a GPU); ``read`` waits once for all of them."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, value: torch.Tensor, count: int) -> None:
        """Adds ``value`` (already a sum over ``count`` samples)."""
        if name in self.sums:
            self.sums[name] = self.sums[name] + value.detach().float()
            self.counts[name] += count
        else:
            self.sums[name] = value.detach().float()
            self.counts[name] = count

    def read(self) -> tuple[float, dict[str, float]]:
        """(discriminator + generator loss, per-sample means of ``METRICS``)."""
        import torch

        names = [n for n in METRICS if n in self.sums]
        if not names:
            return math.nan, {}
        values = torch.stack([self.sums[n].to(self.sums[names[0]].device) for n in names]).tolist()
        metrics = {n: v / max(1, self.counts[n]) for n, v in zip(names, values, strict=True)}
        loss = metrics.get("discriminator_loss", math.nan) + metrics.get("generator_loss", math.nan)
        return loss, metrics

    def confusion(self) -> None:
        return None
