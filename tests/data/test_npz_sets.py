"""NumPy archives: X and y read without ever unpickling; each bad archive one clear message."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from netdesigner.core.errors import DataError
from netdesigner.data.registry import load_dataset
from netdesigner.data.splits import Task


def _save(tmp_path, name="set.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_images_and_labels(tmp_path):
    x = np.random.default_rng(0).random((50, 1, 4, 4))
    y = np.arange(50) % 5
    splits = load_dataset("npz", {"path": str(_save(tmp_path, X=x, y=y))})
    assert splits.info.task is Task.CLASSIFICATION and splits.info.num_classes == 5
    assert splits.info.input_shape == (1, 4, 4) and splits.train.x.dtype == torch.float32
    joined = torch.cat([splits.train.x, splits.val.x, splits.test.x])
    assert torch.allclose(joined.sum(), torch.tensor(x.sum(), dtype=torch.float32))


def test_text_labels_and_regression_targets(tmp_path):
    x = np.arange(40.0)
    names = np.array(["cat", "dog"] * 20)
    splits = load_dataset("npz", {"path": str(_save(tmp_path, X=x, y=names))})
    assert splits.info.class_names == ("cat", "dog") and splits.info.input_shape == (1,)
    targets = np.random.default_rng(1).normal(size=(40, 3))
    splits = load_dataset("npz", {"path": str(_save(tmp_path, "r.npz", X=x, y=targets))})
    assert splits.info.task is Task.REGRESSION and splits.info.target_shape == (3,)


def test_token_ids_and_standardising_are_options(tmp_path):
    x = np.random.default_rng(2).integers(0, 9, (30, 6))
    path = _save(tmp_path, X=x, y=np.arange(30) % 2)
    tokens = load_dataset("npz", {"path": str(path), "input": "int64"})
    assert tokens.info.input_dtype == "int64" and tokens.train.x.dtype == torch.int64
    scaled = load_dataset("npz", {"path": str(path), "standardise": True})
    assert torch.allclose(scaled.train.x.mean(0), torch.zeros(6), atol=1e-5)


def _error(path):
    with pytest.raises(DataError) as caught:
        load_dataset("npz", {"path": str(path)})
    message = str(caught.value)
    assert str(path) in message
    return message


def test_an_object_array_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    x = np.empty(4, dtype=object)
    x[:] = [Evil(), 1, 2, 3]
    path = _save(tmp_path, X=x, y=np.arange(4))
    assert "holds Python objects" in _error(path) and "never unpickles" in _error(path)
    assert not marker.exists()


def test_a_pickle_file_named_npz_is_refused(tmp_path):
    import pickle

    path = tmp_path / "set.npz"
    path.write_bytes(pickle.dumps({"X": [1, 2], "y": [0, 1]}))
    assert "cannot be read as a .npz archive" in _error(path)


@pytest.mark.parametrize(("arrays", "words"), [
    ({"y": np.arange(3)}, r"has no array 'X' \(its arrays: 'y'\)"),
    ({"X": np.zeros((3, 2))}, "has no array 'y'"),
    ({"X": np.zeros((10, 2)), "y": np.arange(9)}, "X has 10 samples but y has 9 labels"),
    ({"X": np.zeros((0, 2)), "y": np.arange(0)}, "X has no samples"),
    ({"X": np.array(["a", "b"]), "y": np.arange(2)}, "inputs must be numbers"),
    ({"X": np.array([[1.0], [np.nan], [2.0]]), "y": np.arange(3)}, "X sample 1 holds NaN"),
    ({"X": np.float64(3.0), "y": np.arange(3)}, "X is a single number"),
])
def test_bad_archives(tmp_path, arrays, words):
    assert re.search(words, _error(_save(tmp_path, **arrays)))


def test_a_single_npy_array_is_not_an_archive(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros(3))
    assert "holds one array" in _error(path)


def test_a_truncated_archive(tmp_path):
    path = _save(tmp_path, X=np.zeros((100, 3)), y=np.arange(100))
    path.write_bytes(path.read_bytes()[:300])
    assert "cannot be read" in _error(path)
