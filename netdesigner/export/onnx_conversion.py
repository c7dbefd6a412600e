"""A module → an ONNX model through torch's dynamo exporter, with torchlib's translation table
built once per opset.

The exporter captures the model with its own strategies (``torch.export`` non-strict, then
strict, then draft export) and patches the RNN decompositions so that LSTM and GRU keep a free
sequence axis, which a plain ``torch.export.export`` cannot. Where the capture has to fix an
axis it does so silently, so the caller reads the axes back from the model (``fixed_axes``).

``torch.onnx.export`` rebuilds that table (``ONNXRegistry.from_torchlib``: it parses the
source of some 500 onnxscript functions) on every call: 0.9 s of a 1.3 s export of a small
model. The window exports again after each training run and the tests export every layer
type, so the registry is kept per opset and handed to the exporter's core
(``torch.onnx._internal.exporter._core.export``, the function ``torch.onnx.export`` calls).
That is a private API: when it is missing or its signature moved, the public
``torch.onnx.export`` is used instead, which is only slower.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any

from netdesigner.export.exporter_noise import quiet_exporter

if TYPE_CHECKING:
    import torch

_CORE_PARAMETERS = {"registry", "dynamic_shapes", "input_names", "output_names", "optimize", "opset_version", "verbose"}


def module_to_onnx(module: torch.nn.Module, inputs: tuple, *, opset: int, input_names: list[str] | None = None,
                   output_names: list[str] | None = None, dynamic_shapes: Any = None) -> Any:
    """The ``torch.onnx.ONNXProgram`` of ``module`` traced on ``inputs``, not optimised (the
    caller tidies it, keeping BatchNorm); the exporter's exception propagates."""
    import torch

    core = _core_export()
    with quiet_exporter(), torch.no_grad():
        if core is None:
            program = torch.onnx.export(module, inputs, dynamo=True, external_data=False, verbose=False,
                                        opset_version=opset, input_names=input_names, output_names=output_names,
                                        dynamic_shapes=dynamic_shapes, optimize=False)
            if input_names and [i.name for i in program.model_proto.graph.input] != list(input_names):
                program = torch.onnx.export(module, inputs, dynamo=True, external_data=False, verbose=False,
                                            opset_version=opset, input_names=input_names, output_names=output_names,
                                            dynamic_shapes=dynamic_shapes, optimize=True)
            return program
        program = core(module, inputs, registry=_registry(opset), input_names=input_names, output_names=output_names,
                       dynamic_shapes=dynamic_shapes, optimize=False, opset_version=opset, verbose=False)
        if input_names and [i.name for i in program.model_proto.graph.input] != list(input_names):
            # The output is the input itself (only layers that do nothing in eval mode): unoptimised,
            # the one value takes the output's name; the optimiser puts an Identity between them.
            program = core(module, inputs, registry=_registry(opset), input_names=input_names, output_names=output_names,
                           dynamic_shapes=dynamic_shapes, optimize=True, opset_version=opset, verbose=False)
        return program


def fixed_axes(model: Any, name: str, axes: list[int]) -> list[int]:
    """Which of ``axes`` of the ONNX graph input ``name`` hold a fixed size, not a symbol."""
    graph_input = next(i for i in model.graph.input if i.name == name)
    dims = graph_input.type.tensor_type.shape.dim
    return [a for a in axes if a < len(dims) and dims[a].HasField("dim_value")]


@functools.cache
def _core_export() -> Any:
    try:
        from torch.onnx._internal.exporter import _core, _registration  # noqa: F401
    except ImportError:
        return None
    export = getattr(_core, "export", None)
    if export is None or not set(inspect.signature(export).parameters) >= _CORE_PARAMETERS:
        return None
    return export


@functools.cache
def _registry(opset: int) -> Any:
    """One registry per opset. The exporter only reads it (custom translations, which would
    change it, are not used here)."""
    from torch.onnx._internal.exporter import _registration

    with quiet_exporter():
        return _registration.ONNXRegistry.from_torchlib(opset_version=opset)


def name_axes(model: Any, axes: dict[str, dict[int, str]]) -> None:
    """Renames the exporter's symbols (``s40``) for free axes to the names people read
    (``batch``, ``sequence``) wherever they appear as a whole dimension of an input, output
    or intermediate value, so Netron and onnxruntime's errors speak of the batch."""
    names: dict[str, str] = {}
    for graph_input in model.graph.input:
        dims = graph_input.type.tensor_type.shape.dim
        for axis, name in axes.get(graph_input.name, {}).items():
            if axis < len(dims) and dims[axis].HasField("dim_param"):
                names.setdefault(dims[axis].dim_param, name)
    for value in [*model.graph.input, *model.graph.output, *model.graph.value_info]:
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param") and dim.dim_param in names:
                dim.dim_param = names[dim.dim_param]
