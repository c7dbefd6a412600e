"""Never run a file as code (issue 9): a pickle payload planted in every place a file could carry
one — a .pt weights file, a checkpoint's optimizer state, a .npz with object arrays, a project
that names a .pt (or a pickle under a .safetensors name), the ONNX model itself — is refused
with a clear message, and the payload never runs: unpickling it would create a marker file."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from netdesigner.core.errors import NetDesignerError
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project


class Payload:
    """What a malicious file carries: unpickling it touches the marker."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    yield tmp_path / "payload-ran"
    assert not (tmp_path / "payload-ran").exists(), "the payload ran"


def _pickled_state(marker: Path) -> dict:
    return {"weight": torch.zeros(2), "extra": Payload(marker)}


def test_the_payload_really_runs_when_unpickled(tmp_path: Path) -> None:
    """The control: without our loaders' care, the same file runs the payload."""
    path = tmp_path / "evil.pt"
    torch.save(_pickled_state(tmp_path / "ran"), path)
    torch.load(path, weights_only=False)
    assert (tmp_path / "ran").exists()


def test_a_pt_weights_file(tmp_path: Path, marker: Path) -> None:
    from netdesigner.export.weights import load_weights

    path = tmp_path / "evil.pt"
    torch.save(_pickled_state(marker), path)
    with pytest.raises(NetDesignerError, match="refused"):
        load_weights(path)


def test_a_checkpoints_optimizer_state(tmp_path: Path, marker: Path) -> None:
    from netdesigner.train.checkpoint import load_optimizer_state

    path = tmp_path / "run.last.optimizer.pt"
    torch.save({"state": {}, "param_groups": [], "extra": Payload(marker)}, path)
    with pytest.raises(NetDesignerError, match=r"run.last.optimizer.pt: refused: not a plain optimizer state"):
        load_optimizer_state(path)


def test_an_npz_with_object_arrays(tmp_path: Path, marker: Path) -> None:
    from netdesigner.data.registry import load_dataset

    path = tmp_path / "evil.npz"
    x = np.empty(4, dtype=object)
    x[:] = [Payload(marker)] * 4
    np.savez(path, X=x, y=np.zeros(4))
    with pytest.raises(NetDesignerError, match="evil.npz"):
        load_dataset("npz", {"path": str(path)})


def test_an_npz_member_that_is_a_bare_pickle(tmp_path: Path, marker: Path) -> None:
    from netdesigner.data.registry import load_dataset

    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("X.npy", pickle.dumps(Payload(marker)))
        z.writestr("y.npy", pickle.dumps(Payload(marker)))
    with pytest.raises(NetDesignerError, match="evil.npz"):
        load_dataset("npz", {"path": str(path)})


def _project_naming(tmp_path: Path, weights_file: str) -> Path:
    g = Graph()
    g.output(g.add("Linear", g.input((3,), name="x"), name="fc", out_features=2), "mse", name="y")
    doc = Project(graph=g, name="evil").to_json()
    doc["weights"] = {"file": weights_file}
    path = tmp_path / "evil.ndproj"
    path.write_text(json.dumps(doc))
    return path


def test_a_project_that_names_a_pt(tmp_path: Path, marker: Path) -> None:
    torch.save(_pickled_state(marker), tmp_path / "evil.pt")
    with pytest.raises(NetDesignerError, match="must be a .safetensors file"):
        Project.load(_project_naming(tmp_path, "evil.pt"))


def test_a_project_that_names_a_pickle_under_a_safetensors_name(tmp_path: Path, marker: Path) -> None:
    torch.save(_pickled_state(marker), tmp_path / "evil.safetensors")
    with pytest.raises(NetDesignerError, match="not a readable safetensors file"):
        Project.load(_project_naming(tmp_path, "evil.safetensors"))


def test_an_onnx_file_that_is_a_pickle(tmp_path: Path, marker: Path) -> None:
    from netdesigner.importer.onnx_import import project_from_onnx

    path = tmp_path / "evil.onnx"
    path.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(NetDesignerError, match="evil.onnx"):
        project_from_onnx(path)


def test_the_one_command_that_runs_code_says_so_in_its_help(capsys: pytest.CaptureFixture) -> None:
    from netdesigner.cli import main

    with pytest.raises(SystemExit):
        main(["import-torch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "RUNS THE PYTHON FILE as code" in text and "only on code you trust" in text
