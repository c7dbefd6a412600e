"""The Model view shows each picture over its own range, whatever it showed before: a decision
boundary after a 70-pixel-wide mosaic of filters must not sit in one corner of the old range."""

from __future__ import annotations

import numpy as np
import torch

from netdesigner.analysis.boundary import decision_boundary, plane_of
from netdesigner.ui.plots.boundary_panel import BoundaryPanel


def _view(panel: BoundaryPanel) -> tuple[tuple[float, float], tuple[float, float]]:
    (x0, x1), (y0, y1) = panel.plot.getViewBox().viewRange()
    return (x0, x1), (y0, y1)


def test_a_boundary_after_a_mosaic_fills_the_view(qtbot) -> None:
    panel = BoundaryPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 400)
    panel.show()
    panel.show_images("filters", np.random.default_rng(0).random((30, 70)), "")
    assert _view(panel)[0][1] > 60
    points = np.random.default_rng(1).uniform(-1.5, 1.5, (200, 2)).astype(np.float32)
    torch.manual_seed(0)
    boundary = decision_boundary(torch.nn.Linear(2, 2), None, plane_of(points), resolution=20)
    panel.show_boundary(boundary, points, np.zeros(200))
    (x0, x1), (y0, y1) = _view(panel)
    assert x0 < -1.5 and x1 > 1.5 and x1 - x0 < 6, (x0, x1)
    assert y0 < -1.5 and y1 > 1.5 and y1 - y0 < 6, (y0, y1)


def test_a_curve_after_a_mosaic_fills_the_view(qtbot) -> None:
    panel = BoundaryPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 400)
    panel.show()
    panel.show_images("filters", np.random.default_rng(0).random((30, 70)), "")
    xs = np.linspace(-3, 3, 50)
    panel.show_curve(xs, np.sin(xs), xs, np.sin(xs))
    panel.plot.getViewBox().updateAutoRange()
    (x0, x1), (y0, y1) = _view(panel)
    assert x0 <= -3 and x1 >= 3 and x1 - x0 < 8, (x0, x1)
    assert y1 - y0 < 4, (y0, y1)
