"""Shape inference agrees with real torch layers, including on which settings are impossible."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from netdesigner.core.graph import Graph
from netdesigner.core.names import MODULE_ATTRIBUTES, name_problem
from netdesigner.core.shapes import infer_shapes


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 6),
    stride=st.integers(1, 3),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_conv2d_shape_matches_torch(size: int, kernel: int, stride: int, padding: int, dilation: int) -> None:
    g = Graph()
    conv = g.add("Conv2d", g.input((2, size, size + 1)), out_channels=3, kernel_size=kernel,
                 stride=stride, padding=padding, dilation=dilation)
    found = infer_shapes(g).nodes[conv.node_id]
    try:
        real = nn.Conv2d(2, 3, kernel, stride, padding, dilation)(torch.zeros(1, 2, size, size + 1))
    except RuntimeError:
        assert found.error is not None, "torch refuses these settings but inference accepted them"
        return
    assert found.error is None, found.error
    assert found.outputs[0].shape == tuple(real.shape[1:])
    assert found.params == sum(p.numel() for p in nn.Conv2d(2, 3, kernel).parameters())
    out_h, out_w = real.shape[2:]
    assert found.macs == 3 * out_h * out_w * 2 * kernel * kernel  # out positions × in_channels × k²


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


def test_linear_macs_are_in_times_out() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((7,)), out_features=5)
    found = infer_shapes(g).nodes[fc.node_id]
    assert (found.params, found.macs) == (7 * 5 + 5, 7 * 5)


def test_reserved_names_are_exactly_what_a_module_has() -> None:
    from torch import fx

    graph = fx.Graph()
    graph.output(graph.placeholder("x"))
    module = fx.GraphModule(nn.Module(), graph)
    public = {n for n in dir(module) if not n.startswith("_")}
    assert public | {"self"} == MODULE_ATTRIBUTES


def test_names_that_could_run_code_or_shadow_are_refused() -> None:
    for bad in ["", "1conv", "_private", "__class__", "class", "match", "forward", "a b", "x" * 65, "conv1; import os"]:
        assert name_problem(bad), bad
    assert name_problem("conv1") is None
