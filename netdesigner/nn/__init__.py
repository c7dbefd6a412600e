"""Torch modules for the layers that ``torch.nn`` lacks in the form a graph needs.

Each is a small ``nn.Module`` whose parameter names match ``torch.nn``'s own, so state_dict
keys read as a PyTorch user expects (``lstm1.weight_ih_l0``). Dimension arguments count
from the first axis after the batch, as a person sees shapes in the editor.
"""

from netdesigner.nn.attention import SelfAttention, TransformerEncoderBlock
from netdesigner.nn.noise import GaussianNoise
from netdesigner.nn.probabilistic import Reparameterize, kl_divergence
from netdesigner.nn.recurrent import GRU, LSTM, RNN
from netdesigner.nn.structure import Add, Concat, Multiply, Permute, Reshape, Split, batch_dim

__all__ = [
    "GRU", "LSTM", "RNN", "Add", "Concat", "GaussianNoise", "Multiply", "Permute",
    "Reparameterize", "Reshape", "SelfAttention", "Split", "TransformerEncoderBlock",
    "batch_dim", "kl_divergence",
]
