"""A project's model as one self-contained ONNX file, checked against PyTorch before it is trusted.

``export_onnx`` exports the compiled model in eval mode with its current weights through
torch's dynamo exporter (``torch.onnx.export(dynamo=True)``): the batch axis is dynamic, and so
is the sequence axis of inputs that feed recurrent or attention layers (where the model allows
it: otherwise that length is fixed and the report says so). Inputs and outputs carry the names
of the Input and Output nodes; ``metadata_props`` carry the project's name, its class labels
and the NetDesigner version. The exporter's own optimiser would fold each BatchNorm into the
convolution before it; the file is made plain with ``importer.onnx_tidy`` instead, which keeps
it, so the file shows the layers that were drawn and imports back as the same graph. The file is then checked (``onnx_check``) and the report says,
per output, how far onnxruntime lies from PyTorch.

Notes on torch 2.13 (STACK.md): the exporter writes weights to a side file unless
``external_data=False``; without ``dynamic_shapes`` the export is static; the registry logs
noise ("torchvision is not installed") that ``exporter_noise`` silences.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.export.atomic_file import write_atomically
from netdesigner.export.capture import EXPORT_BATCH
from netdesigner.export.example_inputs import InputSpec, dynamic_shapes, input_specs, make_inputs
from netdesigner.export.exporter_noise import quiet_exporter
from netdesigner.export.onnx_check import CHECK_BATCH, OutputDifference, check_onnx
from netdesigner.export.onnx_conversion import fixed_axes, module_to_onnx, name_axes
from netdesigner.export.onnx_opset import check_opset, newest_opset

if TYPE_CHECKING:
    import torch
    from torch import fx

    from netdesigner.core.project import Project

VIEWERS = ("open it in Netron (https://netron.app) to see the graph, "
           "or run it with onnxruntime (onnxruntime.InferenceSession(path).run(None, {input name: array}))")


@dataclass
class OnnxReport:
    """What an ONNX export made and how well it agrees with PyTorch."""

    path: Path
    ok: bool
    opset: int | None = None
    inputs: list[InputSpec] = field(default_factory=list)  # names, shapes, dynamic axes
    output_names: list[str] = field(default_factory=list)
    differences: list[OutputDifference] = field(default_factory=list)
    problem: str = ""  # why the export failed, naming the node where it can
    notes: list[str] = field(default_factory=list)
    export_s: float = 0.0
    check_s: float = 0.0

    def text(self) -> str:
        """The report as lines for a person (the CLI prints it)."""
        if not self.inputs and self.problem:
            return f"ONNX export failed: {self.problem}"
        lines = [f"ONNX file {self.path} (opset {self.opset}, exported in {self.export_s:.1f} s, checked in {self.check_s:.1f} s)"]
        for spec in self.inputs:
            axes = ", ".join(f"axis {a} = {n}" for a, n in sorted(spec.dynamic.items()))
            lines.append(f"  input  {spec.name}: {spec.dtype} (batch, {', '.join(map(str, spec.shape))}); dynamic: {axes}")
        for d in self.differences:
            verdict = "ok" if d.ok else f"DIFFERS (more than {d.tolerance:g})"
            lines.append(f"  output {d.name}: largest difference from PyTorch {d.max_abs:.3g} absolute, "
                         f"{d.max_rel:.3g} relative at batch {CHECK_BATCH}: {verdict}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.ok:
            lines.append(f"verified: {VIEWERS}")
        else:
            lines.append(f"ONNX export failed: {self.problem}")
        return "\n".join(lines)


def export_onnx(project: Project, path: str | Path, *, opset: int | None = None,
                module: torch.nn.Module | None = None, labels: Sequence[str] | None = None,
                tolerance: float | None = None) -> OnnxReport:
    """Exports ``module`` (default: the project's compiled model with its weights) to ``path``
    and checks it. A model that cannot be exported, or that onnxruntime computes differently,
    gives a report with ``ok`` False and a ``problem`` naming the node; an unwritable path
    raises ``ExportError``. ``labels`` default to the class names of the project's data set."""
    import torch

    from netdesigner.core.compiler import compiled_info

    path = Path(path)
    opset = newest_opset() if opset is None else opset
    wrong = check_opset(opset)
    if wrong:
        return OnnxReport(path, False, opset, problem=wrong)
    module = project.compile() if module is None else module
    module.eval()
    info = compiled_info(module)
    labels = class_labels(project) if labels is None else list(labels)
    specs = input_specs(project.graph, info.input_names)
    started = time.perf_counter()
    try:
        program = module_to_onnx(module, make_inputs(specs, EXPORT_BATCH, seed=0), opset=opset,
                                 input_names=[s.name for s in specs], output_names=info.output_names,
                                 dynamic_shapes=dynamic_shapes(specs))
    except Exception as e:
        problem = _blame(e, module, project, opset)
        return OnnxReport(path, False, opset, specs, info.output_names, problem=problem,
                          export_s=time.perf_counter() - started)
    export_s = time.perf_counter() - started
    specs, notes, problem = _axes_as_exported(program.model_proto, specs)
    if problem:
        return OnnxReport(path, False, opset, specs, info.output_names, problem=problem, notes=notes, export_s=export_s)
    from netdesigner.importer.onnx_tidy import tidy

    model = tidy(program.model_proto)  # folded, but every BatchNorm kept: the file is the graph drawn
    name_axes(model, {s.name: s.dynamic for s in specs})
    _keep_every_weight(model, module)
    _set_metadata(model, project, labels, specs)
    write_atomically(path, model.SerializeToString())
    written = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), opset)
    if written != opset:
        notes.append(f"the exporter wrote opset {written} instead of {opset}")
    started = time.perf_counter()
    with torch.no_grad():
        result = check_onnx(path, module, specs, info.output_names,
                            **({} if tolerance is None else {"tolerance": tolerance}))
    check_s = time.perf_counter() - started
    problem = result.problem or _differs(result.differences)
    return OnnxReport(path, result.ok, written, specs, info.output_names, result.differences, problem, notes, export_s, check_s)


def _axes_as_exported(model, specs: list[InputSpec]) -> tuple[list[InputSpec], list[str], str]:
    """The specs with the axes the exporter had to fix made static, notes saying so, and a
    problem if that befell a batch axis (a model that takes one batch size is no export)."""
    kept, notes, problem = [], [], ""
    for spec in specs:
        fixed = fixed_axes(model, spec.name, sorted(spec.dynamic))
        if 0 in fixed:
            problem = f"the batch axis of input {spec.name} cannot be left free: the model fixes it to {EXPORT_BATCH}"
        for axis in fixed:
            if axis:
                notes.append(f"the {spec.dynamic[axis]} axis of input {spec.name} is fixed to {spec.shape[axis - 1]}: "
                             f"the exporter cannot keep it free in this model")
        kept.append(replace(spec, dynamic={a: n for a, n in spec.dynamic.items() if a not in fixed}))
    return kept, notes, problem


def class_labels(project: Project) -> list[str]:
    """The class names of the project's data set, or none when it names no (readable) set."""
    from netdesigner.core.errors import DataError
    from netdesigner.data.registry import load_project_data

    if not project.data.dataset:
        return []
    try:
        return list(load_project_data(project).info.class_names)
    except DataError:
        return []


def _set_metadata(model, project: Project, labels: list[str], specs: list[InputSpec]) -> None:
    """Version, project name, class labels, and each input's designed sample shape
    (``netdesigner.input_shapes``): a free sequence axis has no size in the graph, and an
    import needs one for the Input node."""
    from netdesigner import __version__
    from netdesigner.core.project_format import graph_to_json

    props = {"netdesigner.version": __version__, "netdesigner.project": project.name,
             "netdesigner.input_shapes": json.dumps({s.name: list(s.shape) for s in specs}),
             "netdesigner.graph": json.dumps(graph_to_json(project.graph), separators=(",", ":"))}
    if labels:
        props["netdesigner.class_labels"] = json.dumps(labels, ensure_ascii=False)
    if project.description:
        model.doc_string = project.description
    kept = [p for p in model.metadata_props if p.key not in props]
    del model.metadata_props[:]
    for p in kept:
        model.metadata_props.add(key=p.key, value=p.value)
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)


def _keep_every_weight(model, module: torch.nn.Module) -> None:
    """Adds, as initializers named by their ``state_dict`` keys, the weights the exported graph
    does not use — a VAE's log-variance layer is dead in eval mode, where the sample is the
    mean — so that the file holds the whole design (``netdesigner.graph``) and every weight of
    it, and imports back exactly. Runtimes ignore initializers no node reads."""
    from onnx import numpy_helper

    present = {t.name for t in model.graph.initializer}
    for key, value in module.state_dict().items():
        if key not in present and value.is_floating_point():
            model.graph.initializer.append(numpy_helper.from_array(value.detach().cpu().numpy(), name=key))


def _differs(differences: list[OutputDifference]) -> str:
    bad = [d for d in differences if not d.ok]
    if not bad:
        return ""
    return "; ".join(f"output {d.name} differs from PyTorch by up to {d.max_abs:.3g} (more than {d.tolerance:g})"
                     for d in bad)


_CALL = re.compile(r"self\.(\w+)\(")


def _blame(error: BaseException, module: fx.GraphModule, project: Project, opset: int) -> str:
    """'node NAME (TYPE) cannot be exported: REASON'. The node is the first that fails to export
    on its own, trying first those the exporter's message calls (``self.<node>(…)`` in the
    compiled forward), then the others in graph order; if every node exports alone, the one the
    message named last, if any."""
    reason = _reason(error)
    names = dict(module.named_children())
    called = list(dict.fromkeys(reversed([n for n in _CALL.findall(_all_text(error)) if n in names])))
    name = _first_failing(module, project, opset, first=called) or (called[0] if called else None)
    if name is None:
        return f"the model cannot be exported: {reason}"
    try:
        kind = f" ({project.graph.find(name).type})"
    except Exception:  # a module that did not come from this graph
        kind = ""
    return f"node {name}{kind} cannot be exported: {reason}"


def _all_text(error: BaseException) -> str:
    parts, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        parts.append(str(error))
        error = error.__cause__ or error.__context__
    return "\n".join(parts)


def _reason(error: BaseException) -> str:
    """The deepest cause's first meaningful line: the exporter wraps the real reason."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for e in reversed(chain):
        for line in str(e).splitlines():
            line = line.strip().lstrip("#").strip()
            if line:
                return f"{line[:300]} ({type(e).__name__})"
    return type(chain[-1]).__name__


def _first_failing(module: fx.GraphModule, project: Project, opset: int, first: list[str]) -> str | None:
    """The first node whose module fails to export alone (at the shapes inference gives it),
    trying ``first`` before the rest in graph order and each type with its parameters once, so
    a ResNet costs a handful of exports, not seventy."""
    import torch

    from netdesigner.core.compiler import compiled_info
    from netdesigner.core.shapes import infer_shapes

    report = infer_shapes(project.graph)
    info = compiled_info(module)
    by_name = {name: node_id for node_id, name in info.names.items()}
    tried = set()
    for name in [*first, *(n for n in by_name if n not in first)]:
        node_id = by_name.get(name)
        signature = info.signatures.get(node_id)
        if node_id is None or node_id not in report.nodes or signature in tried:
            continue
        tried.add(signature)
        inputs = tuple(torch.zeros(EXPORT_BATCH, *s.shape, dtype=torch.int64 if s.dtype == "int64" else torch.float32)
                       for s in report.nodes[node_id].inputs)
        try:
            with quiet_exporter(), torch.no_grad():
                module_to_onnx(module.get_submodule(name), inputs, opset=opset)
        except Exception:
            return name
    return None
