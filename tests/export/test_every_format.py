"""Every example project exports to every format with a passing report (the ONNX format of
every example is covered by the round-trip tests): weights read back equal, a .pt2 program
that runs like the model, a PyTorch package whose model.py computes what the designer's does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.examples import list_examples
from netdesigner.export.formats import ExportFormat, export_project

EXAMPLES = [e.path for e in list_examples()]
FORMATS = [ExportFormat.SAFETENSORS, ExportFormat.PT, ExportFormat.PT2, ExportFormat.PYTHON]


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.value for f in FORMATS])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_exports_to_every_format(path: Path, fmt: ExportFormat, tmp_path: Path) -> None:
    project = Project.load(path)
    output = tmp_path / f"{path.stem}{fmt.suffix}"
    outcome = export_project(project, fmt, output)
    assert outcome.ok, outcome.text
    assert output.exists()
    if fmt is ExportFormat.PYTHON:
        _model_py_computes_what_the_designer_does(project, output)


def _model_py_computes_what_the_designer_does(project: Project, folder: Path) -> None:
    from safetensors.torch import load_file

    weights = load_file(str(folder / "weights.safetensors"))
    designer = project.compile().eval()
    designer.load_state_dict(weights, strict=True)  # an untrained project's package holds the seeded fresh weights
    info = designer.meta["netdesigner"]
    inputs = []
    for name in info.input_names:
        node = project.graph.find(name)
        shape, dtype = tuple(node.params["shape"]), node.params.get("dtype", "float32")
        generator = torch.Generator().manual_seed(0)
        inputs.append(torch.randint(0, 2, (3, *shape), generator=generator) if dtype.startswith("int")
                      else torch.randn(3, *shape, generator=generator))
    source = (folder / "model.py").read_text()
    class_name = source.split("\nclass ", 1)[1].split("(", 1)[0]
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(f"exported_{folder.name}", folder / "model.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        generated = getattr(module, class_name)().eval()
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("layers", None)
    generated.load_state_dict(weights, strict=True)
    with torch.no_grad():
        want, got = designer(*inputs), generated(*inputs)
    want, got = (want if isinstance(want, tuple) else (want,)), (got if isinstance(got, tuple) else (got,))
    for w, g in zip(want, got, strict=True):
        torch.testing.assert_close(g, w, rtol=0, atol=0)
