"""The 2-D mixtures a GAN learns: each point near its mode, labelled with it, and the modes and
their deviation handed on for counting coverage."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netdesigner.data.registry import load_dataset


def _all(splits):
    return torch.cat([splits.train.x, splits.val.x, splits.test.x]), torch.cat([splits.train.y, splits.val.y, splits.test.y])


@pytest.mark.parametrize(("name", "options", "modes"), [
    ("gaussian_ring", {"modes": 8}, 8),
    ("gaussian_ring", {"modes": 5, "noise": 0.02}, 5),
    ("gaussian_grid", {"side": 5}, 25),
    ("gaussian_grid", {"side": 3, "noise": 0.1}, 9),
])
def test_points_lie_around_their_labelled_mode(name: str, options: dict, modes: int) -> None:
    splits = load_dataset(name, {"samples": 2000, **options})
    centres = np.asarray(splits.extra["mixture_centres"])
    sigma = splits.extra["mixture_sigma"]
    assert centres.shape == (modes, 2) and sigma == options.get("noise", 0.05)
    assert splits.info.num_classes == modes and splits.info.input_shape == (2,)
    x, y = _all(splits)
    offsets = x.numpy() - centres[y.numpy()]
    assert np.abs(offsets.std(axis=0) - sigma).max() < 0.15 * sigma  # each mode's spread is σ
    assert np.abs(offsets.mean(axis=0)).max() < 0.1 * sigma
    counts = torch.bincount(y, minlength=modes)
    assert counts.max() - counts.min() <= 1


def test_the_ring_is_the_unit_circle_and_the_grid_spans_the_square() -> None:
    ring = np.asarray(load_dataset("gaussian_ring", {"samples": 100}).extra["mixture_centres"])
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 1.0)
    grid = np.asarray(load_dataset("gaussian_grid", {"samples": 100, "side": 4}).extra["mixture_centres"])
    assert sorted(set(np.round(grid[:, 0], 6))) == pytest.approx([-1, -1 / 3, 1 / 3, 1])
    assert len({tuple(c) for c in grid.round(6)}) == 16
