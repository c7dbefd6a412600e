"""One layer over the run, at a glance: the histogram of its outputs and of its weights per
epoch as heat maps (epoch across, value up; brighter = more values there), and its gradient
norm per epoch on a log scale. A ReLU dying shows as the outputs' mass collapsing onto zero,
weights blowing up as the band widening, vanishing gradients as the norm sinking decades.

The numbers are an ``analysis.activations.LayerHistory``; this widget only draws them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from netdesigner.ui import theme

HEAT_MAP = "inferno"
GRAD_COLOUR = "#2f6fde"


def weight_key(history, layer: str) -> str | None:
    """The parameter of ``layer`` whose histogram is drawn: its ``weight``, else its first."""
    keys = [k for k in history.weights if k.startswith(f"{layer}.")]
    if f"{layer}.weight" in keys:
        return f"{layer}.weight"
    return keys[0] if keys else None


class LayerHistoryView(pg.GraphicsLayoutWidget):
    def __init__(self) -> None:
        c = theme.colours()
        super().__init__()
        self.setBackground(c.node_fill)
        self.output_plot = self._heat_plot("Outputs per epoch", "output value")
        self.output_image = self._image(self.output_plot)
        self.weight_plot = self._heat_plot("Weights per epoch", "weight value")
        self.weight_image = self._image(self.weight_plot)
        self.grad_plot = self.addPlot()
        self._style(self.grad_plot, "Gradient norm per epoch", "‖∇‖, log scale")
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.getAxis("left").enableAutoSIPrefix(False)  # "10² (×0.001)" reads worse than 10⁻¹
        self.grad_curve = self.grad_plot.plot(pen=pg.mkPen(GRAD_COLOUR, width=1.8), symbol="o", symbolSize=3,
                                              symbolBrush=GRAD_COLOUR, symbolPen=None)
        self.shown: dict[str, int] = {}  # what the last draw showed: columns of each heat map, points of the curve
        self._laid_out: tuple[pg.PlotItem, ...] = (self.output_plot, self.weight_plot, self.grad_plot)

    def _lay_out(self, plots: tuple[pg.PlotItem, ...]) -> None:
        """Only the plots that apply (a ReLU has no weights and no gradient): empty axes beside a
        picture read as something broken."""
        if plots == self._laid_out:
            return
        self.ci.clear()
        for plot in plots:
            self.addItem(plot)
        self._laid_out = plots

    def _style(self, plot: pg.PlotItem, title: str, left: str) -> None:
        c = theme.colours()
        plot.setTitle(title, color=c.text.name(), size="9pt")
        plot.setLabel("bottom", "epoch", color=c.muted_text.name())
        plot.setLabel("left", left, color=c.muted_text.name())
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(c.muted_text)
            plot.getAxis(axis).setPen(c.node_border)

    def _heat_plot(self, title: str, left: str) -> pg.PlotItem:
        plot = self.addPlot()
        self._style(plot, title, left)
        return plot

    def _image(self, plot: pg.PlotItem) -> pg.ImageItem:
        image = pg.ImageItem(axisOrder="row-major")
        image.setColorMap(pg.colormap.get(HEAT_MAP))
        plot.addItem(image)
        return image

    def draw(self, history, layer: str) -> str:
        """Draws ``layer``'s rows of ``history``; returns a line saying what is shown."""
        said = []
        outputs = history.outputs.get(layer)
        self.shown["outputs"] = self._draw_heat(self.output_plot, self.output_image, outputs)
        if outputs is not None and outputs.epochs:
            said.append(f"outputs recorded at {len(outputs.epochs)} epochs")
        key = weight_key(history, layer)
        weights = history.weights.get(key) if key else None
        self.shown["weights"] = self._draw_heat(self.weight_plot, self.weight_image, weights)
        if key:
            self.weight_plot.setTitle(f"{key} per epoch", color=theme.colours().text.name(), size="9pt")
        norms = history.grad_norms.get(layer, {})
        epochs = sorted(norms)
        self.grad_curve.setData(np.asarray(epochs, dtype=float), np.maximum([norms[e] for e in epochs], 1e-12) if epochs else [])
        self.shown["grad_norms"] = len(epochs)
        if epochs:
            said.append(f"gradient norm {norms[epochs[0]]:.3g} → {norms[epochs[-1]]:.3g}")
        plots = (self.output_plot,) + ((self.weight_plot,) if key else ()) + ((self.grad_plot,) if epochs else ())
        self._lay_out(plots)
        for plot in plots:
            plot.autoRange(padding=0.02)
        if not key:
            said.append("no weights of its own")
        return "; ".join(said) if said else "Nothing recorded yet: train with Live on, and this fills in epoch by epoch"

    @staticmethod
    def _draw_heat(plot: pg.PlotItem, image: pg.ImageItem, series) -> int:
        if series is None:
            image.clear()
            return 0
        picture, epochs = series.heat_map()
        if picture.size == 0:
            image.clear()
            return 0
        edges = series.edges
        image.setImage(picture.astype(np.float32), levels=(0.0, 1.0))
        image.setRect(pg.QtCore.QRectF(epochs[0] - 0.5, edges[0], len(epochs), edges[-1] - edges[0]))
        return picture.shape[1]
