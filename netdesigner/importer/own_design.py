"""An ONNX file NetDesigner wrote carries its design: the graph as drawn (``netdesigner.graph``
in the metadata, in the project file's own form) and every weight as an initializer named by
its state-dict key, the ones eval mode does not compute included.

Reading the ops gives back what the file computes, which can be less than was designed: a
VAE's sampling step is the identity in eval mode and its log-variance layer is dead there, and
ONNX has no place for a loss. Restoring the stored design gives back the project as it was
drawn. It is trusted only as data (read by the same checked reader as a project file, never
run) and only when it computes what the file's own ops compute on a seeded batch
(onnxruntime against the compiled design); otherwise the import reads the ops, and says why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import NetDesignerError

if TYPE_CHECKING:
    import onnx

    from netdesigner.importer.imported import ImportedModel

DESIGN_KEY = "netdesigner.graph"


def read_own_design(model: onnx.ModelProto, path: Path, name: str) -> tuple[ImportedModel | None, str]:
    """The stored design with its weights, checked against the file; or None and why not
    ("" when the file carries no design: another program wrote it)."""
    import torch
    from onnx import numpy_helper

    from netdesigner.core.compiler import compile_graph, compiled_info
    from netdesigner.core.project_format import graph_from_json
    from netdesigner.export.example_inputs import input_specs
    from netdesigner.export.onnx_check import check_onnx
    from netdesigner.importer.imported import ImportedModel

    props = {p.key: p.value for p in model.metadata_props}
    text = props.get(DESIGN_KEY)
    if text is None:
        return None, ""
    try:
        doc = json.loads(text)
        graph = graph_from_json(doc, f"{path} ({DESIGN_KEY})")
        module = compile_graph(graph)
    except (ValueError, RecursionError) as e:
        return None, f"the design it carries is not readable ({type(e).__name__})"
    except NetDesignerError as e:
        return None, f"the design it carries is not usable: {e}"
    stored = {t.name: t for t in model.graph.initializer}
    weights: dict[str, Any] = {}
    for key, value in module.state_dict().items():
        if not value.is_floating_point():
            continue  # a BatchNorm's batch count: not a weight, and no runtime keeps it
        tensor = stored.get(key)
        if tensor is None:
            return None, f"the design's weight {key} is not in the file"
        try:
            array = torch.from_numpy(numpy_helper.to_array(tensor).copy())
        except (ValueError, TypeError, KeyError, RuntimeError) as e:  # a damaged tensor: its data does not fill its shape
            return None, f"the file's {key} cannot be read ({type(e).__name__})"
        if tuple(array.shape) != tuple(value.shape) or not array.is_floating_point():
            return None, f"the file's {key} has shape {tuple(array.shape)}, the design's {tuple(value.shape)}"
        weights[key] = array.to(value.dtype)
    module.load_state_dict(weights, strict=False)
    module.eval()
    info = compiled_info(module)
    try:
        with torch.no_grad():
            result = check_onnx(path, module, input_specs(graph, info.input_names), info.output_names)
    except Exception as e:  # noqa: BLE001 - the design and the file disagree in a way the check did not foresee
        return None, f"the design it carries cannot be checked against the file ({type(e).__name__})"
    if not result.ok:
        return None, f"the design it carries does not compute what its ops compute ({result.problem or 'outputs differ'})"
    notes = ["NetDesigner wrote this file: the design it carries is restored as drawn (names, settings and losses), "
             "checked against onnxruntime on the file"]
    return ImportedModel(graph, weights, name, notes, list(info.input_names), list(info.output_names)), ""
