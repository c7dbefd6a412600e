"""Convolutions: learned filters slid over sequences (1-D) and images (2-D)."""

from __future__ import annotations

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, TensorInfo, declare, expect_float, expect_rank
from netdesigner.core.params import Bool, Int, IntTuple, Param


def conv_params(n: int) -> list[Param]:
    return [
        Int("out_channels", 16, "number of filters, i.e. output channels", min=1, max=65536),
        IntTuple("kernel_size", (3,) * n, "size of each filter", length=n, min=1, max=1024),
        IntTuple("stride", (1,) * n, "step between filter positions", length=n, min=1, max=1024),
        IntTuple("padding", (0,) * n, "zeros added on each side; 'same' keeps the size (stride 1 only)", length=n, min=0, max=1024, keywords=("same",)),
        IntTuple("dilation", (1,) * n, "spacing between filter taps (atrous convolution)", length=n, min=1, max=1024),
        Int("groups", 1, "split channels into groups convolved separately (= channels for depthwise)", min=1, max=65536),
        Bool("bias", True, "learn an additive bias per output channel"),
    ]


def check_groups(x: TensorInfo, out_channels: int, groups: int) -> None:
    channels = x.shape[0]
    if channels % groups:
        raise ShapeError(f"groups={groups} must divide the {channels} input channels of {x}")
    if out_channels % groups:
        raise ShapeError(f"groups={groups} must divide out_channels={out_channels}")


def check_window(x: TensorInfo, kernel, stride, padding, dilation=None, what: str = "kernel") -> None:
    """Refuses a window that does not fit the (padded) input, in the person's terms."""
    spatial = x.shape[1:]
    dilation = dilation or (1,) * len(spatial)
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ShapeError("padding='same' needs stride 1; set the padding in numbers instead")
        return
    for size, k, pad, dil in zip(spatial, kernel, padding, dilation, strict=True):
        reach = dil * (k - 1) + 1
        if reach > size + 2 * pad:
            sizes = "×".join(str(s) for s in spatial)
            raise ShapeError(
                f"{what} {'×'.join(str(k) for k in kernel)} does not fit the {sizes} input of {x}"
                + (f" even with padding {pad}" if pad else "")
                + "; use a smaller kernel, more padding, or less pooling before it"
            )


def _conv(n: int, p, x: TensorInfo):
    from torch import nn

    layout = "(channels, length)" if n == 1 else "(channels, height, width)"
    expect_rank(x, n + 1, layout)
    expect_float(x)
    check_groups(x, p.out_channels, p.groups)
    check_window(x, p.kernel_size, p.stride, p.padding, p.dilation)
    conv = nn.Conv1d if n == 1 else nn.Conv2d
    return conv(
        x.shape[0], p.out_channels, p.kernel_size, stride=p.stride, padding=p.padding,
        dilation=p.dilation, groups=p.groups, bias=p.bias,
    )


@declare(
    "Conv1d", Category.CONVOLUTION, "conv",
    "1-D convolution over (channels, length) input: filters slid along a sequence.",
    params=conv_params(1),
)
def conv1d(p, inputs):
    return _conv(1, p, inputs[0])


@declare(
    "Conv2d", Category.CONVOLUTION, "conv",
    "2-D convolution over (channels, height, width) input: filters slid over an image.",
    params=conv_params(2),
)
def conv2d(p, inputs):
    return _conv(2, p, inputs[0])


@declare(
    "ConvTranspose2d", Category.CONVOLUTION, "deconv",
    "Transposed 2-D convolution: upsamples (channels, height, width) maps, as in decoders and GAN generators.",
    params=[
        Int("out_channels", 16, "number of output channels", min=1, max=65536),
        IntTuple("kernel_size", (2, 2), "size of each filter", length=2, min=1, max=1024),
        IntTuple("stride", (2, 2), "upsampling factor", length=2, min=1, max=1024),
        IntTuple("padding", (0, 0), "rows and columns cropped from each side of the output", length=2, min=0, max=1024),
        IntTuple("output_padding", (0, 0), "extra rows and columns added on one side (must be below the stride)", length=2, min=0, max=1024),
        IntTuple("dilation", (1, 1), "spacing between filter taps", length=2, min=1, max=1024),
        Int("groups", 1, "split channels into groups", min=1, max=65536),
        Bool("bias", True, "learn an additive bias per output channel"),
    ],
)
def conv_transpose2d(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_rank(x, 3, "(channels, height, width)")
    expect_float(x)
    check_groups(x, p.out_channels, p.groups)
    for op, s, d in zip(p.output_padding, p.stride, p.dilation, strict=True):
        if op >= max(s, d):
            raise ShapeError(f"output_padding {p.output_padding} must be smaller than the stride {p.stride} (or dilation)")
    return nn.ConvTranspose2d(
        x.shape[0], p.out_channels, p.kernel_size, stride=p.stride, padding=p.padding,
        output_padding=p.output_padding, groups=p.groups, bias=p.bias, dilation=p.dilation,
    )
