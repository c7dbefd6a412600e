"""Layers that reshape or route tensors without learning anything."""

from __future__ import annotations

import math

from netdesigner.core.errors import ShapeError
from netdesigner.core.layer_type import Category, TensorInfo, declare, expect_float
from netdesigner.core.params import Choice, Float, Int, IntTuple


def _axis(x: TensorInfo, dim: int) -> int:
    rank = len(x.shape)
    if not -rank <= dim < rank:
        raise ShapeError(f"dim={dim} is outside the {rank} axes of {x} (0 is the first axis after the batch)")
    return dim % rank


@declare("Flatten", Category.STRUCTURE, "flatten", "Flattens each sample to one vector, e.g. (16, 5, 5) → (400,).")
def flatten(p, inputs):
    from torch import nn

    return nn.Flatten()


@declare(
    "Reshape", Category.STRUCTURE, "reshape",
    "Gives each sample a new shape with the same number of values (one size may be -1: inferred).",
    params=[IntTuple("shape", (-1,), "new shape of one sample", min=1, max=1_000_000, allow_infer=True)],
)
def reshape(p, inputs):
    from netdesigner.nn import Reshape

    (x,) = inputs
    have = math.prod(x.shape)
    known = math.prod(s for s in p.shape if s != -1)
    fits = have % known == 0 if -1 in p.shape else have == known
    if not fits:
        target = "(" + ", ".join(str(s) for s in p.shape) + ")"
        raise ShapeError(f"cannot reshape {x} ({have} values per sample) to {target} ({known} values{' times the inferred size' if -1 in p.shape else ''})")
    return Reshape(p.shape)


@declare(
    "Permute", Category.STRUCTURE, "permute",
    "Reorders the axes of each sample, e.g. dims (1, 0) turns (channels, length) into (length, channels).",
    params=[IntTuple("dims", (1, 0), "new order of the axes (0 is the first axis after the batch)", min=0, max=7)],
)
def permute(p, inputs):
    from netdesigner.nn import Permute

    (x,) = inputs
    if sorted(p.dims) != list(range(len(x.shape))):
        raise ShapeError(f"dims {p.dims} must order the axes 0…{len(x.shape) - 1} of {x}, each once")
    return Permute(p.dims)


@declare(
    "Upsample", Category.STRUCTURE, "up",
    "Enlarges (channels, length) or (channels, height, width) maps by a scale factor.",
    params=[
        Float("scale_factor", 2.0, "factor for each spatial axis", min=0.01, max=1000.0),
        Choice("mode", "nearest", ("nearest", "linear", "bilinear"), "interpolation: linear for 1-D maps, bilinear for 2-D"),
    ],
)
def upsample(p, inputs):
    from torch import nn

    (x,) = inputs
    expect_float(x)
    need = {"linear": 2, "bilinear": 3}.get(p.mode)
    if len(x.shape) not in (2, 3) or (need and len(x.shape) != need):
        layout = {2: "(channels, length)", 3: "(channels, height, width)"}.get(need, "(channels, length) or (channels, height, width)")
        raise ShapeError(f"mode {p.mode!r} needs input shaped {layout}, but receives {x}")
    align = False if p.mode in ("linear", "bilinear") else None
    return nn.Upsample(scale_factor=p.scale_factor, mode=p.mode, align_corners=align)


def _check_same_shapes(inputs: tuple[TensorInfo, ...], what: str) -> None:
    first = inputs[0]
    for i, x in enumerate(inputs[1:], start=2):
        if x.shape != first.shape:
            raise ShapeError(f"{what} needs inputs of one shape, but input 1 is {first} and input {i} is {x}")


@declare("Add", Category.STRUCTURE, "add", "Element-wise sum of its inputs: the residual connection of ResNets.", min_inputs=2)
def add(p, inputs):
    from netdesigner.nn import Add

    _check_same_shapes(inputs, "Add")
    return Add()


@declare("Multiply", Category.STRUCTURE, "mul", "Element-wise product of its inputs (gating).", min_inputs=2)
def multiply(p, inputs):
    from netdesigner.nn import Multiply

    _check_same_shapes(inputs, "Multiply")
    return Multiply()


@declare(
    "Concat", Category.STRUCTURE, "concat",
    "Joins its inputs along one axis (0 = channels of images, features of vectors), in port order.",
    min_inputs=2,
    params=[Int("dim", 0, "axis to join along (0 is the first axis after the batch)", min=-8, max=7)],
)
def concat(p, inputs):
    from netdesigner.nn import Concat

    first = inputs[0]
    axis = _axis(first, p.dim)
    for i, x in enumerate(inputs[1:], start=2):
        if len(x.shape) != len(first.shape) or any(a != b for j, (a, b) in enumerate(zip(x.shape, first.shape, strict=True)) if j != axis):
            raise ShapeError(f"Concat along axis {axis} needs all other axes equal, but input 1 is {first} and input {i} is {x}")
        if x.dtype != first.dtype:
            raise ShapeError(f"Concat needs inputs of one dtype, but input 1 is {first} and input {i} is {x}")
    return Concat(p.dim)


@declare(
    "Split", Category.STRUCTURE, "split",
    "Cuts its input into equal chunks along one axis; one output port per chunk.",
    params=[
        Int("chunks", 2, "number of equal pieces (one output each)", min=1, max=64),
        Int("dim", 0, "axis to cut (0 is the first axis after the batch)", min=-8, max=7),
    ],
    outputs=lambda p: p.chunks,
)
def split(p, inputs):
    from netdesigner.nn import Split

    (x,) = inputs
    axis = _axis(x, p.dim)
    if x.shape[axis] % p.chunks:
        raise ShapeError(f"cannot cut axis {axis} of {x} (size {x.shape[axis]}) into {p.chunks} equal chunks")
    return Split(p.chunks, p.dim)
