"""What the selected layer gives out, for the window, in three views:

- **Output**: a conv layer's feature maps for one sample, a recurrent layer's time × unit heat
  map, a dense layer's units as bars; beside it a histogram of the layer's outputs over a
  fixed batch, with the share of dead ReLU units or saturated tanh/sigmoid values.
- **Over epochs**: histograms of its outputs and weights per epoch as heat maps and its
  gradient norm per epoch (``LayerHistoryView``), recorded during training.
- **Embedding**: its outputs for the batch on their two principal axes, by class.

The numbers come from ``analysis.layer_outputs.capture``: one forward pass of a small fixed
batch through a private copy of a weight snapshot, on the GUI thread (a few milliseconds for
the examples). While a run trains it is redrawn after an epoch when the tab is visible and the
live budget (the window's, shared with the loss landscape) allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from netdesigner.analysis.live_budget import LiveBudget
from netdesigner.core.errors import NetDesignerError
from netdesigner.ui import theme
from netdesigner.ui.plots.embedding_view import EmbeddingView
from netdesigner.ui.plots.layer_history_view import LayerHistoryView

BATCH = 64  # samples of the fixed batch (validation split, seed 0)
LIVE_HZ = 2.0  # live redraws per second at most: each copies the model and runs the batch on the GUI thread
EMBEDDING_BATCH = 512  # validation samples drawn in the embedding view
BAR_COLOUR = "#2f6fde"
VIEWS = ("Output", "Over epochs", "Embedding (PCA)")


class ActivationsPanel(QWidget):
    """``set_source(provider, types)``: where the weights and data come from; ``show_layer(name)``
    draws that layer (the canvas selection calls it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider: Callable[[], Any] | None = None
        self.types: Callable[[], dict[str, str]] = dict
        self.budget = LiveBudget()
        self.layer: str | None = None
        self.output: Any = None  # the last LayerOutput drawn
        self.draws = 0
        self.history: Any = None  # LayerHistory of the current run, made at its first record
        self._recorder: tuple[Any, Any] | None = None  # (module, fixed batch) of the current run
        self._live_drawn = 0.0  # perf_counter time of the last live redraw
        c = theme.colours()
        self.sample_spin = QSpinBox(minimum=0, maximum=BATCH - 1, value=0)
        self.sample_spin.setToolTip("Which sample of the fixed validation batch to show")
        self.sample_spin.valueChanged.connect(lambda _v: self._draw_output())
        self.live_check = QCheckBox("Live", checked=True)
        self.live_check.setToolTip("Redraw after each epoch while training runs (within the live views' share of the run)")
        self.view_combo = QComboBox()
        self.view_combo.addItems(VIEWS)
        self.view_combo.setToolTip("Output: one sample now · Over epochs: histograms and gradient norm through the run · "
                                   "Embedding: the batch's outputs on two principal axes, by class")
        self.view_combo.currentIndexChanged.connect(self._view_changed)
        self.title = QLabel("Select a layer on the canvas to see what it gives out")
        self.title.setWordWrap(True)
        self.caption = QLabel()
        self.caption.setWordWrap(True)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(c.node_fill)
        self.output_plot = self.view.addPlot()
        self.output_image = pg.ImageItem(axisOrder="row-major")
        self.output_plot.addItem(self.output_image)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=BAR_COLOUR)
        self.output_plot.addItem(self.bars)
        self.histogram_plot = self.view.addPlot()
        self.histogram_plot.setTitle("Values over the batch", color=c.text.name(), size="9pt")
        self.histogram_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush="#d9822b")
        self.histogram_plot.addItem(self.histogram_bars)
        self.view.ci.layout.setColumnStretchFactor(0, 3)
        self.view.ci.layout.setColumnStretchFactor(1, 2)
        for plot in (self.output_plot, self.histogram_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(c.muted_text)
                plot.getAxis(axis).setPen(c.node_border)

        self.history_view = LayerHistoryView()
        self.embedding_view = EmbeddingView()
        self.stack = QStackedWidget()
        for widget in (self.view, self.history_view, self.embedding_view):
            self.stack.addWidget(widget)

        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        row.addWidget(self.view_combo)
        self.sample_label = QLabel("Sample")
        row.addWidget(self.sample_label)
        row.addWidget(self.sample_spin)
        row.addWidget(self.live_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.caption)

    def set_source(self, provider: Callable[[], Any], types: Callable[[], dict[str, str]]) -> None:
        """``provider()`` gives an ``AnalysisSource`` (weights, module, splits) or raises
        ``NetDesignerError``; ``types()`` maps layer names to catalogue types."""
        self.provider, self.types = provider, types

    # ---- computing -------------------------------------------------------------------------
    def show_layer(self, name: str | None) -> bool:
        """Captures and draws layer ``name`` (None: clears); False with a message when it cannot."""
        self.layer = name
        if name is None:
            self.output = None
            self.title.setText("Select a layer on the canvas to see what it gives out")
            self._clear()
            return False
        return self.refresh()

    def refresh(self) -> bool:
        """Redraws the chosen view of the chosen layer."""
        if self.layer is None or self.provider is None:
            return False
        view = self.view_combo.currentIndex()
        if view == 1:
            return self._draw_history()
        if view == 2:
            return self._draw_embedding()
        return self._refresh_output()

    def _capture(self, size: int, kind: str) -> tuple[Any, Any, Any] | None:
        """(source, the layer's LayerOutput, targets) for a fixed batch of ``size`` validation
        samples, its cost counted as ``kind``; None after saying why there is nothing."""
        from netdesigner.analysis.layer_outputs import capture

        try:
            source = self.provider()
        except NetDesignerError as e:
            self._say(str(e))
            return None
        if self.layer not in dict(source.module.named_children()):
            self._say(f"{self.layer} has no output of its own to show (inputs and outputs of the model have none)")
            return None
        x, y = source.batch("val" if len(source.splits.val) else "train", size, 0)
        started = time.perf_counter()
        try:
            found = capture(source.module, source.state, x, [self.layer], self.types())
        except (RuntimeError, ValueError) as e:  # a model that cannot run on this data
            self._say(f"{self.layer} could not be computed: {e}")
            return None
        self.budget.spend(kind, time.perf_counter() - started, 1)
        if self.layer not in found:
            self._say(f"{self.layer} gives no tensor to show")
            return None
        return source, found[self.layer], y

    def _refresh_output(self) -> bool:
        captured = self._capture(BATCH, "activations")
        if captured is None:
            return False
        self.output = captured[1]
        self.sample_spin.setMaximum(len(self.output.values) - 1)
        self._draw_output()
        return True

    # ---- over epochs -------------------------------------------------------------------
    def clear_history(self) -> None:
        """A new run from fresh weights: the rows of the last one no longer apply."""
        self.history = None

    def run_started(self) -> None:
        """The module may have been rebuilt: the recorder takes it afresh at the next record."""
        self._recorder = None

    def record_epoch(self, epoch_weights: tuple[int, dict] | None, grad_norms: dict[str, float], epoch: int,
                     *, force: bool = False) -> bool:
        """Keeps ``epoch``'s gradient norms, and records every layer's histograms from
        ``epoch_weights`` (the trainer's latest (epoch, weights)) when Live is on and the budget
        allows, or ``force`` (the run's end); True when histograms were recorded."""
        from netdesigner.analysis.activations import LayerHistory

        if self.history is None:
            self.history = LayerHistory()
        if grad_norms:
            self.history.add_grad_norms(epoch, grad_norms)
        if epoch_weights is None or not (force or self.live_check.isChecked()):
            return False
        recorded_epoch, state = epoch_weights
        done = next(iter(self.history.outputs.values()), None)
        if done is not None and done.epochs and done.epochs[-1] == recorded_epoch:
            return False
        if not force and not self.budget.allows(self.budget.estimate("history", 1, 0.01), kind="history"):
            return False
        started = time.perf_counter()
        try:
            if self._recorder is None:
                source = self.provider() if self.provider is not None else None
                if source is None:
                    return False
                x, _y = source.batch("val" if len(source.splits.val) else "train", BATCH, 0)
                self._recorder = (source.module, x)
            module, x = self._recorder
            self.history.record(recorded_epoch, module, state, x)
        except (NetDesignerError, RuntimeError, ValueError):
            return False  # the output view says why when the person looks
        self.budget.spend("history", time.perf_counter() - started, 1)
        return True

    def run_ended(self) -> None:
        """The last epoch was recorded: the history view shows it (other views redraw as before)."""
        if self.layer and self.isVisible() and self.view_combo.currentIndex() == 1:
            self._draw_history()

    def _draw_history(self) -> bool:
        if self.history is None:
            return self._say("Nothing recorded yet: train the model, and the histograms fill in epoch by epoch")
        self.title.setText(f"<b>{self.layer}</b> over the run")
        self.caption.setText(self.history_view.draw(self.history, self.layer))
        self.draws += 1
        return True

    # ---- embedding ------------------------------------------------------------------------
    def _draw_embedding(self) -> bool:
        from netdesigner.analysis.layer_outputs import embedding_pca

        captured = self._capture(EMBEDDING_BATCH, "embedding")
        if captured is None:
            return False
        source, output, y = captured
        coords, explained = embedding_pca(output.values)
        info = source.splits.info
        labels = y.detach().cpu().numpy() if hasattr(y, "detach") else None
        classifies = bool(getattr(info, "num_classes", 0)) and labels is not None and labels.ndim == 1
        self.title.setText(f"<b>{self.layer}</b> ({output.layer_type}): embedding")
        self.caption.setText(self.embedding_view.draw(self.layer, coords, explained, labels,
                                                      tuple(getattr(info, "class_names", ()) or ()), classifies))
        self.draws += 1
        return True

    def _view_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        for widget in (self.sample_label, self.sample_spin):
            widget.setVisible(index == 0)
        self.refresh()

    # ---- live -----------------------------------------------------------------------------
    def epoch_ended(self) -> bool:
        """While training: redraws when Live is on, the tab visible, the last live redraw at
        least 1/``LIVE_HZ`` s ago and the budget allows (the history view costs only drawing)."""
        if not (self.live_check.isChecked() and self.layer and self.isVisible()):
            return False
        if self.view_combo.currentIndex() == 1:
            now = time.perf_counter()
            if now - self._live_drawn < 1 / LIVE_HZ:
                return False
            self._live_drawn = now
            return self._draw_history()
        now = time.perf_counter()
        if now - self._live_drawn < 1 / LIVE_HZ or not self.budget.allows(self.budget.estimate("activations", 1, 0.05),
                                                                           kind="activations"):
            return False
        self._live_drawn = now
        return self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """A layer chosen while the tab was hidden is drawn when it shows."""
        super().showEvent(event)
        if self.layer is not None:
            self.refresh()

    # ---- drawing ---------------------------------------------------------------------------
    def _draw_output(self) -> None:
        from netdesigner.analysis.layer_outputs import OutputKind, feature_map_mosaic

        out = self.output
        if out is None:
            return
        self.draws += 1
        sample = min(self.sample_spin.value(), len(out.values) - 1)
        plot = self.output_plot
        self.output_image.clear()
        self.bars.setOpts(x=[], height=[])
        kind = out.kind
        if kind is OutputKind.FEATURE_MAPS:
            mosaic = feature_map_mosaic(out, sample)
            shown = np.where(np.isnan(mosaic), 1.0, mosaic)[::-1]
            self.output_image.setImage((shown * 255).astype(np.uint8), levels=(0, 255))
            self.output_image.setRect(pg.QtCore.QRectF(0, 0, mosaic.shape[1], mosaic.shape[0]))
            plot.getViewBox().setAspectLocked(True)
            what = f"{min(out.values.shape[1], 64)} feature maps of {out.values.shape[2]}×{out.values.shape[3]}, each on its own scale"
            self._axes(False)
        elif kind is OutputKind.SEQUENCE:
            values = out.values[sample]  # T × U
            low, high = float(values.min()), float(values.max())
            self.output_image.setImage(values, levels=(low, high if high > low else low + 1))
            self.output_image.setColorMap(pg.colormap.get("viridis"))
            self.output_image.setRect(pg.QtCore.QRectF(0, 0, values.shape[1], values.shape[0]))
            plot.getViewBox().setAspectLocked(False)
            plot.setLabel("bottom", "unit")
            plot.setLabel("left", "time step")
            what = f"{values.shape[0]} steps × {values.shape[1]} units (dark low, yellow high: {low:.3g} … {high:.3g})"
            self._axes(True)
        else:
            values = out.values[sample].reshape(-1)
            self.bars.setOpts(x=np.arange(len(values)), height=values, width=0.8)
            plot.getViewBox().setAspectLocked(False)
            plot.setLabel("bottom", "unit")
            plot.setLabel("left", "output")
            what = f"{len(values)} units"
            self._axes(True)
        plot.setTitle(f"{out.name}, sample {sample}", color=theme.colours().text.name(), size="9pt")
        plot.autoRange(padding=0.02)
        counts, edges = out.histogram()
        self.histogram_bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=counts, width=float(edges[1] - edges[0]))
        self.histogram_plot.autoRange(padding=0.02)
        self.title.setText(f"<b>{out.name}</b> ({out.layer_type})")
        self.caption.setText(f"{what} · {out.describe()} · histogram over {len(out.values)} validation samples")

    def _axes(self, shown: bool) -> None:
        for axis in ("left", "bottom"):
            self.output_plot.showAxis(axis, shown)

    def _clear(self) -> None:
        self.output_image.clear()
        self.history_view.output_image.clear()
        self.history_view.weight_image.clear()
        self.history_view.grad_curve.setData([], [])
        self.embedding_view.draw_nothing()
        self.bars.setOpts(x=[], height=[])
        self.histogram_bars.setOpts(x=[], height=[])
        self.caption.setText("")

    def _say(self, text: str) -> bool:
        self.output = None
        self._clear()
        self.caption.setText(text)
        return False
