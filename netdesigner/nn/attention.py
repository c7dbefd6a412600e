"""Self-attention layers over (batch, sequence, features) tensors."""

from __future__ import annotations

import torch
from torch import nn


def causal_mask(length: int, device: torch.device) -> torch.Tensor:
    """True above the diagonal: position i may not attend to positions after i."""
    return torch.ones(length, length, dtype=torch.bool, device=device).triu(1)


class SelfAttention(nn.MultiheadAttention):
    """Multi-head self-attention: queries, keys and values all come from the one input."""

    def __init__(self, embed_dim: int, num_heads: int, *, causal: bool = False, **kwargs) -> None:
        super().__init__(embed_dim, num_heads, batch_first=True, **kwargs)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        mask = causal_mask(x.shape[1], x.device) if self.causal else None
        out, _ = super().forward(x, x, x, attn_mask=mask, need_weights=False)
        return out


class TransformerEncoderBlock(nn.TransformerEncoderLayer):
    """One transformer encoder layer (self-attention + feed-forward), batch first."""

    def __init__(self, d_model: int, nhead: int, *, causal: bool = False, **kwargs) -> None:
        super().__init__(d_model, nhead, batch_first=True, **kwargs)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        mask = causal_mask(x.shape[1], x.device) if self.causal else None
        return super().forward(x, src_mask=mask, is_causal=self.causal)
