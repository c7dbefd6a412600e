"""A layer's outputs for the evaluation batch on their two principal axes, one dot per
sample coloured by its class (or, for regression, by its target on a colour scale): whether
the layer has pulled the classes apart is seen at once (``layer_outputs.embedding_pca``)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from netdesigner.analysis.boundary import CLASS_HUES
from netdesigner.ui import theme


class EmbeddingView(pg.PlotWidget):
    def __init__(self) -> None:
        c = theme.colours()
        super().__init__(background=c.node_fill)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(c.muted_text)
            self.getAxis(axis).setPen(c.node_border)
        self.legend = self.addLegend(offset=(-6, 4), labelTextColor=c.text.name(), colCount=2, verSpacing=-6)
        self.legend.setLabelTextSize("7pt")
        self.groups: list[pg.ScatterPlotItem] = []
        self.points = 0

    def draw_nothing(self) -> None:
        for item in self.groups:
            self.removeItem(item)
        self.groups = []
        self.legend.clear()
        self.points = 0

    def draw(self, layer: str, coords: np.ndarray, explained: np.ndarray, labels: np.ndarray | None,
             classes: tuple[str, ...], classifies: bool) -> str:
        """Draws the ``coords`` (N × 2) of ``layer``; returns a line saying what is shown."""
        c = theme.colours()
        self.draw_nothing()
        self.points = len(coords)
        if classifies and labels is not None:
            ids = labels.astype(np.int64).reshape(-1)
            for k in np.unique(ids):
                mask = ids == k
                name = classes[k] if k < len(classes) else f"class {k}"
                group = pg.ScatterPlotItem(coords[mask, 0], coords[mask, 1], size=6, pen=pg.mkPen("w", width=0.6),
                                           brush=pg.mkBrush(CLASS_HUES[int(k) % len(CLASS_HUES)]), name=str(name))
                self.addItem(group)
                self.groups.append(group)
            coloured = "coloured by class"
        else:
            values = np.zeros(len(coords)) if labels is None else labels.reshape(len(coords), -1)[:, 0].astype(float)
            low, high = float(values.min()), float(values.max())
            scale = (values - low) / (high - low) if high > low else np.zeros_like(values)
            colours = pg.colormap.get("viridis").map(scale, mode="qcolor")
            group = pg.ScatterPlotItem(coords[:, 0], coords[:, 1], size=6, pen=None, brush=colours)
            self.addItem(group)
            self.groups.append(group)
            coloured = f"coloured by target ({low:.3g} dark … {high:.3g} yellow)"
        self.setTitle(f"{layer}: outputs on their two principal axes", color=c.text.name(), size="9pt")
        self.setLabel("bottom", f"PC 1 ({explained[0]:.0%} of the spread)", color=c.muted_text.name())
        self.setLabel("left", f"PC 2 ({explained[1]:.0%})", color=c.muted_text.name())
        self.autoRange(padding=0.05)
        return f"{len(coords)} validation samples, {coloured}; the two axes explain {explained.sum():.0%} of the spread"
