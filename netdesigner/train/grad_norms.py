"""The gradient norm of each layer, which the curves show per epoch so vanishing and exploding
gradients are seen at a glance.

Measured on the last batch of an epoch: one norm per gradient in a single foreach call (a
dozen small operations per epoch before, a visible share of a tiny model's epoch on the CPU),
grouped by layer only when read, so a GPU is not waited for before the epoch ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass
class LayerNorms:
    names: list[str]  # the layers (the nodes' names) that have gradients
    layer_of: list[int]  # for each gradient, its layer's index in ``names``
    norms: torch.Tensor | None  # each gradient's L2 norm, on the training device

    def joined(self, other: LayerNorms) -> LayerNorms:
        """These layers' norms and then ``other``'s (a GAN's two steps)."""
        import torch

        parts = [n for n in (self.norms, other.norms) if n is not None]
        offset = len(self.names)
        return LayerNorms(self.names + other.names, self.layer_of + [i + offset for i in other.layer_of],
                          torch.cat(parts) if parts else None)

    def read(self) -> dict[str, float]:
        """{layer: L2 norm of all its gradients together}; waits for the device."""
        if self.norms is None:
            return {}
        squares = [0.0] * len(self.names)
        for layer, norm in zip(self.layer_of, self.norms.tolist(), strict=True):
            squares[layer] += norm * norm
        return {name: math.sqrt(sq) for name, sq in zip(self.names, squares, strict=True)}


def layer_grad_norms(module: torch.nn.Module) -> LayerNorms:
    """The gradient norms of ``module``'s direct children (the graph's nodes)."""
    import torch

    names: list[str] = []
    layer_of: list[int] = []
    grads: list[torch.Tensor] = []
    for name, child in module.named_children():
        found = [p.grad.detach() for p in child.parameters() if p.grad is not None]
        if found:
            names.append(name)
            layer_of += [len(names) - 1] * len(found)
            grads += found
    if not grads:
        return LayerNorms([], [], None)
    norms = torch._foreach_norm(grads)  # what clip_grad_norm_ uses; groups by device and dtype itself
    return LayerNorms(names, layer_of, torch.stack([n.float().to(norms[0].device) for n in norms]))
