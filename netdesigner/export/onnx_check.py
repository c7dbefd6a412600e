"""Does an exported ONNX file compute what the PyTorch model computes?

Two checks, in order: ``onnx.checker.check_model(full_check=True)`` (the file is valid ONNX and
its shapes infer), then onnxruntime runs it on a seeded batch of another size than the export
traced with (proving the batch axis is dynamic; sequence axes get a longer length too) and each
output is compared with PyTorch's on the same batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.export.example_inputs import InputSpec, make_inputs

if TYPE_CHECKING:
    import torch

TOLERANCE = 1e-4  # largest absolute difference accepted in float32
CHECK_BATCH = 3  # exports trace with 2 samples; checking with 3 proves the batch axis is free
CHECK_SEED = 1
NEAR_ZERO = 1e-6  # relative differences divide by at least this, so outputs near 0 add no noise


@dataclass(frozen=True)
class OutputDifference:
    """How far one output of onnxruntime lies from PyTorch's on the check batch."""

    name: str
    max_abs: float  # largest |onnx − torch|
    max_rel: float  # largest |onnx − torch| / max(|torch|, NEAR_ZERO)
    tolerance: float = TOLERANCE

    @property
    def ok(self) -> bool:
        return self.max_abs <= self.tolerance


@dataclass(frozen=True)
class CheckResult:
    differences: list[OutputDifference]
    problem: str = ""  # why the file is wrong, empty when both checks ran

    @property
    def ok(self) -> bool:
        return not self.problem and all(d.ok for d in self.differences)


def check_onnx(path: Path, module: torch.nn.Module, specs: list[InputSpec], output_names: list[str],
               *, tolerance: float = TOLERANCE) -> CheckResult:
    """Checks the file, then compares onnxruntime with ``module`` (in eval mode) output by output."""
    import onnx
    import onnxruntime as ort
    import torch

    try:
        onnx.checker.check_model(str(path), full_check=True)
    except Exception as e:
        return CheckResult([], f"the ONNX checker refuses the file: {_first_line(e)}")
    inputs = make_inputs(specs, CHECK_BATCH, seed=CHECK_SEED, longer=1)
    options = ort.SessionOptions()
    options.log_severity_level = 4  # fatal only: an error comes back in the exception, said once in our words
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        got = session.run(output_names, {s.name: x.numpy() for s, x in zip(specs, inputs, strict=True)})
    except Exception as e:
        return CheckResult([], f"onnxruntime cannot run the file: {_first_line(e)}")
    with torch.no_grad():
        expected = module(*inputs)
    if isinstance(expected, torch.Tensor):
        expected = (expected,)
    differences = []
    for name, ours, theirs in zip(output_names, expected, got, strict=True):
        theirs = torch.from_numpy(theirs).to(torch.float64)
        ours = ours.detach().to(torch.float64)
        if theirs.shape != ours.shape:
            return CheckResult(differences, f"output {name} has shape {tuple(theirs.shape)} in onnxruntime "
                                            f"but {tuple(ours.shape)} in PyTorch")
        gap = (theirs - ours).abs()
        rel = gap / ours.abs().clamp_min(NEAR_ZERO)
        differences.append(OutputDifference(name, _largest(gap), _largest(rel), tolerance))
    return CheckResult(differences)


def _largest(t: torch.Tensor) -> float:
    return float(t.max()) if t.numel() else 0.0


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:300]
