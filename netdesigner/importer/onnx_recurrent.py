"""ONNX's LSTM, GRU and RNN ops as the catalogue's batch-first recurrent layers.

An exporter surrounds each recurrent op with glue: the input transposed to (steps, batch,
features), zero initial states built from the batch size (``Shape → Concat → Expand``), and
after it squeezes, transposes or gathers that turn ``Y`` (steps, directions, batch, hidden) or
``Y_h`` (directions, batch, hidden) back into what the layer gives out: the whole sequence
(batch, steps, directions·hidden) or the last step (batch, directions·hidden). ``absorb``
finds that glue before the walk, so none of it is reported as an op without a layer, and the
layer is wired from the value before the input transpose to the value after the output glue.
A stack (torch's ``num_layers`` > 1) is one op per layer, each reading the time-major output of
the one below through slicing glue: each becomes its own layer, wired to the one below; a
Gather of the last step (``y[:, -1]``) after a one-way layer is its "last" output.
ONNX orders the gates i, o, f, c (LSTM) and z, r, h (GRU); torch orders them i, f, g, o and
r, z, n, so the weight blocks are reordered. Whether the glue was read right is settled by
the import's numeric check against onnxruntime, not by trusting the pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from netdesigner.importer.onnx_ops import Unsupported, attributes

if TYPE_CHECKING:
    import onnx

    from netdesigner.importer.onnx_reader import Reading

RECURRENT = {"LSTM": ("LSTM", 4, [0, 2, 3, 1]), "GRU": ("GRU", 3, [1, 0, 2]), "RNN": ("RNN", 1, [0])}
GLUE = {"Squeeze", "Unsqueeze", "Transpose", "Gather", "Slice", "Reshape", "Concat", "Identity", "Expand",
        "Shape", "ConstantOfShape", "Cast"}
ZERO_SOURCES = {"Expand", "Slice", "Reshape", "Unsqueeze", "Squeeze", "Identity", "Cast", "Concat"}


@dataclass
class RecurrentPlan:
    source: str  # the batch-first value the layer reads
    end: str  # the value the layer's output stands for
    glue: set[int]  # indices of the nodes it absorbs
    steps: int | None = None
    feeds_recurrent: bool = False  # ``end`` is the time-major input of the next recurrent op (a stack)


def absorb(model: onnx.ModelProto, constants: dict[str, np.ndarray],
           shapes: dict[str, list[int | None]]) -> dict[int, RecurrentPlan]:
    """For each recurrent node (by index), its plan; nodes it cannot read are left alone (the
    walk reports them)."""
    nodes = list(model.graph.node)
    producer = {out: i for i, n in enumerate(nodes) for out in n.output if out}
    consumers: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        for value in n.input:
            consumers.setdefault(value, []).append(i)
    plans = {}
    for i, node in enumerate(nodes):
        if node.op_type not in RECURRENT or node.domain not in ("", "ai.onnx"):
            continue
        try:
            plan = _plan(i, node, nodes, producer, consumers, constants, shapes, plans)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            continue  # a malformed node (no hidden_size, too few inputs…): the walk reports it
        if plan is not None:
            plans[i] = plan
    return plans


def _plan(i: int, node, nodes: list, producer: dict, consumers: dict, constants: dict[str, np.ndarray],
          shapes: dict[str, list[int | None]], earlier: dict[int, RecurrentPlan]) -> RecurrentPlan | None:
    """The plan of recurrent node ``i``, or None when the glue around it is not understood.
    A layer of a stack (torch's ``num_layers`` > 1 is exported as one op per layer) reads the
    time-major output of the one below it directly: that value is the lower plan's end."""
    glue: set[int] = set()
    source = node.input[0]
    a = attributes(node)
    below = next((p for p in earlier.values() if p.feeds_recurrent and p.end == source), None)
    if below is not None:
        steps = below.steps
    elif not a.get("layout", 0):
        k = producer.get(source)
        if k is None or nodes[k].op_type != "Transpose" or list(attributes(nodes[k]).get("perm", [])) != [1, 0, 2]:
            return None
        glue.add(k)
        source = nodes[k].input[0]
    states = [v for v in node.input[5:] if v] if node.op_type == "LSTM" else [v for v in node.input[5:6] if v]
    if not all(_zeros(v, nodes, producer, constants, glue) for v in states):
        return None
    if below is None:
        steps = (shapes.get(source) or [None, None])[1]
    weight = constants.get(node.input[1])
    if steps is None or weight is None:
        return None
    width = int(weight.shape[0]) * int(a["hidden_size"])
    last_step = steps if int(weight.shape[0]) == 1 else None  # y[:, -1] is the final state one way only
    forward, ends = _downstream(i, node, nodes, consumers, shapes, [[None, steps, width], [None, width]],
                                constants, last_step)
    if len(ends) != 1:
        return None
    stacked = any(nodes[k].op_type in RECURRENT and nodes[k].input[0] == ends[0] for k in consumers.get(ends[0], []))
    return RecurrentPlan(source, ends[0], glue | forward, steps, stacked)


def _zeros(value: str, nodes: list, producer: dict, constants: dict, glue: set[int],
           visiting: frozenset[str] = frozenset()) -> bool:
    """Whether ``value`` is all zeros whatever the batch; the nodes that make it (shape
    arithmetic and all) join ``glue``. A value that feeds itself (a damaged file's cycle)
    is not known to be zeros: ``visiting`` and ``followed`` end the walk instead of looping."""
    if value in visiting:
        return False
    visiting = visiting | {value}
    made: set[int] = set()
    pending = [value]
    while pending:
        k = producer.get(pending.pop())
        if k is None or k in made:
            continue
        if nodes[k].op_type not in GLUE | {"Constant"}:
            return False  # computed from the data, not only from its shape
        made.add(k)
        pending.extend(v for v in nodes[k].input if v)
    data = value
    followed: set[str] = set()
    while data not in constants:
        k = producer.get(data)
        if k is None or data in followed:
            return False
        followed.add(data)
        node = nodes[k]
        if node.op_type == "ConstantOfShape":
            fill = next((attr.t for attr in node.attribute if attr.name == "value"), None)
            if fill is not None and np.any(_array(fill)):
                return False
            break
        if node.op_type == "Constant":
            attribute = node.attribute[0]
            if attribute.name == "value" and np.any(_array(attribute.t)):
                return False
            break
        if node.op_type == "Concat":
            if not all(_zeros(v, nodes, producer, constants, glue, visiting) for v in node.input):
                return False
            break
        if node.op_type not in ZERO_SOURCES:
            return False
        data = node.input[0]
    else:
        if np.any(constants[data]):
            return False
    glue |= made
    return True


def _downstream(index: int, node, nodes: list, consumers: dict, shapes: dict,
                expected: list[list[int | None]], constants: dict[str, np.ndarray] | None = None,
                last_step: int | None = None) -> tuple[set[int], list[str]]:
    """The glue after recurrent node ``index`` and the value(s) where it ends: the first values
    shaped as the layer's output (``expected``, batch unknown). Shape arithmetic on the way
    (``Shape → Slice → Mul → Concat`` feeding a Reshape) is glue whatever its ops; any other
    op reached before the expected shape means the pattern is not understood (no ends)."""
    forward: set[int] = set()
    shape_values: set[str] = set()
    frontier = [v for v in node.output if v]
    seen: set[str] = set()
    ends: list[str] = []
    while frontier:
        value = frontier.pop()
        if value in seen:
            continue
        seen.add(value)
        if value not in shape_values and (_matches(shapes.get(value), expected) or _feeds_recurrent(value, index, nodes, consumers)):
            users = consumers.get(value, [])
            if last_step and len(users) == 1 and _takes_last_step(nodes[users[0]], value, constants or {}, last_step):
                forward.add(users[0])  # y[:, -1] of a one-way layer: its final state, the layer's "last" output
                frontier.append(nodes[users[0]].output[0])
                continue
            ends.append(value)
            continue
        for k in consumers.get(value, []):
            if k == index or k in forward:
                continue
            user = nodes[k]
            arithmetic = value in shape_values or user.op_type == "Shape"
            if user.op_type not in GLUE and not arithmetic:
                return forward, []
            forward.add(k)
            made = [v for v in user.output if v]
            if arithmetic and all(v in shape_values or v == value or user.op_type == "Shape" for v in user.input[:1]):
                shape_values.update(made)
            frontier.extend(made)
    return forward, sorted(set(ends))


def _takes_last_step(user, value: str, constants: dict[str, np.ndarray], steps: int) -> bool:
    """Whether ``user`` is a Gather of the last step (index -1 or steps - 1 on axis 1) of ``value``."""
    if user.op_type != "Gather" or len(user.input) != 2 or user.input[0] != value or int(attributes(user).get("axis", 0)) != 1:
        return False
    index = constants.get(user.input[1])
    return index is not None and index.ndim == 0 and int(index) in (-1, steps - 1)


def _feeds_recurrent(value: str, index: int, nodes: list, consumers: dict) -> bool:
    """Whether ``value`` is what another recurrent op reads as its sequence (a stack's next layer)."""
    return any(k != index and nodes[k].op_type in RECURRENT and nodes[k].input[0] == value
               and not attributes(nodes[k]).get("layout", 0) for k in consumers.get(value, []))


def _matches(shape: list[int | None] | None, expected: list[list[int | None]]) -> bool:
    return shape is not None and any(len(shape) == len(e) and shape[0] is None and list(shape[1:]) == e[1:]
                                     for e in expected)


def _array(tensor) -> np.ndarray:
    from onnx import numpy_helper

    return numpy_helper.to_array(tensor)


def recurrent(r: Reading, node: onnx.NodeProto, plan: RecurrentPlan) -> None:
    """Adds the layer ``plan`` describes, with torch's gate order."""
    type_name, gates, order = RECURRENT[node.op_type]
    a = attributes(node)
    direction = a.get("direction", "forward")
    if direction not in ("forward", "bidirectional"):
        raise Unsupported(f"direction={direction}; the layers read forward or both ways")
    if a.get("clip") is not None or a.get("input_forget", 0):
        raise Unsupported("clipped cells or coupled input-forget gates")
    if len(node.input) > 4 and node.input[4]:
        raise Unsupported("per-sample sequence lengths")
    if node.op_type == "GRU" and not a.get("linear_before_reset", 0):
        raise Unsupported("linear_before_reset=0 (torch's GRU applies the reset gate after the product)")
    nonlinearity = "tanh"
    if node.op_type == "RNN":
        acts = [str(x).lower() for x in a.get("activations", ["Tanh"])]
        if len(set(acts)) != 1 or acts[0] not in ("tanh", "relu"):
            raise Unsupported(f"activations {acts}")
        nonlinearity = acts[0]
    hidden = int(a["hidden_size"])
    w = r.constant(node.input[1], "the input weights")
    rw = r.constant(node.input[2], "the recurrent weights")
    b = r.constant(node.input[3], "the biases") if len(node.input) > 3 and node.input[3] else None
    directions = w.shape[0]

    def reorder(block: np.ndarray) -> np.ndarray:
        parts = np.split(block, gates, axis=0)
        return np.concatenate([parts[k] for k in order], axis=0)

    weights: dict[str, np.ndarray] = {}
    for d in range(directions):
        suffix = "_l0" + ("_reverse" if d == 1 else "")
        weights[f"weight_ih{suffix}"] = reorder(w[d])
        weights[f"weight_hh{suffix}"] = reorder(rw[d])
        if b is not None:
            weights[f"bias_ih{suffix}"] = reorder(b[d][: gates * hidden])
            weights[f"bias_hh{suffix}"] = reorder(b[d][gates * hidden:])
    end_shape = r.shape(plan.end) or []
    sequence = plan.feeds_recurrent or len(end_shape) == 3
    params = dict(hidden_size=hidden, num_layers=1, bidirectional=directions == 2,
                  output="sequence" if sequence else "last", bias=b is not None)
    if node.op_type == "RNN":
        params["nonlinearity"] = nonlinearity
    r.add(type_name, node, [plan.source], weights, into=plan.end, **params)  # the layer's output is the glue's end
