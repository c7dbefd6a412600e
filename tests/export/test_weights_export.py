"""Weights files: a round trip gives the same tensors, and a pickle payload never runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.export.export_error import ExportError
from netdesigner.export.weights import load_weights, save_weights

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def _state() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return {k: v.clone() for k, v in Project.load(PROJECTS / "digits_cnn.ndproj").compile().state_dict().items()}


@pytest.mark.parametrize("name", ["model.safetensors", "model.pt"])
def test_a_round_trip_gives_equal_tensors(name: str, tmp_path: Path) -> None:
    state = _state()
    loaded = load_weights(save_weights(state, tmp_path / name))
    assert sorted(loaded) == sorted(state)
    for key, tensor in state.items():
        assert torch.equal(loaded[key], tensor), key
        assert loaded[key].dtype == tensor.dtype


def test_the_loaded_weights_fit_the_model(tmp_path: Path) -> None:
    state = _state()
    model = Project.load(PROJECTS / "digits_cnn.ndproj").compile()
    model.load_state_dict(load_weights(save_weights(state, tmp_path / "w.pt")))
    assert all(torch.equal(model.state_dict()[k], v) for k, v in state.items())


def test_tied_weights_are_saved_as_safetensors(tmp_path: Path) -> None:
    shared = torch.ones(3)
    loaded = load_weights(save_weights({"a": shared, "b": shared}, tmp_path / "tied.safetensors"))
    assert torch.equal(loaded["a"], loaded["b"])


class Payload:
    """Unpickling this would create the marker file: what a malicious .pt does."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_pt_carrying_a_pickle_payload_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "payload-ran"
    path = tmp_path / "evil.pt"
    torch.save({"weight": torch.zeros(2), "extra": Payload(str(marker))}, path)
    with pytest.raises(ExportError, match=r"evil\.pt: refused: the file holds more than tensors") as caught:
        load_weights(path)
    assert "prefer .safetensors" in str(caught.value)
    assert not marker.exists()


def test_a_pt_that_is_not_a_state_dict_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.pt"
    torch.save([torch.zeros(2)], path)
    with pytest.raises(ExportError, match="holds a list, not a dict of named tensors"):
        load_weights(path)


def test_a_damaged_safetensors_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(ExportError, match="broken.safetensors: not a readable safetensors file"):
        load_weights(path)


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="nothing.pt: cannot read the file"):
        load_weights(tmp_path / "nothing.pt")
