"""Every way a model leaves NetDesigner, behind one call: ``export_project(project, format,
output)`` writes the file (or folder), checks it, and returns whether it passed with the
report a person reads. The CLI (``export/command.py``) prints it; the window's Export dialog
shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netdesigner.core.project import Project


class ExportFormat(Enum):
    ONNX = "onnx"
    SAFETENSORS = "safetensors"
    PT = "pt"
    PT2 = "pt2"
    PYTHON = "python"

    @property
    def title(self) -> str:
        return {"onnx": "ONNX model (.onnx)", "safetensors": "Weights, safetensors (.safetensors)",
                "pt": "Weights, PyTorch (.pt)", "pt2": "torch.export program (.pt2)",
                "python": "PyTorch code package (folder)"}[self.value]

    @property
    def suffix(self) -> str:
        """What the default output's name ends with (after the project's stem)."""
        return {"onnx": ".onnx", "safetensors": ".weights.safetensors", "pt": ".weights.pt", "pt2": ".pt2",
                "python": "_pytorch"}[self.value]


@dataclass
class ExportOutcome:
    ok: bool
    text: str
    output: Path


def default_output(project_file: str | Path, fmt: ExportFormat) -> Path:
    """Beside the project, named after it; weights get ``.weights`` so that the project's own
    ``NAME.safetensors`` is never overwritten."""
    path = Path(project_file)
    return path.with_name(path.stem + fmt.suffix)


def export_project(project: Project, fmt: ExportFormat, output: str | Path, *, opset: int | None = None) -> ExportOutcome:
    """Writes and checks; ``ExportError`` for an output that cannot be written, ``GraphError``
    or ``ShapeError`` for a model that cannot be built."""
    output = Path(output)
    _check_writable(output, fmt)
    if fmt is ExportFormat.ONNX:
        from netdesigner.export.onnx_export import export_onnx

        report = export_onnx(project, output, opset=opset)
        return ExportOutcome(report.ok, report.text(), output)
    if fmt is ExportFormat.PT2:
        from netdesigner.export.exported_program import export_program

        report = export_program(project, output)
        return ExportOutcome(report.ok, report.text(), output)
    if fmt is ExportFormat.PYTHON:
        from netdesigner.export.python_package import export_python_package

        report = export_python_package(project, output)
        return ExportOutcome(bool(report.ok), report.text(), output)
    return _weights(project, fmt, output)


def _check_writable(output: Path, fmt: ExportFormat) -> None:
    """Fails before the seconds an export takes when the place cannot take the result."""
    from netdesigner.export.export_error import ExportError

    folder = output if fmt is ExportFormat.PYTHON else output.parent
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ExportError(f"{output}: cannot write here: {existing} is a file, not a folder")
    if fmt is not ExportFormat.PYTHON and output.is_dir():
        raise ExportError(f"{output} is a folder; name a file to write")


def _weights(project: Project, fmt: ExportFormat, output: Path) -> ExportOutcome:
    import torch

    from netdesigner.export.weights import load_weights, save_weights

    state = project.compile().state_dict()
    lines = [] if project.weights else ["note: the project has no trained weights: these are the freshly initialised ones"]
    save_weights(state, output, format=fmt.value)
    loaded = load_weights(output)
    same = set(loaded) == set(state) and all(torch.equal(loaded[k], v.cpu()) for k, v in state.items())
    count = sum(v.numel() for v in state.values())
    lines.append(f"weights of {len(state)} tensors ({count:,} numbers) written to {output} as {fmt.value}")
    if not same:
        lines.append("verification failed: the file read back holds other tensors than the model's")
        return ExportOutcome(False, "\n".join(lines), output)
    how = "safetensors.torch.load_file(path)" if fmt is ExportFormat.SAFETENSORS else "torch.load(path, weights_only=True)"
    lines.append(f"verified: read back, every tensor equal; load it with {how}, then model.load_state_dict(...)")
    return ExportOutcome(True, "\n".join(lines), output)
