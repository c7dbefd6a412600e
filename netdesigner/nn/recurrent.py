"""Recurrent layers that return one tensor: the whole output sequence or the last step.

They subclass ``torch.nn``'s own layers (batch first), so their parameters keep torch's
names. "Last step" of a bidirectional layer joins the forward direction's final state with
the backward direction's state after reading the whole sequence (its step 0), which is what
``output[:, -1]`` gets wrong.
"""

from __future__ import annotations

import torch
from torch import nn


def _last_step(h_n: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    # h_n: (num_layers * directions, batch, hidden)
    if bidirectional:
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)
    return h_n[-1]


class _SequenceOrLast:
    """Batch-first recurrent layer returning the output sequence or the last step's state."""

    def __init__(self, *args, return_sequence: bool = True, **kwargs) -> None:
        super().__init__(*args, batch_first=True, **kwargs)
        self.return_sequence = return_sequence

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, state = super().forward(x)
        if self.return_sequence:
            return out
        h_n = state[0] if isinstance(state, tuple) else state  # an LSTM's state is (h, c)
        return _last_step(h_n, self.bidirectional)


class RNN(_SequenceOrLast, nn.RNN):
    pass


class GRU(_SequenceOrLast, nn.GRU):
    pass


class LSTM(_SequenceOrLast, nn.LSTM):
    pass
