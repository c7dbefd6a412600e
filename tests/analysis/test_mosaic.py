"""Tiling small images into one picture."""

from __future__ import annotations

import numpy as np

from netdesigner.analysis.mosaic import as_grey, stack, tile


def test_tiles_sit_in_a_grid_with_nan_gaps() -> None:
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    m = tile(images, columns=3)
    assert m.shape == (2 * 3 - 1, 3 * 4 - 1)  # 2 rows of 2-pixel tiles, 3 columns of 3-pixel ones
    assert np.isnan(m[2]).all() and np.isnan(m[:, 3]).all()  # the gaps
    np.testing.assert_allclose(m[0:2, 0:3], (images[0] - 0) / 5)  # own range: 0 … 5
    np.testing.assert_allclose(m[3:5, 4:7], (images[4] - 24) / 5)  # fifth image: second row, second column
    assert np.isnan(m[3:5, 8:11]).all()  # no sixth image


def test_a_shared_range_keeps_levels_comparable() -> None:
    images = np.stack([np.zeros((2, 2)), np.ones((2, 2))]).astype(np.float32)
    own = tile(images, 2)
    shared = tile(images, 2, each_own_range=False)
    assert np.nanmax(own) == 0.5 and np.nanmin(own) == 0.5  # a flat image is mid-grey on its own
    assert shared[0, 0] == 0.0 and shared[0, 3] == 1.0
    clipped = tile(images, 2, each_own_range=False, value_range=(0.0, 0.5))
    assert clipped[0, 3] == 1.0


def test_grey_and_stacking() -> None:
    rgb = np.stack([np.zeros((4, 4)), np.ones((4, 4)), 2 * np.ones((4, 4))])[None]
    assert as_grey(rgb).shape == (1, 4, 4) and as_grey(rgb)[0, 0, 0] == 1.0
    top, bottom = np.zeros((2, 5), np.float32), np.ones((3, 2), np.float32)
    both = stack(top, bottom, gap=1)
    assert both.shape == (6, 5) and np.isnan(both[2]).all() and np.isnan(both[3:, 2:]).all()
