"""scikit-learn's bundled sets, read from its data files: the same numbers its loaders give."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets
import torch

from netdesigner.data.registry import load_dataset
from netdesigner.data.sklearn_sets import CLASSES, FEATURES, read_arrays
from netdesigner.data.splits import Task


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer", "diabetes"])
def test_reading_the_files_gives_what_sklearn_loads(name):
    bunch = getattr(sklearn.datasets, f"load_{name}")(**({"scaled": False} if name == "diabetes" else {}))
    x, y = read_arrays(name)
    assert np.allclose(x, bunch.data) and np.allclose(y, bunch.target)
    if name in FEATURES:
        assert FEATURES[name] == tuple(bunch.feature_names)
    if name in CLASSES:
        assert CLASSES[name] == tuple(str(c) for c in bunch.target_names)


@pytest.mark.parametrize(("layout", "shape"), [("image", (1, 8, 8)), ("sequence", (8, 8)), ("flat", (64,))])
def test_digits_layouts(layout, shape):
    splits = load_dataset("digits", {"layout": layout})
    assert splits.info.input_shape == shape and splits.train.x.shape[1:] == shape
    assert splits.info.num_classes == 10 and splits.info.class_names[3] == "3"
    x = torch.cat([splits.train.x, splits.val.x, splits.test.x])
    assert x.min() == 0 and x.max() == 1
    assert len(x) == 1797


def test_digits_sequence_rows_are_the_image_rows():
    image = load_dataset("digits", {"layout": "image"}, seed=5)
    rows = load_dataset("digits", {"layout": "sequence"}, seed=5)
    assert torch.equal(image.train.x[:, 0], rows.train.x)


def test_digits_for_an_autoencoder_target_the_image():
    splits = load_dataset("digits", {"target": "input"})
    assert splits.info.task is Task.REGRESSION and splits.info.target_shape == (1, 8, 8)
    assert torch.equal(splits.train.x, splits.train.y) and splits.train.y.dtype == torch.float32


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_tables_are_standardised_with_training_statistics_only(name):
    splits = load_dataset(name, {})
    train = splits.train.x.double()
    assert torch.allclose(train.mean(0), torch.zeros(train.shape[1], dtype=torch.double), atol=1e-5)
    assert torch.allclose(train.std(0, unbiased=False), torch.ones(train.shape[1], dtype=torch.double), atol=1e-4)
    raw, _ = read_arrays(name)
    everything = (raw - np.array(splits.extra["x_mean"])) / np.array(splits.extra["x_std"])
    assert not np.allclose(everything.mean(0), 0, atol=1e-5)  # the statistics are not the whole set's
    assert np.allclose(np.array(splits.extra["x_mean"]), raw.mean(0), rtol=0.2)


def test_diabetes_targets_are_standardised_and_can_be_mapped_back():
    splits = load_dataset("diabetes", {})
    assert splits.info.task is Task.REGRESSION and splits.info.target_shape == (1,)
    assert abs(float(splits.train.y.mean())) < 1e-5
    _, raw_y = read_arrays("diabetes")
    back = splits.test.y.double() * splits.extra["y_std"][0] + splits.extra["y_mean"][0]
    assert set(np.round(back.numpy().ravel()).astype(int)) <= set(raw_y.astype(int))


def test_class_names_are_the_species():
    info = load_dataset("iris", {}).info
    assert info.class_names == ("setosa", "versicolor", "virginica")
    assert info.feature_names[0] == "sepal length (cm)"
