"""Live training curves (pyqtgraph): loss per batch and per epoch, the main metric, the learning
rate and each layer's gradient norm. A run whose loss has parts that pull against each other (a
GAN: the generator's and the discriminator's losses) shows those parts per epoch instead of
their sum, which alone says little.

The widgets only draw what they are given; the bridge decides how often (at most ~20 times a
second), so the cost here is one ``setData`` per curve per redraw, whatever the batch rate.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from netdesigner.ui import theme

BATCH_COLOUR = "#9db7e0"
SMOOTH_COLOUR = "#2f6fde"
TRAIN_COLOUR = "#2f6fde"
VAL_COLOUR = "#d9822b"
EARLIER_COLOURS = ("#7a869a", "#b08968", "#6a994e", "#9d6b9e", "#5e8c9a")
MAX_EARLIER = 5  # earlier runs drawn under the present one; older ones stay in the file
REDRAW_HZ = 5  # batch curves; epoch curves are drawn when an epoch ends
SMOOTHING = 0.9  # exponential moving average of the batch loss, as TensorBoard's slider
PART_COLOURS = ("#2f6fde", "#d9822b", "#2a9d8f", "#c0506a")  # the loss's parts, in the order they come


FALLING_METRICS = ("mse", "mae")  # metrics that fall as a model learns; the others rise


class Smoother:
    """Debiased exponential moving average, extended by the new points only (a redraw costs
    the batches since the last one, not the whole run)."""

    def __init__(self, weight: float = SMOOTHING) -> None:
        self.weight = weight
        self.average = 0.0
        self.count = 0

    def extend(self, values) -> list[float]:
        out = []
        for v in values:
            if not math.isfinite(v):
                out.append(math.nan)
                continue
            self.count += 1
            self.average = self.weight * self.average + (1 - self.weight) * v
            out.append(self.average / (1 - self.weight ** self.count))
        return out


class _Growing:
    """A float array that grows by appending without copying every time."""

    def __init__(self) -> None:
        self.data = np.empty(1024)
        self.size = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=float)
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data)))
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = values
        self.size = need

    def view(self) -> np.ndarray:
        return self.data[: self.size]


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    c = theme.colours()
    plot = pg.PlotWidget(background=c.node_fill)
    plot.setTitle(title, color=c.text.name(), size="9pt")
    plot.setLabel("left", left, color=c.muted_text.name())
    plot.setLabel("bottom", bottom, color=c.muted_text.name())
    plot.showGrid(x=True, y=True, alpha=0.15)
    legend = plot.addLegend(offset=(-6, 4), labelTextColor=c.text.name(), colCount=2, verSpacing=-6)
    legend.setLabelTextSize("7pt")
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)  # "accuracy (×0.001) 96" reads worse than 0.096
        plot.getAxis(axis).setTextPen(c.muted_text)
        plot.getAxis(axis).setPen(c.node_border)
    plot.setMinimumHeight(120)
    return plot


def _run_label(number: int, run: dict) -> str:
    """'run 2: sgd, momentum 0.9, lr 0.05': what tells two runs of one project apart."""
    momentum = run.get("momentum")
    words = [str(run.get("optimizer", "?"))] + ([f"momentum {momentum:g}"] if isinstance(momentum, (int, float)) and momentum else [])
    rate = run.get("learning_rate")
    words += [f"lr {rate:g}"] if isinstance(rate, (int, float)) else []
    return f"run {number}: {', '.join(words)}"


class TrainingPlots(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.loss_plot = _plot("Loss", "loss", "epoch")
        self.metric_plot = _plot("Metric", "", "epoch")
        self.lr_plot = _plot("Learning rate", "lr", "epoch")
        self.grad_plot = _plot("Gradient norm per layer", "‖∇‖", "epoch")
        self.batch_curve = self.loss_plot.plot(pen=pg.mkPen(BATCH_COLOUR, width=1), name="batch")
        self.smooth_curve = self.loss_plot.plot(pen=pg.mkPen(SMOOTH_COLOUR, width=2), name="smoothed")
        self.train_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                               symbol="o", symbolSize=5, symbolBrush=TRAIN_COLOUR, name="train")
        self.val_curve = self.loss_plot.plot(pen=pg.mkPen(VAL_COLOUR, width=2), symbol="o", symbolSize=5,
                                             symbolBrush=VAL_COLOUR, name="validation")
        # Per epoch, over the whole epoch's samples; a per-batch metric would be noise (±6 % on a
        # batch of 64) and cost the training loop four small operations per batch.
        self.train_metric_curve = self.metric_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                                        symbol="o", symbolSize=5, symbolBrush=TRAIN_COLOUR, name="train")
        self.metric_curve = self.metric_plot.plot(pen=pg.mkPen(VAL_COLOUR, width=2), symbol="o", symbolSize=5,
                                                  symbolBrush=VAL_COLOUR, name="validation")
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen(SMOOTH_COLOUR, width=2))
        self.grad_curves: dict[str, pg.PlotDataItem] = {}
        self.part_curves: dict[str, pg.PlotDataItem] = {}
        self._sum_curves = (self.batch_curve, self.smooth_curve, self.train_curve, self.val_curve)
        self._sum_names = {c: c.name() for c in self._sum_curves}
        for curve in (self.batch_curve, self.smooth_curve):
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self._redraw = QTimer(self, singleShot=True, interval=int(1000 / REDRAW_HZ), timeout=self._draw_batches)
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.setYRange(-4, 1)  # 1e-4 … 10 until there are norms to fit (empty log axes overprint)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Draw the loss on a logarithmic axis: late, small improvements stay visible")
        self.log_scale.toggled.connect(self._set_log)
        self.earlier = QCheckBox("Earlier runs")
        self.earlier.setToolTip("Draw the validation loss of this project's earlier runs (as saved in its file) under the present one")
        self.earlier.setChecked(True)
        self.earlier.toggled.connect(lambda on: [c.setVisible(on) for c in self.earlier_curves])
        self.earlier_curves: list[pg.PlotDataItem] = []
        controls = QHBoxLayout()
        controls.addWidget(self.log_scale)
        controls.addWidget(self.earlier)
        controls.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.loss_plot, 0, 0)
        grid.addWidget(self.metric_plot, 0, 1)
        grid.addWidget(self.lr_plot, 1, 0)
        grid.addWidget(self.grad_plot, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addLayout(grid)
        self.clear()

    def clear(self) -> None:
        self._batch_x, self._batch_y, self._smooth_y = _Growing(), _Growing(), _Growing()
        self._smoother = Smoother()
        self._epochs: list[int] = []
        self._train: list[float] = []
        self._val: list[float] = []
        self._metric: list[float] = []
        self._train_metric: list[tuple[int, float]] = []
        self._lr_x, self._lr_y = _Growing(), _Growing()
        self._lr_changed, self._last_lr = False, math.nan
        self._epochs_changed = False
        self._metric_name, self._metric_title = "", ""
        self._redraw.stop()
        self._grads: dict[str, list[tuple[int, float]]] = {}
        self._batches_per_epoch = 1
        for curve in (self.batch_curve, self.smooth_curve, self.train_curve, self.val_curve, self.metric_curve,
                      self.train_metric_curve, self.lr_curve):
            curve.setData([], [])
        for curve in self.grad_curves.values():
            self.grad_plot.removeItem(curve)
        self.grad_curves = {}
        self._parts: dict[str, list[tuple[int, float]]] = {}
        self._show_parts(False)

    def show_earlier_runs(self, runs: list[dict]) -> None:
        """The validation (else training) loss of the last ``MAX_EARLIER`` of ``runs`` (the
        project's run records), thin and faint under the present run, each labelled with its
        optimiser and learning rate: the way to compare two settings on one plot."""
        for curve in self.earlier_curves:
            self.loss_plot.removeItem(curve)
        self.earlier_curves = []
        drawn = [(i, r) for i, r in enumerate(runs, 1) if isinstance(r.get("curves"), dict)][-MAX_EARLIER:]
        for k, (number, run) in enumerate(drawn):
            curves = run["curves"]
            losses = curves.get("val_loss") if any(v is not None for v in curves.get("val_loss") or []) else curves.get("train_loss")
            epochs = curves.get("epoch") or []
            if not losses or len(losses) != len(epochs):
                continue
            ys = [np.nan if v is None else float(v) for v in losses]
            label = _run_label(number, run)
            pen = pg.mkPen(EARLIER_COLOURS[k % len(EARLIER_COLOURS)], width=1.2, style=pg.QtCore.Qt.PenStyle.DotLine)
            curve = self.loss_plot.plot(epochs, ys, pen=pen, name=label)
            curve.setZValue(-10)
            curve.setVisible(self.earlier.isChecked())
            self.earlier_curves.append(curve)

    def shown_earlier_runs(self) -> list[tuple[str, int]]:
        """(label, points) of each earlier run drawn (for tests and screenshots)."""
        return [(c.name(), len(c.getData()[0] if c.getData()[0] is not None else [])) for c in self.earlier_curves]

    def start_run(self, batches_per_epoch: int, last_epoch: int | None = None) -> None:
        """A run begins; with ``last_epoch`` the x axes span the whole run from the start, so
        the person sees how far it has come, and the axes need no redrawing as it grows."""
        self._batches_per_epoch = max(1, batches_per_epoch)
        if last_epoch:
            for plot in (self.loss_plot, self.metric_plot, self.lr_plot, self.grad_plot):
                plot.setXRange(0, last_epoch, padding=0.02)

    # ---- new data ----------------------------------------------------------------------
    def add_batches(self, epochs: list[int], batches: list[int], losses: list[float], lrs: list[float]) -> None:
        """Batches since the last redraw; x is in epochs (epoch 1's first batch at 0)."""
        if not losses:
            return
        x = [e - 1 + (b + 1) / self._batches_per_epoch for e, b in zip(epochs, batches, strict=True)]
        self._batch_x.extend(x)
        self._batch_y.extend([v if math.isfinite(v) else np.nan for v in losses])
        self._lr_x.extend(x)
        self._lr_y.extend(lrs)
        self._smooth_y.extend(self._smoother.extend(losses))
        self._lr_changed = self._lr_changed or len(set(lrs)) > 1 or lrs[0] != self._last_lr
        self._last_lr = lrs[-1]
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw_batches(self) -> None:
        """Everything new, at most ``REDRAW_HZ`` times a second: pyqtgraph paints in Python,
        holding the interpreter lock the training thread needs, so every redraw costs training."""
        if self._epochs_changed:
            self._draw_epochs()
        self.batch_curve.setData(self._batch_x.view(), self._batch_y.view())
        self.smooth_curve.setData(self._batch_x.view(), self._smooth_y.view())
        if self._lr_changed:  # a constant learning rate is redrawn at epoch ends only
            self._draw_lr()

    def _draw_lr(self) -> None:
        self._lr_changed = False
        if not self._lr_y.size:
            return
        self.lr_curve.setData(self._lr_x.view(), self._lr_y.view())
        self.lr_plot.setYRange(0, float(np.nanmax(self._lr_y.view())) * 1.15 or 1.0, padding=0)

    def add_epoch(self, epoch: int, train_loss: float, val_loss: float | None, metric_name: str, metric: float | None,
                  grad_norms: dict[str, float], parts: dict[str, float] | None = None,
                  train_metric: float | None = None) -> None:
        """Keeps the epoch's figures; they are drawn with the next redraw (epochs of small data
        sets end many times a second, and each drawing holds the training thread up). ``parts``
        (name → loss, e.g. a GAN's "generator" and "discriminator", with "… · validation"
        beside them) are drawn instead of the summed loss curves."""
        for name, value in (parts or {}).items():
            self._parts.setdefault(name, []).append((epoch, value))
        self._epochs.append(epoch)
        self._train.append(train_loss)
        if val_loss is not None:
            self._val.append(val_loss)
        if metric is not None:
            self._metric.append(metric)
            self._metric_name = metric_name
        if train_metric is not None:
            self._train_metric.append((epoch, train_metric))
            self._metric_name = metric_name
        for layer, norm in grad_norms.items():
            self._grads.setdefault(layer, []).append((epoch, max(norm, 1e-12)))
        self._epochs_changed = True
        if not self._redraw.isActive():
            self._redraw.start()

    def _draw_epochs(self) -> None:
        self._epochs_changed = False
        self._draw_lr()
        self.train_curve.setData(self._epochs, self._train)
        if self._val:
            self.val_curve.setData(self._epochs[-len(self._val):], self._val)
        if self._metric_name != self._metric_title:
            self._metric_title = self._metric_name
            self.metric_plot.setTitle(self._metric_name.capitalize(), color=theme.colours().text.name(), size="9pt")
            self.metric_plot.setLabel("left", self._metric_name)
            rising = self._metric_name not in FALLING_METRICS  # keep the legend where the curves are not
            self.metric_plot.plotItem.legend.anchor((1, 1 if rising else 0), (1, 1 if rising else 0),
                                                    offset=(-6, -4 if rising else 4))
        if self._metric:
            self.metric_curve.setData(self._epochs[-len(self._metric):], self._metric)
        if self._train_metric:
            xs, ys = zip(*self._train_metric, strict=True)
            self.train_metric_curve.setData(list(xs), list(ys))
        self._draw_parts()
        for i, (layer, points) in enumerate(self._grads.items()):
            if layer not in self.grad_curves:
                colour = pg.intColor(i, hues=max(len(self._grads), 6), sat=180, maxValue=220)
                self.grad_curves[layer] = self.grad_plot.plot(pen=pg.mkPen(colour, width=1.6), name=layer)
            xs, ys = zip(*points, strict=True)
            self.grad_curves[layer].setData(list(xs), list(ys))
        norms = [v for points in self._grads.values() for _, v in points]
        if norms:  # whole decades: the axis then labels 0.01, 0.1, 1… instead of crowding 2…9 between them
            low, high = math.floor(math.log10(min(norms))), math.ceil(math.log10(max(norms)))
            high = max(high, low + 1)
            self.grad_plot.setYRange(low, high, padding=0.08)
            self.grad_plot.getAxis("left").setTicks([[(d, f"{10.0 ** d:g}") for d in range(low, high + 1)], []])

    def _draw_parts(self) -> None:
        if not self._parts:
            return
        self._show_parts(True)
        trained = [n for n in self._parts if "·" not in n]
        for name, points in self._parts.items():
            if name not in self.part_curves:
                base = name.split("·")[0].strip()
                colour = PART_COLOURS[trained.index(base) % len(PART_COLOURS)] if base in trained else PART_COLOURS[-1]
                style = pg.QtCore.Qt.PenStyle.DashLine if "·" in name else pg.QtCore.Qt.PenStyle.SolidLine
                self.part_curves[name] = self.loss_plot.plot(pen=pg.mkPen(colour, width=2, style=style), name=name)
            xs, ys = zip(*points, strict=True)
            self.part_curves[name].setData(list(xs), list(ys))

    def _show_parts(self, on: bool) -> None:
        """Parts of the loss (on) or the summed loss per batch and epoch (off), not both."""
        legend = self.loss_plot.plotItem.legend
        for curve in self._sum_curves:
            if curve.isVisible() == (not on):
                continue
            curve.setVisible(not on)
            if on:
                legend.removeItem(curve)
            else:
                legend.addItem(curve, self._sum_names[curve])
        if not on:
            for curve in self.part_curves.values():
                self.loss_plot.removeItem(curve)
                legend.removeItem(curve)
            self.part_curves = {}
        self.loss_plot.setTitle("Loss of each network" if on else "Loss", color=theme.colours().text.name(), size="9pt")

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    def point_counts(self) -> dict[str, int]:
        """How many points each curve holds (what tests and the bench look at)."""
        return {"batches": self._batch_x.size, "epochs": len(self._epochs), "val": len(self._val),
                "metric": len(self._metric), "train metric": len(self._train_metric), "layers": len(self.grad_curves),
                **{f"part {name}": len(points) for name, points in self._parts.items()}}
