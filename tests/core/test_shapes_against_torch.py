"""MaxPool2d shapes agree with real torch pooling, including on which settings are impossible."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from netdesigner.core.graph import Graph
from netdesigner.core.shapes import infer_shapes


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 10), kernel=st.integers(1, 4), padding=st.integers(0, 2), ceil=st.booleans())
def test_max_pool_shape_matches_torch(size: int, kernel: int, padding: int, ceil: bool) -> None:
    g = Graph()
    pool = g.add("MaxPool2d", g.input((1, size, size)), kernel_size=kernel, padding=padding, ceil_mode=ceil)
    found = infer_shapes(g).nodes[pool.node_id]
    try:
        real = nn.MaxPool2d(kernel, padding=padding, ceil_mode=ceil)(torch.zeros(1, 1, size, size))
        if 0 in real.shape:
            raise RuntimeError("empty output")
    except RuntimeError:
        assert found.error is not None
        return
    assert found.error is None, found.error
    assert found.outputs[0].shape == tuple(real.shape[1:])
