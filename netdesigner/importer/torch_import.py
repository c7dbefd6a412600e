"""A PyTorch ``nn.Module`` written by hand, as an editable NetDesigner graph with its weights.

The module is traced by ``torch.export`` (the fx-based tracer behind torch's ONNX exporter),
written to ONNX in memory and read by the ONNX importer: one table of op → layer
(``onnx_ops``) for both ways in, so a model imports the same whether it arrives as Python or
as a file, and the same all-or-nothing rule and messages apply. Submodule names survive as
layer names (``block.conv1`` → ``block_conv1``), taken from the weights' names.

Unlike every other file NetDesigner reads, ``module.py`` is code and is run: importing it is
what the person asked for (and the command says so in its help).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.importer.imported import ImportedModel, ImportFailed

if TYPE_CHECKING:
    import onnx
    import torch


def load_module_class(spec: str) -> tuple[type, str]:
    """``path/to/module.py:ClassName`` → (the class, a display name); ``ImportFailed`` when the
    file or class is missing or the file fails to run."""
    path_text, _, class_name = spec.rpartition(":")
    if not path_text or not class_name:
        raise ImportFailed(f"{spec!r}: name a class as FILE.py:ClassName")
    path = Path(path_text)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    module_name = f"netdesigner_user_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"
    loader = importlib.util.spec_from_file_location(module_name, path)
    if loader is None or loader.loader is None:
        raise ImportFailed(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(loader)
    sys.modules[module_name] = module
    try:
        loader.loader.exec_module(module)
    except Exception as e:
        raise ImportFailed(f"{path} failed to run: {type(e).__name__}: {e}") from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        found = sorted(n for n, v in vars(module).items() if isinstance(v, type) and hasattr(v, "forward"))
        raise ImportFailed(f"{path} has no class {class_name}; its module classes are: {', '.join(found) or 'none'}")
    return cls, class_name


def import_module(model: torch.nn.Module, input_shapes: list[tuple[int, ...]], name: str) -> ImportedModel:
    """``model`` (its current weights, eval mode) traced on inputs of ``input_shapes`` (without
    the batch) as an ``ImportedModel``."""
    import torch

    from netdesigner.importer.onnx_reader import read_model

    model = model.eval()
    samples = tuple(torch.randn(2, *shape) for shape in input_shapes)
    logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, samples, dynamo=True, external_data=False, optimize=False, verbose=False,
                                        dynamic_shapes=tuple({0: "batch"} for _ in samples),
                                        input_names=[f"x{i}" if len(samples) > 1 else "x" for i in range(len(samples))])
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ImportFailed(f"{name} could not be traced on inputs {input_shapes}: {first}") from None
    try:
        return read_model(program.model_proto, name, name)
    except ImportFailed:
        if not any(type(m) is torch.nn.RNN for m in model.modules()):
            raise
        legacy = _torchscript_export(model, samples)  # None where this torch no longer has it
        if legacy is None:
            raise
        return read_model(legacy, name, name)


def _torchscript_export(model: torch.nn.Module, samples: tuple[torch.Tensor, ...]) -> onnx.ModelProto | None:
    """``model`` by torch's older (TorchScript) exporter: the default one writes ``nn.RNN`` out
    step by step, one matrix product per step, which has no layer; this one writes an RNN op."""
    import io

    import onnx
    import torch

    names = [f"x{i}" if len(samples) > 1 else "x" for i in range(len(samples))]
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, samples, buffer, dynamo=False, input_names=names,
                              dynamic_axes={n: {0: "batch"} for n in names}, opset_version=17)
    except Exception:
        return None
    return onnx.load_from_string(buffer.getvalue())


def import_class(spec: str, input_shapes: list[tuple[int, ...]], *, args: Any = ()) -> ImportedModel:
    """``FILE.py:ClassName`` built with ``args`` and imported (``import_module``)."""
    cls, name = load_module_class(spec)
    try:
        model = cls(*args)
    except Exception as e:
        raise ImportFailed(f"{name}() failed: {type(e).__name__}: {e}") from None
    return import_module(model, input_shapes, name)
