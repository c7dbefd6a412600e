"""An ONNX file as an editable NetDesigner graph with its weights.

The file is read as data (``onnx.load`` of protobuf; external weight files only from the
model's own folder), made plain (``onnx_tidy``: shape arithmetic folded, no-ops removed,
BatchNormalization kept) and walked in order: each op becomes a catalogue layer
(``onnx_ops.OPS``), its initializers become that layer's weights under the compiled module's
state-dict keys. All or nothing: if any op has no layer, or its attributes no equal setting
(asymmetric padding, a Gemm on a transposed input…), the import stops with one message that
lists every such op and where it is, and nothing is made.

``ImportedModel.graph`` compiles to a module whose outputs equal onnxruntime's on the file
(the tests check it); positions come from the auto-layout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.importer.imported import ImportedModel, ImportFailed, as_array  # noqa: F401 - the importer's words, re-exported

if TYPE_CHECKING:
    import onnx

    from netdesigner.core.project import Project


def load_onnx(path: str | Path) -> onnx.ModelProto:
    """The model of ``path`` with its external data, read only from the file's own folder."""
    import onnx
    from onnx.external_data_helper import (
        _get_all_tensors,
        load_external_data_for_model,
        uses_external_data,
    )

    path = Path(path)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except Exception as e:  # protobuf's DecodeError and friends
        raise ImportFailed(f"{path}: not an ONNX model ({type(e).__name__}: {e})") from None
    folder = path.resolve().parent
    # every tensor onnx would load, initializers and node attributes alike (what
    # load_external_data_for_model itself walks)
    external = [t for t in _get_all_tensors(model) if uses_external_data(t)]
    for tensor in external:
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        target = (folder / location).resolve()
        if folder not in target.parents:
            raise ImportFailed(f"{path}: the weights of {tensor.name} are said to be in {location!r}, outside the "
                               "model's folder; only files beside the model are read")
        if not target.is_file():
            raise ImportFailed(f"{path}: the weights of {tensor.name} are in {location}, which is missing or not a file")
    if external:
        try:
            load_external_data_for_model(model, str(folder))
        except Exception as e:  # onnx's own checks: an offset or length past the file's end, or not a number
            raise ImportFailed(f"{path}: the weights beside the model cannot be read ({type(e).__name__}: {e})") from None
    return model


def import_onnx(path: str | Path, *, own_design: bool = True) -> ImportedModel:
    """Reads ``path`` into a graph and weights; raises ``ImportFailed``. A file NetDesigner
    wrote comes back as it was drawn (``importer.own_design``), unless ``own_design`` is False
    or that design does not compute what the file's ops compute: then the ops are read."""
    from netdesigner.importer.onnx_reader import read_model
    from netdesigner.importer.own_design import read_own_design

    path = Path(path)
    model = load_onnx(path)
    _fix_free_sizes(model)
    name = model.graph.name if model.graph.name and model.graph.name not in ("main_graph", "torch_jit") else path.stem
    why = ""
    if own_design:
        project_name = next((p.value for p in model.metadata_props if p.key == "netdesigner.project"), "")
        restored, why = read_own_design(model, path, project_name[:200] or _title(name))
        if restored is not None:
            return restored
    imported = read_model(model, _title(name), str(path))
    if why:
        imported.notes.append(f"The design stored in the file was not used ({why}); its ops were read instead.")
    return imported


def _fix_free_sizes(model: onnx.ModelProto) -> None:
    """Inputs whose sample axes are free in the file (a sequence length) take the sizes the
    model was designed with, when NetDesigner wrote it (``netdesigner.input_shapes``); the
    batch axis stays free. An Input node needs a size; the layers do not care which."""
    import json

    props = {p.key: p.value for p in model.metadata_props}
    try:
        designed = json.loads(props.get("netdesigner.input_shapes", "{}"))
    except (ValueError, RecursionError):
        return
    if not isinstance(designed, dict):  # another program's metadata, or damaged: the sizes stay free
        return
    for value in model.graph.input:
        shape = designed.get(value.name)
        dims = value.type.tensor_type.shape.dim
        if not isinstance(shape, list) or len(shape) != len(dims) - 1:
            continue
        for dim, size in zip(list(dims)[1:], shape, strict=True):
            if dim.HasField("dim_param") and isinstance(size, int) and not isinstance(size, bool) and 0 < size <= 2**31:
                dim.dim_value = size


def project_from_onnx(path: str | Path) -> tuple[Project, list[str]]:
    """A new, unsaved project holding the model of ``path`` and its weights (no data set yet:
    the file has none), and the notes a person should read."""
    from netdesigner.core.project import Project

    imported = import_onnx(path)
    project = Project(imported.graph, name=imported.name,
                      description=f"Imported from {Path(path).name}. Choose a data set to train it.",
                      weights=imported.weights)
    return project, imported.notes


def _title(name: str) -> str:
    return re.sub(r"[_\-]+", " ", name).strip() or "Imported model"
