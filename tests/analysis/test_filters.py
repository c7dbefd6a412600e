"""The first convolution's filters as one mosaic image."""

from __future__ import annotations

import numpy as np
import torch

from netdesigner.analysis.filters import filter_mosaic, first_conv_weight


def test_the_first_conv_is_found_and_laid_out_with_gaps() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Conv2d(1, 6, 3), torch.nn.Conv2d(6, 2, 3))
    name, weight = first_conv_weight(model)
    assert name == "1" and weight.shape == (6, 1, 3, 3)
    mosaic = filter_mosaic(weight)
    assert mosaic.shape == (2 * 4 - 1, 3 * 4 - 1)  # 3 columns, 2 rows of 3×3 with gaps
    filled = mosaic[~np.isnan(mosaic)]
    assert filled.size == 6 * 9 and filled.min() == 0.0 and filled.max() == 1.0
    first = weight[0, 0]
    np.testing.assert_allclose(mosaic[:3, :3], (first - first.min()) / (first.max() - first.min()), rtol=1e-5)


def test_a_model_without_convolutions_has_no_filters() -> None:
    assert first_conv_weight(torch.nn.Linear(2, 2)) is None
