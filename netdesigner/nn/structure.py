"""Modules that route tensors: element-wise merges, concatenation, splitting, reshaping."""

from __future__ import annotations

import torch
from torch import nn


def batch_dim(dim: int) -> int:
    """The torch dimension for a dimension counted without the batch axis (0 = first axis after it)."""
    return dim + 1 if dim >= 0 else dim


class Add(nn.Module):
    """Element-wise sum of all inputs (a residual connection when one input skips ahead)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    """Element-wise product of all inputs (gating)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concat(nn.Module):
    """Concatenation along one axis (0 = channels for images, features for vectors)."""

    def __init__(self, dim: int = 0) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=batch_dim(self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Split(nn.Module):
    """Cuts a tensor into ``chunks`` equal pieces along one axis; one output each."""

    def __init__(self, chunks: int = 2, dim: int = 0) -> None:
        super().__init__()
        self.chunks = chunks
        self.dim = dim

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return torch.chunk(x, self.chunks, dim=batch_dim(self.dim))

    def extra_repr(self) -> str:
        return f"chunks={self.chunks}, dim={self.dim}"


class Reshape(nn.Module):
    """Gives each sample a new shape (the batch axis is kept)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


class Permute(nn.Module):
    """Reorders the axes of each sample; ``dims`` count without the batch axis."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, *(d + 1 for d in self.dims))

    def extra_repr(self) -> str:
        return f"dims={self.dims}"
