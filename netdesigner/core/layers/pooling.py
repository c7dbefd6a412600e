"""Pooling: shrink feature maps by taking the maximum or mean of each window."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, TensorInfo, declare, expect_float, expect_rank
from netdesigner.core.layers.convolution import check_window
from netdesigner.core.params import Bool, IntTuple, Param


def pool_params(n: int) -> list[Param]:
    return [
        IntTuple("kernel_size", (2,) * n, "size of each pooling window", length=n, min=1, max=1024),
        IntTuple("stride", "kernel", "step between windows; 'kernel' means the same as kernel_size (windows do not overlap)", length=n, min=1, max=1024, keywords=("kernel",)),
        IntTuple("padding", (0,) * n, "padding on each side (at most half the kernel)", length=n, min=0, max=512),
        Bool("ceil_mode", False, "round the output size up, so a partial window at the edge still counts"),
    ]


def _pool(n: int, kind: str, p, x: TensorInfo):
    from torch import nn

    expect_rank(x, n + 1, "(channels, length)" if n == 1 else "(channels, height, width)")
    expect_float(x)
    stride = p.kernel_size if p.stride == "kernel" else p.stride
    for k, pad in zip(p.kernel_size, p.padding, strict=True):
        if 2 * pad > k:
            raise ShapeError(f"padding {p.padding} may be at most half the kernel {p.kernel_size}")
    if not p.ceil_mode:  # with ceil_mode a partial window at the edge still makes an output
        check_window(x, p.kernel_size, stride, p.padding, what="pooling window")
    cls = {("max", 1): nn.MaxPool1d, ("max", 2): nn.MaxPool2d, ("avg", 1): nn.AvgPool1d, ("avg", 2): nn.AvgPool2d}[kind, n]
    return cls(p.kernel_size, stride=stride, padding=p.padding, ceil_mode=p.ceil_mode)


@declare("MaxPool1d", Category.POOLING, "pool", "Maximum over windows of a (channels, length) input.", params=pool_params(1))
def max_pool1d(p, inputs):
    return _pool(1, "max", p, inputs[0])


@declare("MaxPool2d", Category.POOLING, "pool", "Maximum over windows of a (channels, height, width) input.", params=pool_params(2))
def max_pool2d(p, inputs):
    return _pool(2, "max", p, inputs[0])


@declare("AvgPool1d", Category.POOLING, "pool", "Mean over windows of a (channels, length) input.", params=pool_params(1))
def avg_pool1d(p, inputs):
    return _pool(1, "avg", p, inputs[0])


@declare("AvgPool2d", Category.POOLING, "pool", "Mean over windows of a (channels, height, width) input.", params=pool_params(2))
def avg_pool2d(p, inputs):
    return _pool(2, "avg", p, inputs[0])


@declare(
    "AdaptiveAvgPool1d", Category.POOLING, "gap",
    "Mean pooling to a fixed output length whatever the input length (1 = global average pooling).",
    params=[IntTuple("output_size", (1,), "length of the output", length=1, min=1, max=65536)],
)
def adaptive_avg_pool1d(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, 2, "(channels, length)")
    expect_float(x)
    return nn.AdaptiveAvgPool1d(p.output_size)


@declare(
    "AdaptiveAvgPool2d", Category.POOLING, "gap",
    "Mean pooling to a fixed output size whatever the input size ((1, 1) = global average pooling).",
    params=[IntTuple("output_size", (1, 1), "height and width of the output", length=2, min=1, max=65536)],
)
def adaptive_avg_pool2d(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, 3, "(channels, height, width)")
    expect_float(x)
    return nn.AdaptiveAvgPool2d(p.output_size)
