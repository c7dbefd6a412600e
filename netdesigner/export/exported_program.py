"""A project's model as a ``torch.export`` program (``.pt2``): the graph and weights in one
file that ``torch.export.load`` reads back and runs without NetDesigner's code.

The batch axis is dynamic; so is the sequence axis of inputs that feed recurrent or attention
layers where ``torch.export`` can keep it free (``capture``). ``torch.export.load`` only
rebuilds the graph and tensors; it does not unpickle arbitrary objects from the archive.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.export.atomic_file import write_atomically
from netdesigner.export.capture import capture
from netdesigner.export.example_inputs import InputSpec, input_specs, make_inputs
from netdesigner.export.export_error import ExportError

if TYPE_CHECKING:
    import torch

    from netdesigner.core.project import Project

CHECK_BATCH = 3
TOLERANCE = 1e-5  # the same kernels run on both sides: only fusion order may differ


@dataclass
class ProgramReport:
    """What a ``.pt2`` export made, and whether the reloaded program agrees with the model."""

    path: Path
    ok: bool
    inputs: list[InputSpec] = field(default_factory=list)
    max_abs: float = 0.0  # largest |reloaded − model| over every output at batch CHECK_BATCH
    problem: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def text(self) -> str:
        if self.problem and not self.inputs:
            return f"torch.export failed: {self.problem}"
        lines = [f"ExportedProgram {self.path} ({self.seconds:.1f} s)"]
        for spec in self.inputs:
            axes = ", ".join(f"axis {a} = {n}" for a, n in sorted(spec.dynamic.items()))
            lines.append(f"  input  {spec.name}: {spec.dtype} (batch, {', '.join(map(str, spec.shape))}); dynamic: {axes}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.ok:
            lines.append(f"verified: reloaded and run at batch {CHECK_BATCH}, largest difference {self.max_abs:.3g}; "
                         f"load it with torch.export.load(path).module()")
        else:
            lines.append(f"torch.export failed: {self.problem}")
        return "\n".join(lines)


def export_program(project: Project, path: str | Path, *, module: torch.nn.Module | None = None) -> ProgramReport:
    """Saves the model (eval mode, current weights) with ``torch.export.save``, loads it back
    and compares with the model at another batch size. ``ExportError`` if it cannot be written."""
    import torch

    from netdesigner.core.compiler import compiled_info

    path = Path(path)
    module = project.compile() if module is None else module
    module.eval()
    specs = input_specs(project.graph, compiled_info(module).input_names)
    started = time.perf_counter()
    try:
        captured = capture(module, specs)
    except Exception as e:
        return ProgramReport(path, False, problem=f"the model cannot be captured: {_first_line(e)}")
    buffer = io.BytesIO()
    torch.export.save(captured.program, buffer)
    write_atomically(path, buffer.getvalue())
    seconds = time.perf_counter() - started
    try:
        max_abs = _difference(path, module, captured.specs)
    except Exception as e:
        return ProgramReport(path, False, captured.specs, problem=f"the saved program does not run: {_first_line(e)}",
                             notes=captured.notes, seconds=seconds)
    ok = max_abs <= TOLERANCE
    problem = "" if ok else f"the reloaded program differs from the model by up to {max_abs:.3g}"
    return ProgramReport(path, ok, captured.specs, max_abs, problem, captured.notes, seconds)


def load_program(path: str | Path) -> torch.export.ExportedProgram:
    """``torch.export.load``, with an ``ExportError`` naming the file if it cannot be read."""
    import torch

    try:
        return torch.export.load(str(path))
    except Exception as e:
        raise ExportError(f"{path}: not a readable torch.export program ({_first_line(e)})") from None


def _difference(path: Path, module: torch.nn.Module, specs: list[InputSpec]) -> float:
    import torch

    inputs = make_inputs(specs, CHECK_BATCH, seed=1, longer=1)
    reloaded = load_program(path).module()
    with torch.no_grad():
        ours, theirs = module(*inputs), reloaded(*inputs)
    ours = (ours,) if isinstance(ours, torch.Tensor) else tuple(ours)
    theirs = (theirs,) if isinstance(theirs, torch.Tensor) else tuple(theirs)
    return max(float((a.double() - b.double()).abs().max()) if a.numel() else 0.0 for a, b in zip(ours, theirs, strict=True))


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return (text.splitlines()[0][:300] if text else "") + f" ({type(e).__name__})"
