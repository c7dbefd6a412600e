"""``.pt2`` export: torch.export.load gives a program that runs at another batch size."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.export.example_inputs import input_specs, make_inputs
from netdesigner.export.export_error import ExportError
from netdesigner.export.exported_program import export_program, load_program

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


@pytest.mark.parametrize("example", ["digits_cnn", "lstm_sequence", "vae"])
def test_the_reloaded_program_runs_at_another_batch_size_with_equal_outputs(example: str, tmp_path: Path) -> None:
    project = Project.load(PROJECTS / f"{example}.ndproj")
    model = project.compile().eval()
    report = export_program(project, tmp_path / f"{example}.pt2", module=model)
    assert report.ok, report.text()
    program = torch.export.load(str(report.path)).module()
    names = [n.name for n in project.graph.nodes() if n.type == "Input"]
    for batch in (1, 5):
        inputs = make_inputs(input_specs(project.graph, names), batch, seed=7)
        with torch.no_grad():
            expected = model(*inputs)
        got = program(*inputs)
        assert got.shape[0] == batch
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)


def test_the_report_names_the_dynamic_batch_axis(tmp_path: Path) -> None:
    report = export_program(Project.load(PROJECTS / "spirals_mlp.ndproj"), tmp_path / "s.pt2")
    assert report.inputs[0].dynamic == {0: "batch"}
    assert "axis 0 = batch" in report.text() and "torch.export.load" in report.text()


def test_a_file_that_is_no_program_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.pt2"
    path.write_bytes(b"not a zip")
    with pytest.raises(ExportError, match="junk.pt2: not a readable torch.export program"):
        load_program(path)
