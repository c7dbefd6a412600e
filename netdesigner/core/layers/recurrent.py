"""Recurrent layers over (sequence, features) input, batch first."""

from __future__ import annotations

from netdesigner.core.layer_type import Category, declare, expect_float, expect_rank
from netdesigner.core.params import Bool, Choice, Float, Int, Param

_COMMON: list[Param] = [
    Int("hidden_size", 64, "size of the hidden state", min=1, max=65536),
    Int("num_layers", 1, "recurrent layers stacked on each other", min=1, max=64),
    Bool("bidirectional", False, "also read the sequence backwards; doubles the output features"),
    Float("dropout", 0.0, "dropout between stacked layers (needs num_layers > 1)", min=0.0, max=1.0),
    Choice("output", "sequence", ("sequence", "last"), "the whole output sequence, or only the final state (for classifying a sequence)"),
    Bool("bias", True, "learn biases"),
]


def _recurrent(cls_name: str, p, inputs, **extra):
    import netdesigner.nn as ndnn

    (x,) = inputs
    expect_rank(x, 2, "(sequence, features)")
    expect_float(x)
    cls = getattr(ndnn, cls_name)
    return cls(
        x.shape[1], p.hidden_size, p.num_layers, bias=p.bias,
        dropout=p.dropout if p.num_layers > 1 else 0.0, bidirectional=p.bidirectional,
        return_sequence=p.output == "sequence", **extra,
    )


@declare(
    "RNN", Category.RECURRENT, "rnn", "Elman recurrent network: h ← act(W·x + U·h + b) at each step.",
    params=[*_COMMON, Choice("nonlinearity", "tanh", ("tanh", "relu"), "activation of the hidden state")],
)
def rnn(p, inputs):
    return _recurrent("RNN", p, inputs, nonlinearity=p.nonlinearity)


@declare("LSTM", Category.RECURRENT, "lstm", "Long short-term memory: gated cell state that carries information across many steps.", params=_COMMON)
def lstm(p, inputs):
    return _recurrent("LSTM", p, inputs)


@declare("GRU", Category.RECURRENT, "gru", "Gated recurrent unit: an LSTM with fewer gates and no separate cell state.", params=_COMMON)
def gru(p, inputs):
    return _recurrent("GRU", p, inputs)
