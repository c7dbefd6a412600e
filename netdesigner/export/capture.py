"""A compiled model as a ``torch.export`` program with free batch (and sequence) axes, for
the ``.pt2`` export.

A plain ``torch.export.export`` raises when the model fixes an axis marked free, so an axis
the model needs fixed is an error seen and handled here (the sequence is fixed and a note
says so), never a file that quietly accepts one size only. (The ONNX export lets the
exporter capture instead: it patches the LSTM and GRU decompositions so their sequence axis
stays free, and ``onnx_export`` reads the axes back from the file.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from netdesigner.export.example_inputs import InputSpec, dynamic_shapes, make_inputs
from netdesigner.export.exporter_noise import quiet_exporter

if TYPE_CHECKING:
    import torch

EXPORT_BATCH = 2  # samples traced with; with 1, torch.export would fix the batch axis to 1


@dataclass
class Capture:
    """The program, the inputs as finally exported (axes that had to be fixed are no longer
    dynamic) and notes for the person about what was fixed."""

    program: torch.export.ExportedProgram
    specs: list[InputSpec]
    notes: list[str] = field(default_factory=list)


def capture(module: torch.nn.Module, specs: list[InputSpec]) -> Capture:
    """``torch.export.export`` in eval mode. When the sequence axes cannot stay free (an RNN
    layer unrolls its steps, a Flatten counts them), they are fixed to their declared length
    and a note says so; the exporter's exception propagates when even that fails."""
    try:
        return Capture(_export(module, specs), specs)
    except Exception:
        if not any(set(s.dynamic) - {0} for s in specs):
            raise
    fixed = [replace(s, dynamic={0: "batch"}) for s in specs]
    program = _export(module, fixed)
    lengths = ", ".join(f"{s.name} {s.shape[0]} steps" for s in specs if set(s.dynamic) - {0})
    return Capture(program, fixed, [f"the sequence length is fixed ({lengths}): torch.export cannot keep it free "
                                    f"in this model, so other lengths are refused"])


def _export(module: torch.nn.Module, specs: list[InputSpec]) -> torch.export.ExportedProgram:
    import torch

    module.eval()
    inputs = make_inputs(specs, EXPORT_BATCH, seed=0)
    with quiet_exporter(), torch.no_grad():
        return torch.export.export(module, inputs, dynamic_shapes=dynamic_shapes(specs))
