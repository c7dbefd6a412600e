"""Each ONNX op the importer knows, as the catalogue layer it becomes.

A mapper reads one node (its attributes, its constant inputs, the inferred shapes) and adds
one layer through ``Reading.add``, or raises ``Unsupported`` saying why this node has no equal
layer (the reason goes into the one message that lists every such node). Axis numbers are
converted to the catalogue's, which count from the first axis after the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnx

    from netdesigner.importer.onnx_reader import Reading


class Unsupported(Exception):  # noqa: N818 - the name says what happened
    """This node has no equal catalogue layer; the message says why."""


def attributes(node: onnx.NodeProto) -> dict[str, Any]:
    from onnx import helper

    values = {}
    for a in node.attribute:
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list) and value and isinstance(value[0], bytes):  # STRINGS: an RNN's activations
            value = [v.decode() for v in value]
        values[a.name] = value
    return values


def _setting(value: float) -> float:
    """An ONNX float attribute (float32) as the setting a person typed: 1e-05, not
    9.999999747378752e-06 (the shortest decimal that is the same float32)."""
    return float(str(np.float32(value)))


def _symmetric_pads(pads: list[int] | None, rank: int) -> tuple[int, ...]:
    pads = list(pads or [0] * (2 * rank))
    begin, end = pads[:rank], pads[rank:]
    if begin != end:
        raise Unsupported(f"pads {pads} differ at the start and the end of an axis; the layers pad both ends alike")
    return tuple(begin)


def _auto_pad(a: dict[str, Any]) -> None:
    if a.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise Unsupported(f"auto_pad={a['auto_pad']}: give the padding explicitly (export with explicit pads)")


def _axis(axis: int, rank: int | None, what: str) -> int:
    """An ONNX axis (the batch is axis 0) as the catalogue's (0 = the first after the batch)."""
    if axis < 0:
        return axis
    if axis == 0:
        raise Unsupported(f"{what} along the batch axis; the layers work on each sample")
    return axis - 1


# ---- layers with weights ---------------------------------------------------------------------
def conv(r: Reading, node: onnx.NodeProto) -> None:
    a = attributes(node)
    _auto_pad(a)
    weight = r.constant(node.input[1], "the kernel")
    bias = r.constant(node.input[2], "the bias") if len(node.input) > 2 and node.input[2] else None
    rank = weight.ndim - 2
    if rank not in (1, 2):
        raise Unsupported(f"a {rank}-D convolution; the catalogue has 1-D and 2-D ones")
    params = dict(out_channels=int(weight.shape[0]), kernel_size=tuple(int(k) for k in weight.shape[2:]),
                  stride=tuple(a.get("strides", [1] * rank)), padding=_symmetric_pads(a.get("pads"), rank),
                  dilation=tuple(a.get("dilations", [1] * rank)), groups=int(a.get("group", 1)), bias=bias is not None)
    weights = {"weight": weight} | ({"bias": bias} if bias is not None else {})
    r.add(f"Conv{rank}d", node, [node.input[0]], weights, **params)


def conv_transpose(r: Reading, node: onnx.NodeProto) -> None:
    a = attributes(node)
    _auto_pad(a)
    if a.get("output_shape"):
        raise Unsupported("output_shape is given instead of pads and output_padding")
    weight = r.constant(node.input[1], "the kernel")
    bias = r.constant(node.input[2], "the bias") if len(node.input) > 2 and node.input[2] else None
    if weight.ndim != 4:
        raise Unsupported("only 2-D transposed convolutions are in the catalogue")
    groups = int(a.get("group", 1))
    params = dict(out_channels=int(weight.shape[1]) * groups, kernel_size=tuple(int(k) for k in weight.shape[2:]),
                  stride=tuple(a.get("strides", [1, 1])), padding=_symmetric_pads(a.get("pads"), 2),
                  output_padding=tuple(a.get("output_padding", [0, 0])), dilation=tuple(a.get("dilations", [1, 1])),
                  groups=groups, bias=bias is not None)
    weights = {"weight": weight} | ({"bias": bias} if bias is not None else {})
    r.add("ConvTranspose2d", node, [node.input[0]], weights, **params)


def gemm(r: Reading, node: onnx.NodeProto) -> None:
    a = attributes(node)
    if a.get("transA", 0):
        raise Unsupported("transA=1: the input is transposed before the product")
    weight = r.constant(node.input[1], "the weight matrix")
    weight = (weight if a.get("transB", 0) else weight.T) * np.float32(a.get("alpha", 1.0))
    bias = None
    if len(node.input) > 2 and node.input[2]:
        c = r.constant(node.input[2], "the bias") * np.float32(a.get("beta", 1.0))
        if c.size not in (1, weight.shape[0]) or (c.ndim == 2 and c.shape[0] != 1):
            raise Unsupported(f"a bias of shape {c.shape} is not one value per output")
        bias = np.broadcast_to(c.reshape(-1), (weight.shape[0],)).astype(weight.dtype)
    weights = {"weight": np.ascontiguousarray(weight)} | ({"bias": bias} if bias is not None else {})
    r.add("Linear", node, [node.input[0]], weights, out_features=int(weight.shape[0]), bias=bias is not None)


def matmul(r: Reading, node: onnx.NodeProto) -> None:
    weight = r.constant(node.input[1], "the weight matrix")
    if weight.ndim != 2:
        raise Unsupported(f"a product with a {weight.ndim}-D constant; only a matrix on the right is a Linear layer")
    layer = r.add("Linear", node, [node.input[0]], {"weight": np.ascontiguousarray(weight.T)},
                  out_features=int(weight.shape[1]), bias=False)
    r.bias_free[node.output[0]] = layer


def gather(r: Reading, node: onnx.NodeProto) -> None:
    """A lookup of rows of a constant table by the data's token ids: an Embedding layer."""
    if int(attributes(node).get("axis", 0)) != 0 or not r.is_constant(node.input[0]) or r.is_constant(node.input[1]):
        raise Unsupported("a Gather that is not a table lookup by token ids (a constant table, axis 0)")
    table = r.constant(node.input[0], "the embedding table")
    if table.ndim != 2 or table.dtype.kind != "f":
        raise Unsupported(f"a lookup table of shape {table.shape} and type {table.dtype}; an Embedding's is a float matrix")
    r.add("Embedding", node, [node.input[1]], {"weight": np.ascontiguousarray(table)},
          num_embeddings=int(table.shape[0]), embedding_dim=int(table.shape[1]))


def batch_norm(r: Reading, node: onnx.NodeProto) -> None:
    a = attributes(node)
    if len(node.output) > 1 and any(node.output[1:]):
        raise Unsupported("training-mode BatchNormalization (running statistics as outputs)")
    scale, shift, mean, var = (r.constant(node.input[i], what) for i, what in
                               ((1, "scale"), (2, "bias"), (3, "running mean"), (4, "running variance")))
    rank = len(r.shape(node.input[0]) or [])
    kind = "BatchNorm2d" if rank == 4 else "BatchNorm1d" if rank in (2, 3) else None
    if kind is None:
        raise Unsupported(f"batch normalisation of a rank-{rank} tensor")
    import numpy as np_

    weights = {"weight": scale, "bias": shift, "running_mean": mean, "running_var": var,
               "num_batches_tracked": np_.array(0, dtype=np_.int64)}
    r.add(kind, node, [node.input[0]], weights, eps=_setting(a.get("epsilon", 1e-5)),
          momentum=_setting(1.0 - _setting(a.get("momentum", 0.9))), affine=True)


def layer_norm(r: Reading, node: onnx.NodeProto) -> None:
    """LayerNormalization over the axes from ``axis`` on (never the batch): a LayerNorm."""
    a = attributes(node)
    shape = r.shape(node.input[0])
    if shape is None:
        raise Unsupported("a layer normalisation of an input of unknown rank")
    axis = int(a.get("axis", -1))
    axis = axis + len(shape) if axis < 0 else axis
    if axis <= 0:
        raise Unsupported("a layer normalisation over the batch axis; the layers work on each sample")
    scale = r.constant(node.input[1], "the scale")
    bias = r.constant(node.input[2], "the bias") if len(node.input) > 2 and node.input[2] else np.zeros_like(scale)
    r.add("LayerNorm", node, [node.input[0]], {"weight": scale, "bias": bias}, axes=len(shape) - axis,
          eps=_setting(a.get("epsilon", 1e-5)), elementwise_affine=True)


def group_norm(r: Reading, node: onnx.NodeProto) -> None:
    """GroupNormalization: a GroupNorm. Opsets before 21 give a scale and bias per group,
    later ones per channel; a per-group value is the same for each channel of its group."""
    a = attributes(node)
    groups = int(a["num_groups"])
    channels = (r.shape(node.input[0]) or [None, None])[1]
    if groups < 1 or channels is None or channels % groups:
        raise Unsupported(f"{groups} groups of {channels} channels")
    scale, bias = r.constant(node.input[1], "the scale"), r.constant(node.input[2], "the bias")
    if scale.size == groups != channels:
        scale, bias = np.repeat(scale, channels // groups), np.repeat(bias, channels // groups)
    if scale.size != channels or bias.size != channels:
        raise Unsupported(f"a scale of {scale.size} and a bias of {bias.size} values for {channels} channels")
    r.add("GroupNorm", node, [node.input[0]], {"weight": scale.reshape(-1), "bias": bias.reshape(-1)},
          num_groups=groups, eps=_setting(a.get("epsilon", 1e-5)), affine=True)


def prelu(r: Reading, node: onnx.NodeProto) -> None:
    slope = r.constant(node.input[1], "the slope")
    if slope.size == 1:
        r.add("PReLU", node, [node.input[0]], {"weight": slope.reshape(1)}, per_channel=False)
        return
    channels = (r.shape(node.input[0]) or [None, None])[1]
    if slope.size != channels:
        raise Unsupported(f"{slope.size} slopes for {channels} channels")
    r.add("PReLU", node, [node.input[0]], {"weight": slope.reshape(-1)}, per_channel=True)


# ---- layers without weights -------------------------------------------------------------------
def _plain(type_name: str, **fixed: Any) -> Callable[[Reading, onnx.NodeProto], None]:
    def mapper(r: Reading, node: onnx.NodeProto) -> None:
        r.add(type_name, node, [node.input[0]], {}, **fixed)
    return mapper


def leaky_relu(r: Reading, node: onnx.NodeProto) -> None:
    r.add("LeakyReLU", node, [node.input[0]], {}, negative_slope=_setting(attributes(node).get("alpha", 0.01)))


def elu(r: Reading, node: onnx.NodeProto) -> None:
    r.add("ELU", node, [node.input[0]], {}, alpha=_setting(attributes(node).get("alpha", 1.0)))


def gelu(r: Reading, node: onnx.NodeProto) -> None:
    r.add("GELU", node, [node.input[0]], {}, approximate=attributes(node).get("approximate", "none"))


def softmax(kind: str) -> Callable[[Reading, onnx.NodeProto], None]:
    def mapper(r: Reading, node: onnx.NodeProto) -> None:
        rank = len(r.shape(node.input[0]) or [])
        axis = int(attributes(node).get("axis", -1 if r.opset >= 13 else 1))
        if r.opset < 13 and axis % max(rank, 1) != rank - 1:
            raise Unsupported(f"opset {r.opset} {kind} over all axes from {axis} on")
        r.add(kind, node, [node.input[0]], {}, dim=_axis(axis, rank, kind))
    return mapper


def pool(kind: str) -> Callable[[Reading, onnx.NodeProto], None]:
    def mapper(r: Reading, node: onnx.NodeProto) -> None:
        a = attributes(node)
        _auto_pad(a)
        kernel = tuple(a["kernel_shape"])
        rank = len(kernel)
        if rank not in (1, 2):
            raise Unsupported(f"{rank}-D pooling; the catalogue has 1-D and 2-D")
        if any(d != 1 for d in a.get("dilations", [1] * rank)):
            raise Unsupported("dilated pooling")
        if len(node.output) > 1 and any(node.output[1:]):
            raise Unsupported("pooling that also gives the indices of the maxima")
        padding = _symmetric_pads(a.get("pads"), rank)
        if kind == "Avg" and any(padding) and not a.get("count_include_pad", 0):
            raise Unsupported("average pooling with padding that does not count the padded zeros")
        stride = tuple(a.get("strides", [1] * rank))
        r.add(f"{kind}Pool{rank}d", node, [node.input[0]], {}, kernel_size=kernel,
              stride="kernel" if stride == kernel else stride, padding=padding, ceil_mode=bool(a.get("ceil_mode", 0)))
    return mapper


def global_average_pool(r: Reading, node: onnx.NodeProto) -> None:
    rank = len(r.shape(node.input[0]) or [])
    if rank == 4:
        r.add("AdaptiveAvgPool2d", node, [node.input[0]], {}, output_size=(1, 1))
    elif rank == 3:
        r.add("AdaptiveAvgPool1d", node, [node.input[0]], {}, output_size=(1,))
    else:
        raise Unsupported(f"global pooling of a rank-{rank} tensor")


def reduce_mean(r: Reading, node: onnx.NodeProto) -> None:
    """The mean over all positions of each channel (what ``AdaptiveAvgPool2d(1)`` exports as):
    global average pooling; without ``keepdims`` also flattened."""
    a = attributes(node)
    rank = len(r.shape(node.input[0]) or [])
    axes = a.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = r.constant(node.input[1], "the axes").reshape(-1).tolist()
    spatial = set(range(2, rank))
    if rank not in (3, 4) or axes is None or {int(x) % rank for x in axes} != spatial:
        raise Unsupported(f"a mean over axes {axes} of a rank-{rank} tensor; only the mean over all positions "
                          "of each channel (global average pooling) has a layer")
    kind, size = ("AdaptiveAvgPool2d", (1, 1)) if rank == 4 else ("AdaptiveAvgPool1d", (1,))
    r.add(kind, node, [node.input[0]], {}, output_size=size)
    if not a.get("keepdims", 1):
        r.add("Flatten", node, [node.output[0]], {})


def flatten(r: Reading, node: onnx.NodeProto) -> None:
    if int(attributes(node).get("axis", 1)) != 1:
        raise Unsupported("flattening from an axis other than the first after the batch")
    r.add("Flatten", node, [node.input[0]], {})


def reshape(r: Reading, node: onnx.NodeProto) -> None:
    out = r.shape(node.output[0])
    into = r.shape(node.input[0])
    if not out or any(d is None for d in out[1:]):
        raise Unsupported("a reshape whose result's size is not known without the data")
    if into and len(into) > 2 and len(out) == 2 and all(d is not None for d in into[1:]) \
            and int(np.prod(into[1:])) == out[1]:
        r.add("Flatten", node, [node.input[0]], {})
    else:
        r.add("Reshape", node, [node.input[0]], {}, shape=tuple(int(d) for d in out[1:]))


def transpose(r: Reading, node: onnx.NodeProto) -> None:
    perm = list(attributes(node).get("perm", []))
    if not perm or perm[0] != 0:
        raise Unsupported(f"perm={perm} moves the batch axis")
    r.add("Permute", node, [node.input[0]], {}, dims=tuple(p - 1 for p in perm[1:]))


def concat(r: Reading, node: onnx.NodeProto) -> None:
    rank = len(r.shape(node.input[0]) or [])
    r.add("Concat", node, list(node.input), {}, dim=_axis(int(attributes(node)["axis"]), rank, "Concat"))


def add(r: Reading, node: onnx.NodeProto) -> None:
    left, right = node.input[0], node.input[1]
    constants = [v for v in (left, right) if r.is_constant(v)]
    if not constants:
        r.add("Add", node, [left, right], {})
        return
    value = right if constants == [left] else left
    layer = r.bias_free.pop(value, None)
    bias = r.constant(constants[0], "the added constant")
    if layer is None or len(constants) != 1 or bias.size != r.out_features(layer):
        raise Unsupported("adds a constant tensor; only a bias after a matrix product has a layer (Linear)")
    r.give_bias(layer, node, bias.reshape(-1), value)


def sum_(r: Reading, node: onnx.NodeProto) -> None:
    if len(node.input) != 2 or any(r.is_constant(v) for v in node.input):
        raise Unsupported(f"a sum of {len(node.input)} tensors or of constants; Add takes two tensors")
    r.add("Add", node, list(node.input), {})


def mul(r: Reading, node: onnx.NodeProto) -> None:
    if any(r.is_constant(v) for v in node.input):
        raise Unsupported("multiplies by a constant tensor; Multiply takes two tensors")
    r.add("Multiply", node, list(node.input), {})


def dropout(r: Reading, node: onnx.NodeProto) -> None:
    ratio = 0.5
    if len(node.input) > 1 and node.input[1] and r.is_constant(node.input[1]):
        ratio = _setting(r.constant(node.input[1], "the ratio"))
    elif "ratio" in attributes(node):
        ratio = _setting(attributes(node)["ratio"])
    r.add("Dropout", node, [node.input[0]], {}, p=ratio)


def identity(r: Reading, node: onnx.NodeProto) -> None:
    r.alias(node.output[0], node.input[0])


OPS: dict[str, Callable[[Reading, onnx.NodeProto], None]] = {
    "Conv": conv, "ConvTranspose": conv_transpose, "Gemm": gemm, "MatMul": matmul, "Gather": gather,
    "BatchNormalization": batch_norm, "LayerNormalization": layer_norm, "GroupNormalization": group_norm, "PRelu": prelu,
    "Relu": _plain("ReLU"), "Sigmoid": _plain("Sigmoid"), "Tanh": _plain("Tanh"), "Softplus": _plain("Softplus"),
    "LeakyRelu": leaky_relu, "Elu": elu, "Gelu": gelu,
    "Softmax": softmax("Softmax"), "LogSoftmax": softmax("LogSoftmax"),
    "MaxPool": pool("Max"), "AveragePool": pool("Avg"), "GlobalAveragePool": global_average_pool,
    "ReduceMean": reduce_mean,
    "Flatten": flatten, "Reshape": reshape, "Transpose": transpose, "Concat": concat,
    "Add": add, "Sum": sum_, "Mul": mul, "Dropout": dropout, "Identity": identity,
}
