"""The walk over a tidied ONNX graph that builds the NetDesigner graph (``onnx_import``'s
engine): values are followed from the inputs, each node handed to its mapper in
``onnx_ops``, problems gathered rather than raised so that one message lists them all."""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from netdesigner.core.errors import NetDesignerError
from netdesigner.importer.imported import ImportedModel, ImportFailed, as_array
from netdesigner.importer.onnx_ops import OPS, Unsupported

if TYPE_CHECKING:
    import onnx

    from netdesigner.core.graph import Graph, OutputRef

ELEMENT_TYPES = {1: "float32", 7: "int64"}  # onnx.TensorProto.FLOAT, INT64
CLASS_SCORES = {"Softmax", "LogSoftmax", "Linear"}
MAX_SAMPLE_VALUES = 1 << 24  # the largest input sample the import runs through both the file and the graph
# What reading a damaged node's attributes, inputs and constants raises (a missing attribute, too
# few inputs, data that does not fill its shape): a problem with that node, listed with the others.
MALFORMED = (KeyError, IndexError, ValueError, TypeError, AttributeError, ArithmeticError)


class _Upstream(Exception):  # noqa: N818
    """An input comes from a node that could not be imported (already reported)."""


def _identifier(text: str, fallback: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not name or not name[0].isalpha():
        name = f"{fallback}_{name}" if name else fallback
    return name[:48]


class Reading:
    """What the mappers see of the model being read, and how they add layers to the graph."""

    def __init__(self, model: onnx.ModelProto) -> None:
        from netdesigner.core.graph import Graph

        self.model = model
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        self.constants: dict[str, np.ndarray] = {}
        for tensor in model.graph.initializer:
            try:
                self.constants[tensor.name] = as_array(tensor)
            except MALFORMED as e:
                raise Unsupported(f"the initializer {tensor.name!r} cannot be read ({_reason(e)})") from None
        self.shapes: dict[str, list[int | None]] = {}
        for value in [*model.graph.value_info, *model.graph.input, *model.graph.output]:
            if value.type.HasField("tensor_type") and value.type.tensor_type.HasField("shape"):
                self.shapes[value.name] = [d.dim_value if d.HasField("dim_value") else None
                                           for d in value.type.tensor_type.shape.dim]
        self.graph: Graph = Graph()
        self.refs: dict[str, OutputRef] = {}
        self.weights: dict[str, Any] = {}
        self.bias_free: dict[str, str] = {}  # value made by a Linear without bias → its node id
        self.layer_types: dict[str, str] = {}
        # the file's input and output names go to the Input and Output nodes, not to a layer
        self.reserved = {_identifier(v.name, "x") for v in [*model.graph.input, *model.graph.output]}

    # ---- for the mappers ------------------------------------------------------------------
    def is_constant(self, value: str) -> bool:
        return value in self.constants

    def constant(self, value: str, what: str) -> np.ndarray:
        if value not in self.constants:
            raise Unsupported(f"{what} ({value}) is computed from the data, not a constant of the file")
        array = self.constants[value]
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise Unsupported(f"{what} ({value}) holds NaN or infinity: the file is damaged")
        return array

    def shape(self, value: str) -> list[int | None] | None:
        return self.shapes.get(value)

    def ref(self, value: str) -> OutputRef:
        if value not in self.refs:
            raise _Upstream(value)
        return self.refs[value]

    def add(self, type_name: str, node: onnx.NodeProto, inputs: list[str], weights: dict[str, np.ndarray],
            *, into: str | None = None, **params: Any) -> str:
        """Adds a ``type_name`` layer fed by the values ``inputs``; ``weights`` go under the
        layer's name; its output stands for ``into`` (default: the node's first output).
        Returns its node id."""
        import torch

        sources = [self.ref(v) for v in inputs]
        name = self._name_for(node, type_name)
        layer = self.graph.add(type_name, *sources, name=name, **params)
        for key, value in weights.items():
            self.weights[f"{name}.{key}"] = torch.from_numpy(np.array(value, copy=True))
        self.refs[into if into is not None else node.output[0]] = layer[0]
        self.layer_types[layer.node_id] = type_name
        return layer.node_id

    def alias(self, value: str, same_as: str) -> None:
        self.refs[value] = self.ref(same_as)

    def out_features(self, node_id: str) -> int:
        return int(self.graph.node(node_id).params["out_features"])

    def give_bias(self, node_id: str, node: onnx.NodeProto, bias: np.ndarray, value: str) -> None:
        """The Linear ``node_id`` (which made ``value``) takes the constant that ``node`` adds
        to it as its bias: MatMul + Add is one Linear layer."""
        import torch

        name = self.graph.node(node_id).name
        self.graph.set_param(node_id, "bias", True)
        self.weights[f"{name}.bias"] = torch.from_numpy(np.array(bias, dtype=np.float32, copy=True))
        self.refs[node.output[0]] = self.ref(value)

    # ---- naming ----------------------------------------------------------------------------
    def _name_for(self, node: onnx.NodeProto, type_name: str) -> str:
        """A layer with weights keeps its module's name (``block.conv1.weight`` → ``block_conv1``);
        one without gets the name a person drawing it would get (``relu1``, ``pool2``)."""
        from netdesigner.core.catalog import layer_type
        from netdesigner.core.names import name_problem

        weight = next((v for v in node.input[1:] if v in self.constants and "." in v), None)
        if weight is not None:
            base = _identifier(weight.rsplit(".", 1)[0], type_name.lower())
            if name_problem(base) is None and not self.graph.has_name(base) and base not in self.reserved:
                return base
        prefix, number = layer_type(type_name).prefix, 1
        while self.graph.has_name(f"{prefix}{number}") or f"{prefix}{number}" in self.reserved:
            number += 1
        return f"{prefix}{number}"


def read_model(model: onnx.ModelProto, name: str, where: str) -> ImportedModel:
    """``model`` (as loaded) as an ``ImportedModel``; ``where`` names the file in messages."""
    from netdesigner.importer.onnx_recurrent import absorb, recurrent
    from netdesigner.importer.onnx_tidy import tidy

    original = model
    _check_order(model, where)
    try:
        model = tidy(model)
    except Exception as e:  # the optimiser's own errors: a malformed model
        raise ImportFailed(f"{where}: the model could not be read: {type(e).__name__}: {e}") from None
    try:
        reading = Reading(model)
    except Unsupported as e:
        raise ImportFailed(f"{where}: {e}") from None
    problems: list[str] = []
    notes: list[str] = []
    inputs = [v for v in model.graph.input if v.name not in reading.constants]
    for value in inputs:
        _add_input(reading, value, problems)
    for node in model.graph.node:  # the recurrent glue reads constants too (the index of y[:, -1])
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            with contextlib.suppress(Unsupported, ValueError, TypeError):  # the walk reports it
                _constant(reading, node)
    plans = absorb(model, reading.constants, reading.shapes)
    glue = set().union(*(plan.glue for plan in plans.values()))
    for index, node in enumerate(model.graph.node):
        where_node = f"{node.op_type} {node.name or '(unnamed)'} → {', '.join(node.output)}"
        mapper: Callable[[Reading, onnx.NodeProto], None] | None
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            mapper = _constant  # glue or not: a later node may read it
        elif index in glue:
            continue  # the transposes, zero states and reshapes around a recurrent layer
        elif index in plans:
            mapper = functools.partial(recurrent, plan=plans[index])
        else:
            mapper = OPS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        if mapper is None:
            problems.append(f"{where_node}: NetDesigner has no layer for {node.domain + '.' if node.domain else ''}{node.op_type}")
            continue
        try:
            # inf × 0 or an overflow in a damaged file's numbers: a problem, not a warning (underflow is harmless)
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                mapper(reading, node)
        except _Upstream:
            continue  # fed by a node already reported
        except Unsupported as e:
            problems.append(f"{where_node}: {e}")
        except NetDesignerError as e:  # a setting outside the layer's range (GraphError, ParamError)
            problems.append(f"{where_node}: {e}")
        except MALFORMED as e:
            problems.append(f"{where_node}: the node cannot be read ({_reason(e)})")
    outputs = model.graph.output
    for value in outputs:
        if value.name not in reading.refs and not problems:
            problems.append(f"output {value.name} is not computed from the inputs by layers")
    if problems:
        raise ImportFailed(f"{where} cannot be imported; nothing was changed. {_unrolled_hint(model)}{len(problems)} "
                           f"node{'s' if len(problems) != 1 else ''} without an equal layer:\n  "
                           + "\n  ".join(problems))
    for value in outputs:
        _add_output(reading, value, notes)
    _lay_out(reading.graph)
    module = _check_weights(reading, where)
    _check_outputs(original, module, reading, inputs, outputs, where)
    return ImportedModel(reading.graph, reading.weights, name, notes,
                         [v.name for v in inputs], [v.name for v in outputs])


def _unrolled_hint(model: onnx.ModelProto) -> str:
    """A sentence for a refused file that multiplies by one weight at several places: most
    often a recurrent layer written out step by step, as torch's default (dynamo) exporter
    writes ``nn.RNN``; the older exporter writes it as one RNN op, which imports as a layer."""
    uses: dict[str, int] = {}
    for node in model.graph.node:
        if node.op_type in ("MatMul", "Gemm") and len(node.input) > 1:
            uses[node.input[1]] = uses.get(node.input[1], 0) + 1
    most = max(uses.values(), default=0)
    if most < 3:
        return ""
    return (f"One weight is multiplied at {most} places: if that is a recurrent layer written out step by step "
            "(torch.onnx.export writes nn.RNN so by default), export it with torch.onnx.export(..., dynamo=False), "
            "which writes one RNN op that opens as a layer. ")


def _check_order(model: onnx.ModelProto, where: str) -> None:
    """Every node reads only values made before it, and every value has one maker, as ONNX
    requires. A damaged file may have a node that reads its own output, or a value nothing
    makes: the optimiser ``tidy`` runs would loop forever on the first."""
    graph = model.graph
    made = {v.name for v in graph.input} | {t.name for t in graph.initializer} | {""}
    later = {out for node in graph.node for out in node.output}
    for index, node in enumerate(graph.node):
        for value in node.input:
            if value not in made:
                reason = "before it is made (a cycle, or nodes out of order)" if value in later else "but nothing makes it"
                raise ImportFailed(f"{where}: node {index} ({node.op_type} {node.name or '(unnamed)'}) reads {value!r} {reason}")
        for value in node.output:
            if value and value in made:
                raise ImportFailed(f"{where}: node {index} ({node.op_type} {node.name or '(unnamed)'}) makes {value!r}, "
                                   "which is already made by an input, an initializer or another node")
            made.add(value)
    for value in graph.output:
        if value.name not in made:
            raise ImportFailed(f"{where}: the output {value.name!r} is made by no node")


def _constant(reading: Reading, node: onnx.NodeProto) -> None:
    """A ``Constant`` node's value, for the mappers that read it."""
    from onnx import helper

    if len(node.attribute) != 1 or len(node.output) != 1:
        raise Unsupported("a Constant node needs exactly one value and one output")
    attribute = node.attribute[0]
    reading.constants[node.output[0]] = np.asarray(
        as_array(attribute.t) if attribute.name == "value" else helper.get_attribute_value(attribute))


def _reason(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _add_input(reading: Reading, value: onnx.ValueInfoProto, problems: list[str]) -> None:
    dims = reading.shapes.get(value.name)
    dtype = ELEMENT_TYPES.get(value.type.tensor_type.elem_type)
    if dtype is None:
        problems.append(f"input {value.name}: its element type ({value.type.tensor_type.elem_type}) is neither float32 nor int64")
        return
    if not dims or any(d is None or d <= 0 for d in dims[1:]):
        problems.append(f"input {value.name}: its size {dims} is not fixed after the batch axis; "
                        "export it with a fixed sample shape")
        return
    if math.prod(dims[1:]) > MAX_SAMPLE_VALUES:
        problems.append(f"input {value.name}: one sample of size {dims[1:]} holds more than {MAX_SAMPLE_VALUES:,} values, "
                        "more than NetDesigner imports")
        return
    name = _identifier(value.name, "input")
    if reading.graph.has_name(name):
        name = reading.graph.unique_name(f"{name}_")
    try:
        layer = reading.graph.input(tuple(int(d) for d in dims[1:]), dtype, name=name)
    except NetDesignerError as e:  # a size beyond what an Input layer takes
        problems.append(f"input {value.name}: {e}")
        return
    reading.refs[value.name] = layer[0]


def _add_output(reading: Reading, value: onnx.ValueInfoProto, notes: list[str]) -> None:
    ref = reading.refs[value.name]
    feeding = reading.layer_types.get(ref.node_id, "")
    dims = reading.shapes.get(value.name) or []
    classes = feeding in CLASS_SCORES and len(dims) == 2 and (dims[1] or 0) > 1
    loss = "nll" if feeding == "LogSoftmax" else "cross_entropy" if classes else "mse"
    name = _identifier(value.name, "output")
    if reading.graph.has_name(name):
        name = reading.graph.unique_name(f"{name}_out")
    reading.graph.output(ref, loss, name=name)
    notes.append(f"output {name}: loss {loss} chosen from its shape {dims} (an ONNX file has no loss); change it in the inspector")


def _lay_out(graph: Graph) -> None:
    from netdesigner.core.layout import auto_layout

    for node_id, position in auto_layout(graph).items():
        graph.move(node_id, position)


def _check_weights(reading: Reading, where: str) -> Any:
    """The weights fit the compiled graph key for key and shape for shape (a mismatch is a bug
    in a mapper, said plainly rather than found later as a failed load)."""
    from netdesigner.core.compiler import compile_graph
    from netdesigner.core.shapes import infer_shapes

    report = infer_shapes(reading.graph)
    try:  # on the meta device first: a damaged file's sizes must not fill the memory before they are compared
        expected = compile_graph(reading.graph, report=report, device="meta").state_dict()
    except NetDesignerError as e:
        raise ImportFailed(f"{where}: the imported graph does not compile: {e}") from None
    missing = sorted(set(expected) - set(reading.weights))
    extra = sorted(set(reading.weights) - set(expected))
    wrong = sorted(k for k in set(expected) & set(reading.weights) if tuple(expected[k].shape) != tuple(reading.weights[k].shape))
    if missing or extra or wrong:
        raise ImportFailed(f"{where}: the imported weights do not fit the graph (missing {missing}, unexpected {extra}, "
                           f"wrong shape {wrong})")
    module = compile_graph(reading.graph, report=report)
    module.load_state_dict(reading.weights, strict=True)
    return module.eval()


CHECK_BATCH = 3  # samples the import runs through both the file and the graph
TOLERANCE = 1e-4


def _check_outputs(original: onnx.ModelProto, module: Any, reading: Reading, inputs: list, outputs: list,
                   where: str) -> None:
    """The graph computes what the file does: onnxruntime on the file as given and the
    compiled graph on the same seeded batch agree to ``TOLERANCE`` (relative to the outputs'
    size), or the import fails saying where they part (a mapper's mistake, not the user's)."""
    import onnxruntime as ort
    import torch

    from netdesigner.core.compiler import compiled_info

    generator = torch.Generator().manual_seed(0)
    feeds, batches = {}, {}
    for value in inputs:
        shape = (CHECK_BATCH, *(int(d) for d in reading.shapes[value.name][1:]))
        if ELEMENT_TYPES[value.type.tensor_type.elem_type] == "int64":
            batch = torch.randint(0, 2, shape, generator=generator)
        else:
            batch = torch.randn(shape, generator=generator)
        feeds[value.name] = batch.numpy()
        batches[reading.graph.node(reading.refs[value.name].node_id).name] = batch
    try:
        options = ort.SessionOptions()
        options.log_severity_level = 4  # fatal only: an error comes back in the exception, said once in our words
        session = ort.InferenceSession(original.SerializeToString(), options, providers=["CPUExecutionProvider"])
        expected = session.run([v.name for v in outputs], feeds)
    except Exception as e:  # onnxruntime's own errors: the file does not run as it is
        raise ImportFailed(f"{where}: onnxruntime cannot run the file to check the import: {e}") from None
    with torch.no_grad():  # the module takes only the inputs its outputs use, in its own order
        got = module(*(batches[name] for name in compiled_info(module).input_names))
    got = list(got) if isinstance(got, (tuple, list)) else [got]
    for value, want, have in zip(outputs, expected, got, strict=True):
        want = np.asarray(want, dtype=np.float64)
        if not np.isfinite(want).all():  # huge weights overflow: inf - inf would make any comparison meaningless
            raise ImportFailed(f"{where}: the model in the file computes NaN or infinity at output {value.name} from "
                               "ordinary inputs (random numbers), so its weights are damaged; nothing was changed")
        have = have.detach().double().numpy()
        same_shape = have.shape == want.shape  # compared first: other shapes may not even broadcast
        scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
        difference = float(np.abs(have - want).max()) if same_shape and want.size else 0.0
        # NaN compares false with everything, so a NaN difference must fail the check explicitly
        if not same_shape or not math.isfinite(difference) or difference > TOLERANCE * scale:
            raise ImportFailed(f"{where}: the imported graph does not compute what the file does at output "
                               f"{value.name} (shape {have.shape} vs {want.shape}, largest difference {difference:.3g}); "
                               "nothing was changed. This is a NetDesigner bug: please report it with the file")
