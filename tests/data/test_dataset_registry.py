"""The registry: every data set loads with its defaults and is what its DataInfo says."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from netdesigner.core.errors import DataError
from netdesigner.core.params import Param
from netdesigner.data.registry import TextOption, all_datasets, dataset_spec, load_dataset
from netdesigner.data.splits import Task

BUILT_IN = [s.name for s in all_datasets() if s.kind != "file"]


def test_the_registry_lists_every_kind_of_data_set():
    names = {s.name for s in all_datasets()}
    assert {"spirals", "moons", "circles", "xor", "blobs", "function", "sine_forecast", "parity",
            "running_sum", "digits", "iris", "wine", "breast_cancer", "diabetes", "csv", "npz",
            "image_folder"} <= names
    for spec in all_datasets():
        assert spec.title and spec.description and "\n" not in spec.description
        assert spec.kind in ("synthetic", "builtin", "file")
        for param in spec.params:
            assert isinstance(param, (Param, TextOption))
            assert param.doc and param.describe()
            if isinstance(param, Param):
                assert param.coerce(param.default) == param.default


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_data_set_loads_with_defaults_and_matches_its_info(name):
    splits = load_dataset(name, {})
    info = splits.info
    assert info.name == name
    n = sum(len(s) for s in (splits.train, splits.val, splits.test))
    assert len(splits.val) == round(n * 0.2) and len(splits.test) == round(n * 0.2)
    for split in (splits.train, splits.val, splits.test):
        assert tuple(split.x.shape[1:]) == info.input_shape
        assert split.x.dtype == (torch.int64 if info.input_dtype == "int64" else torch.float32)
        assert len(split.x) == len(split.y)
        if info.task is Task.CLASSIFICATION:
            assert split.y.dtype == torch.int64 and split.y.dim() == 1
            assert int(split.y.min()) >= 0 and int(split.y.max()) < info.num_classes
            assert len(info.class_names) == info.num_classes
        else:
            assert split.y.dtype == torch.float32
            assert tuple(split.y.shape[1:]) == info.target_shape
        assert torch.isfinite(split.x.float()).all() and torch.isfinite(split.y.float()).all()
    if info.task is Task.CLASSIFICATION:
        assert set(splits.train.y.tolist()) == set(range(info.num_classes))  # every class is trained on
    if info.feature_names and len(info.input_shape) == 1:
        assert len(info.feature_names) == info.input_shape[0]


def test_an_unknown_data_set_names_the_known_ones():
    with pytest.raises(DataError, match="no data set called 'mnist'.*spirals.*digits"):
        load_dataset("mnist", {})
    with pytest.raises(DataError, match="no data set"):
        dataset_spec("")


def test_an_unknown_option_is_named_with_the_allowed_ones():
    with pytest.raises(DataError, match=r"'spirals' has no option 'size'.*samples, noise, seed"):
        load_dataset("spirals", {"size": 10})


@pytest.mark.parametrize(("name", "options", "words"), [
    ("spirals", {"samples": -5}, r"samples must be an integer ≥ 10.*-5"),
    ("spirals", {"samples": "many"}, r"samples must be an integer"),
    ("spirals", {"noise": float("nan")}, r"noise must be a number"),
    ("digits", {"layout": "square"}, r"layout must be one of 'image', 'sequence', 'flat'"),
    ("image_folder", {"size": [8, 8, 8]}, r"size must be 2 integers"),
    ("image_folder", {"grayscale": "yes"}, r"grayscale must be true or false"),
    ("csv", {"path": 3}, r"path must be the path of a file"),
])
def test_bad_option_values_say_which_option_and_what_is_allowed(name, options, words):
    with pytest.raises(DataError, match=words) as caught:
        load_dataset(name, options)
    assert repr(name) in str(caught.value)


def test_options_take_defaults_and_keep_lists_as_tuples():
    spec = dataset_spec("image_folder")
    values = spec.coerce_options({"size": [4, 5]})
    assert values == {"path": "", "size": (4, 5), "grayscale": False}
    with pytest.raises(DataError, match="mapping"):
        spec.coerce_options(["size"])  # type: ignore[arg-type]


def test_a_file_data_set_without_a_path_asks_for_one():
    with pytest.raises(DataError, match="needs a file: set its path option"):
        load_dataset("csv", {})


@pytest.mark.parametrize(("fractions", "words"), [
    ({"validation_fraction": 0.95}, "validation fraction must be a number from 0 to 0.9"),
    ({"test_fraction": -0.1}, "test fraction"),
    ({"validation_fraction": 0.5, "test_fraction": 0.5}, "leaves nothing to train on"),
    ({"seed": -1}, "seed"),
])
def test_bad_split_settings_are_refused(fractions, words):
    with pytest.raises(DataError, match=words):
        load_dataset("moons", {}, **fractions)


def test_importing_the_registry_imports_no_numpy_torch_or_pillow():
    code = (
        "import sys\n"
        "from netdesigner.data.registry import all_datasets, dataset_spec\n"
        "all_datasets(); dataset_spec('digits').coerce_options({'layout': 'flat'})\n"
        "heavy = [m for m in ('torch', 'numpy', 'PIL', 'sklearn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
