"""Synthetic sets: deterministic given their seed, and really the function or rule they claim."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from netdesigner.data.registry import all_datasets, dataset_spec, load_dataset
from netdesigner.data.splits import Task

SYNTHETIC = [s.name for s in all_datasets() if s.kind == "synthetic"]


def _all(splits):
    return torch.cat([splits.train.x, splits.val.x, splits.test.x]), torch.cat([splits.train.y, splits.val.y, splits.test.y])


@pytest.mark.parametrize("name", SYNTHETIC)
def test_the_data_seed_decides_the_data(name):
    spec = dataset_spec(name)
    assert {"samples", "noise", "seed"} <= {p.name for p in spec.params}
    a = spec.loader(spec.coerce_options({"seed": 1}))
    b = spec.loader(spec.coerce_options({"seed": 1}))
    c = spec.loader(spec.coerce_options({"seed": 2}))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_samples_sets_the_size(name):
    splits = load_dataset(name, {"samples": 50})
    assert len(splits.train) + len(splits.val) + len(splits.test) == 50


@pytest.mark.parametrize("name", ["spirals", "moons", "circles", "xor", "blobs"])
def test_planar_sets_are_balanced_points_in_the_plane(name):
    splits = load_dataset(name, {"samples": 999})
    x, y = _all(splits)
    assert x.shape == (999, 2) and x.abs().max() < 3
    counts = torch.bincount(y)
    assert counts.max() - counts.min() <= 1


def test_spirals_and_blobs_take_a_class_count():
    assert load_dataset("spirals", {"classes": 4}).info.num_classes == 4
    splits = load_dataset("blobs", {"classes": 5, "noise": 0.0})
    x, y = _all(splits)
    assert set(y.tolist()) == set(range(5))
    angle = 2 * math.pi * 2 / 5
    assert torch.allclose(x[y == 2], torch.tensor([math.cos(angle), math.sin(angle)]), atol=1e-6)


def test_xor_labels_say_whether_the_signs_differ():
    x, y = _all(load_dataset("xor", {"noise": 0.0}))
    assert torch.equal(y, (x[:, 0] * x[:, 1] < 0).long())


@pytest.mark.parametrize(("function", "f"), [
    ("sin", np.sin),
    ("step", lambda x: np.where(x < 0, -1.0, 1.0)),
    ("abs", lambda x: np.abs(x) - math.pi / 2),
    ("polynomial", lambda x: 0.1 * x**3 - 0.5 * x),
])
def test_function_targets_are_the_function_on_minus_pi_to_pi(function, f):
    splits = load_dataset("function", {"function": function, "noise": 0.0})
    assert splits.info.task is Task.REGRESSION and splits.info.target_shape == (1,)
    x, y = _all(splits)
    assert x.min() >= -math.pi and x.max() <= math.pi and x.min() < -3 and x.max() > 3
    assert np.allclose(y.numpy(), f(x.numpy().astype(np.float64)), atol=1e-5)


def test_noise_blurs_the_function():
    x, y = _all(load_dataset("function", {"noise": 0.5}))
    spread = (y - torch.sin(x)).std()
    assert 0.4 < spread < 0.6


def test_sine_forecast_asks_for_the_next_value_of_the_wave():
    splits = load_dataset("sine_forecast", {"window": 12, "noise": 0.0})
    x, y = _all(splits)
    assert x.shape[1:] == (12, 1) and y.shape[1:] == (1,)
    # a sampled sine obeys s[t+1] = 2 cos(ω) s[t] − s[t−1]; ω is unknown, but fits from the window
    s = x[:, :, 0].double()
    c = (s[:, 2:] + s[:, :-2]) / (2 * s[:, 1:-1])
    well = s[:, 1:-1].abs() > 0.3
    cos_w = torch.stack([c[i][well[i]].median() for i in range(len(c))])
    predicted = 2 * cos_w * s[:, -1] - s[:, -2]
    assert torch.allclose(predicted, y[:, 0].double(), atol=1e-4)


def test_parity_labels_count_the_ones():
    splits = load_dataset("parity", {"length": 5})
    x, y = _all(splits)
    assert x.shape[1:] == (5, 1) and splits.info.class_names == ("even", "odd")
    assert torch.equal(y, x[:, :, 0].sum(dim=1).long() % 2)


def test_parity_as_tokens_gives_int64_ids_for_an_embedding():
    splits = load_dataset("parity", {"encoding": "tokens", "length": 6})
    assert splits.info.input_dtype == "int64" and splits.info.input_shape == (6,)
    assert splits.train.x.dtype == torch.int64 and set(splits.train.x.unique().tolist()) == {0, 1}


def test_parity_noise_flips_about_that_fraction_of_labels():
    x, y = _all(load_dataset("parity", {"noise": 0.25, "samples": 4000}))
    flipped = (y != x[:, :, 0].sum(dim=1).long() % 2).float().mean()
    assert 0.2 < flipped < 0.3


def test_running_sum_targets_are_the_sum_so_far_at_every_step():
    splits = load_dataset("running_sum", {"length": 7})
    assert splits.info.task is Task.SEQUENCE and splits.info.target_shape == (7, 1)
    x, y = _all(splits)
    assert torch.allclose(y, torch.cumsum(x, dim=1), atol=1e-5)
