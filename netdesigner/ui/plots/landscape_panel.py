"""The loss landscape around the model's weights, for the window: a 2-D heat map of
L(θ + α d₁ + β d₂), on random filter-normalised directions or on the plane of the training
path with the path drawn on it, and a 1-D line L((1−α) θ₀ + α θ) from fresh weights to the
present ones. With Live on, a coarse surface is redrawn every K epochs while a run trains and
a full one when it ends.

The computation is ``netdesigner.analysis.landscape`` (Qt-free), run by an ``AnalysisWorker``
on a worker thread; the panel only asks its *source* for what to evaluate and draws the result.
A source is an ``AnalysisSource`` (``ui/analysis_source.py``), which the activations tab
reads too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netdesigner.analysis.live_budget import LiveBudget
from netdesigner.core.errors import NetDesignerError
from netdesigner.ui import theme
from netdesigner.ui.analysis_source import AnalysisSource
from netdesigner.ui.analysis_worker import AnalysisWorker
from netdesigner.ui.plots.sharpness_bar import SharpnessBar
from netdesigner.ui.plots.training_plots import TRAIN_COLOUR, VAL_COLOUR, _plot

SURFACE_TAB, LINE_TAB = 0, 1
COLOUR_MAP = "viridis"
RANDOM_PLANE, PATH_PLANE = 0, 1
LIVE_GRID = 15  # points per axis while a run trains: 225 forward passes of the batch
LIVE_GRID_COARSE = 9  # when 15×15 does not fit the live budget yet: 81 passes, a surface 2.8× sooner
LIVE_BATCH = 256


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox(minimum=low, maximum=high, value=value)
    spin.setToolTip(tip)
    return spin


class LandscapePanel(QWidget):
    """Controls, a heat-map tab and a line tab. ``set_source(provider)`` names where the weights
    come from; ``compute()`` computes what the visible tab shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider: Callable[[], AnalysisSource] | None = None
        self.surface: Any = None  # the last Surface
        self.line: dict[str, np.ndarray] | None = None  # alphas, train, validation
        self._full_due = False  # a run ended while a live computation went: the full grid next
        self.budget = LiveBudget()  # the window gives its own, shared by every live view
        self._live_started: float | None = None  # when the live computation going now started
        self._live_units = 0  # its grid points × samples
        self.live_count = 0  # live computations finished since the panel was made
        self.worker = AnalysisWorker(parent=self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)

        self.grid_spin = _spin(2, 401, 21, "Points per axis of the grid (and of the line)")
        self.range_spin = QDoubleSpinBox(minimum=0.01, maximum=100.0, value=1.0, singleStep=0.25, decimals=2)
        self.range_spin.setToolTip("α and β over [−R, R], in units of the filter-normalised directions")
        self.batch_spin = _spin(1, 1_000_000, 512, "Samples in the fixed evaluation batch")
        self.seed_spin = _spin(0, 2**31 - 1, 0, "Seed of the random directions and of the batch")
        self.plane_combo = QComboBox()
        self.plane_combo.addItems(["Random directions", "Training path (PCA)"])
        self.plane_combo.setToolTip("Random: two filter-normalised random directions around the weights (Li et al. 2018).\n"
                                    "Training path: the two leading principal directions of the weights this run\n"
                                    "visited, with the path drawn on the surface")
        self.plane_combo.currentIndexChanged.connect(lambda i: self.range_spin.setEnabled(i == RANDOM_PLANE))
        self.live_check = QCheckBox("Live")
        self.live_check.setToolTip(f"Recompute while training runs: a {LIVE_GRID}×{LIVE_GRID} grid every K epochs "
                                   "(less often when live views would take more than a quarter of the run's time, "
                                   f"then a coarser {LIVE_GRID_COARSE}×{LIVE_GRID_COARSE} one), the full grid when the run ends")
        self.every_spin = _spin(1, 1000, 1, "Live: recompute every K epochs")
        self.every_spin.setPrefix("every ")
        self.every_spin.setSuffix(" ep.")
        self.log_check = QCheckBox("Log scale")
        self.log_check.setToolTip("Colour by log10 of the loss")
        self.log_check.toggled.connect(lambda _on: self._draw_surface())
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel", enabled=False)
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.progress_bar = QProgressBar(minimum=0, maximum=1, value=0, textVisible=True)
        self.save_png_button = QPushButton("Save PNG…", enabled=False)
        self.save_png_button.clicked.connect(self._ask_png)
        self.save_data_button = QPushButton("Save data…", enabled=False)
        self.save_data_button.clicked.connect(self._ask_data)
        self.message = QLabel(wordWrap=True)
        self.info = QLabel()

        # the controls stand in a column beside the plot: the Plots dock is wide and short
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in (("Plane", self.plane_combo), ("Grid", self.grid_spin), ("Range", self.range_spin),
                              ("Batch", self.batch_spin), ("Seed", self.seed_spin)):
            form.addRow(label, widget)
        live_row = QHBoxLayout()
        live_row.addWidget(self.live_check)
        live_row.addWidget(self.every_spin, 1)
        form.addRow(self.log_check)
        form.addRow(live_row)
        run_row = QHBoxLayout()
        run_row.addWidget(self.compute_button)
        run_row.addWidget(self.cancel_button)
        form.addRow(run_row)
        form.addRow(self.progress_bar)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_png_button)
        save_row.addWidget(self.save_data_button)
        form.addRow(save_row)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addLayout(form)
        self.sharpness = SharpnessBar(lambda: self.provider, lambda: (self.batch_spin.value(), self.seed_spin.value()))
        side_layout.addWidget(self.sharpness)
        side_layout.addStretch(1)
        side.setMaximumWidth(260)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._make_surface_view(), "2-D surface")
        self.tabs.addTab(self._make_line_view(), "1-D line")
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        self.info.setWordWrap(True)

        right = QVBoxLayout()
        right.addWidget(self.tabs, 1)
        right.addWidget(self.info)
        right.addWidget(self.message)
        layout = QHBoxLayout(self)
        layout.addWidget(side)
        layout.addLayout(right, 1)

    # ---- views ---------------------------------------------------------------------------
    def _make_surface_view(self) -> QWidget:
        c = theme.colours()
        self.surface_view = pg.GraphicsLayoutWidget()
        self.surface_view.setBackground(c.node_fill)
        self.surface_plot = self.surface_view.addPlot()
        plot = self.surface_plot
        plot.setTitle("Loss around the weights", color=c.text.name(), size="9pt")
        self._label_axes(plot, path=False)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(c.muted_text)
            plot.getAxis(axis).setPen(c.node_border)
        plot.setAspectLocked(False)  # α and β are directions, not lengths: fill the plot (a short dock made a locked square tiny)
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=COLOUR_MAP, interactive=False)
        self.colour_bar.setImageItem(self.image, insert_in=plot)
        self.centre = pg.ScatterPlotItem([0.0], [0.0], symbol="+", size=16,
                                         pen=pg.mkPen("w", width=2), brush=None)
        self.centre.setZValue(10)
        self.minimum_marker = pg.ScatterPlotItem([], [], symbol="o", size=8,
                                                 pen=pg.mkPen("#ff5555", width=2), brush=None)
        self.minimum_marker.setZValue(10)
        self.path_curve = pg.PlotDataItem([], [], pen=pg.mkPen("w", width=2), symbol="o", symbolSize=4,
                                          symbolPen=None, symbolBrush="w")
        self.path_curve.setZValue(9)
        self.path_start = pg.ScatterPlotItem([], [], symbol="o", size=12, pen=pg.mkPen("w", width=2), brush=None)
        self.path_start.setZValue(10)
        plot.addItem(self.path_curve)
        plot.addItem(self.path_start)
        plot.addItem(self.centre)
        plot.addItem(self.minimum_marker)
        return self.surface_view

    @staticmethod
    def _label_axes(plot: Any, path: bool) -> None:
        muted = theme.colours().muted_text.name()
        plot.setLabel("bottom", "α (path's 1st principal direction)" if path else "α (direction 1)", color=muted)
        plot.setLabel("left", "β (2nd principal dir.)" if path else "β (direction 2)", color=muted)

    def _make_line_view(self) -> QWidget:
        self.line_plot = _plot("Loss from fresh weights (α = 0) to the present ones (α = 1)", "loss", "α")
        self.train_curve = self.line_plot.plot([], [], pen=pg.mkPen(TRAIN_COLOUR, width=2), name="train")
        self.val_curve = self.line_plot.plot([], [], pen=pg.mkPen(VAL_COLOUR, width=2), name="validation")
        self.line_plot.getAxis("left").enableAutoSIPrefix(False)
        muted = theme.colours().muted_text
        for at in (0.0, 1.0):
            self.line_plot.addItem(pg.InfiniteLine(at, angle=90, pen=pg.mkPen(muted, style=Qt.PenStyle.DashLine)))
        return self.line_plot

    # ---- source and computing ------------------------------------------------------------
    def set_source(self, provider: Callable[[], AnalysisSource] | None) -> None:
        """``provider()`` returns an ``AnalysisSource`` or raises ``NetDesignerError`` with a
        message for the person; it is called on the GUI thread when Compute is pressed."""
        self.provider = provider

    @property
    def running(self) -> bool:
        return self.worker.running

    def compute(self, grid: int | None = None, batch: int | None = None, threads: int | None = None) -> bool:
        """Starts computing what the visible tab shows (at ``grid`` points per axis and ``batch``
        samples instead of the settings', with ``threads`` CPU threads, for live updates beside
        a run); False (and a message) when it cannot."""
        if self.worker.running:
            return False
        if self.provider is None:
            self._say("Open a project and train it first", error=True)
            return False
        try:
            source = self.provider()
        except NetDesignerError as e:
            self._say(str(e), error=True)
            return False
        grid = grid or self.grid_spin.value()
        span = self.range_spin.value()
        size, seed = batch or self.batch_spin.value(), self.seed_spin.value()
        from netdesigner.analysis import landscape

        on_path = self.plane_combo.currentIndex() == PATH_PLANE
        if on_path and len(source.trajectory) < 2:
            self._say("The training path is recorded while a run trains in this window: train for an epoch or more, "
                      "or choose Random directions", error=True)
            return False
        if self.tabs.currentIndex() == SURFACE_TAB and on_path:
            def job(progress, cancelled):
                x, y = source.batch("train", size, seed)
                return "surface", landscape.trajectory_surface(source.module, source.trajectory, source.state,
                                                               source.loss_fn, x, y, grid=grid,
                                                               progress=progress, cancelled=cancelled)
            total = grid * grid
        elif self.tabs.currentIndex() == SURFACE_TAB:
            def job(progress, cancelled):
                x, y = source.batch("train", size, seed)
                return "surface", landscape.surface(source.module, source.state, source.loss_fn, x, y, grid=grid,
                                                    span=span, seed=seed, progress=progress, cancelled=cancelled)
            total = grid * grid
        else:
            from netdesigner.analysis.command import LINE_RANGE

            alphas = np.linspace(*LINE_RANGE, grid)
            alphas[np.abs(alphas) < 1e-12] = 0.0

            def job(progress, cancelled):
                batches = {"train": source.batch("train", size, seed), "validation": source.batch("val", size, seed)}
                out = landscape.interpolation(source.module, source.fresh_state(), source.state, source.loss_fn,
                                              batches, alphas=alphas, progress=progress, cancelled=cancelled)
                return "line", {"alphas": alphas, **out}
            total = grid
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%v / %m")
        self._say("Computing…")
        self.worker.start(job, name="netdesigner-landscape", threads=threads)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        self.worker.cancel()

    # ---- live ----------------------------------------------------------------------------
    def epoch_ended(self, epoch: int, samples_per_s: float = 0.0) -> bool:
        """A run finished ``epoch`` (training at ``samples_per_s``): with Live on, every K-th
        epoch starts a coarse computation on one CPU thread, unless one is still going or the
        live budget says it would take too much of the run (a 15×15 surface of the digits CNN
        costs about 16 of its epochs on one thread: every epoch would stall training). A late
        one is skipped, never queued. True when it started."""
        if not self.live_check.isChecked() or epoch % self.every_spin.value() or self.worker.running:
            return False
        batch = min(LIVE_BATCH, self.batch_spin.value())
        # before one is measured: a forward pass is about a third of a training step, which
        # ran on every core (measured on the digits CNN: guessed 1.2 s, took 1.4 s)
        guess = 1.0 / (3 * samples_per_s) if samples_per_s > 0 else 1e-5
        fits = [g for g in (min(LIVE_GRID, self.grid_spin.value()), min(LIVE_GRID_COARSE, self.grid_spin.value()))
                if self.budget.allows(self.budget.estimate("landscape", g * g * batch, guess))]
        if not fits:
            return False
        grid = fits[0]  # the finer grid when the budget has room for it, else the coarse one sooner
        units = grid * grid * batch
        started = self.compute(grid=grid, batch=batch, threads=1)
        if started:
            self._live_started, self._live_units = time.perf_counter(), units
        return started

    def _live_ended(self, finished: bool) -> None:
        if self._live_started is not None:
            self.budget.spend("landscape", time.perf_counter() - self._live_started, self._live_units if finished else 0)
            self.live_count += finished
            self._live_started = None

    def run_ended(self) -> bool:
        """The run ended: with Live on, the full grid once, right away or when the coarse one
        still going has ended. True when it started or is due."""
        if not self.live_check.isChecked():
            return False
        if self.worker.running:
            self._full_due = True
            return True
        return self.compute()

    def _start_due(self) -> None:
        if self._full_due:
            self._full_due = False
            self.compute()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _on_finished(self, result: Any) -> None:
        self._live_ended(finished=True)
        kind, value = result
        if kind == "surface":
            self.show_surface(value)
        else:
            self.show_line(value)
        self._update_buttons()
        self._start_due()

    def _on_failed(self, message: str) -> None:
        self._say(f"The landscape could not be computed: {message}", error=True)
        self._live_ended(finished=False)
        self._update_buttons()
        self._full_due = False

    def _on_cancelled(self) -> None:
        self._say("Cancelled")
        self._live_ended(finished=False)
        self.progress_bar.setValue(0)
        self._update_buttons()
        self._full_due = False

    # ---- drawing -------------------------------------------------------------------------
    def show_surface(self, surface: Any) -> None:
        """Draws ``surface`` (a ``landscape.Surface``) and keeps it as ``self.surface``."""
        self.surface = surface
        self.tabs.setCurrentIndex(SURFACE_TAB)
        self._draw_surface()
        a, b, low = surface.minimum
        self.minimum_marker.setData([a], [b])
        path = surface.path if surface.path is not None else np.zeros((0, 2))
        self.path_curve.setData(path[:, 0], path[:, 1])
        self.path_start.setData(path[:1, 0], path[:1, 1])
        on_path = ""
        if surface.path is not None:
            on_path = (f" · path of {len(path)} snapshots; the axes explain {100 * surface.explained[0]:.0f}% "
                       f"and {100 * surface.explained[1]:.0f}% of it")
        self.info.setText(f"{len(surface.alphas)}×{len(surface.betas)} points in {surface.seconds:.2f} s · "
                          f"loss at the weights {surface.centre_loss:.4g} · lowest {low:.4g} at α {a:+.3g}, β {b:+.3g}"
                          + on_path)
        self._say("")
        self._update_buttons()

    def displayed_image(self) -> np.ndarray | None:
        """The array the heat map shows: rows β, columns α (the surface's losses transposed),
        log10 of them with Log scale on; non-finite losses as the largest finite value."""
        if self.surface is None:
            return None
        losses = np.asarray(self.surface.losses, dtype=np.float64).T
        finite = np.isfinite(losses)
        top = float(losses[finite].max()) if finite.any() else 1.0
        shown = np.where(finite, losses, top)
        if self.log_check.isChecked():
            shown = np.log10(np.maximum(shown, 1e-12))
        return shown

    def _draw_surface(self) -> None:
        shown = self.displayed_image()
        if shown is None:
            return
        alphas, betas = self.surface.alphas, self.surface.betas
        lo, hi = float(shown.min()), float(shown.max())
        if hi <= lo:
            hi = lo + 1e-9
        self.image.setImage(shown, levels=(lo, hi))
        da = (alphas[-1] - alphas[0]) / max(len(alphas) - 1, 1)
        db = (betas[-1] - betas[0]) / max(len(betas) - 1, 1)
        self.image.setRect(QRectF(alphas[0] - da / 2, betas[0] - db / 2,
                                  alphas[-1] - alphas[0] + da, betas[-1] - betas[0] + db))
        self.colour_bar.setLevels((lo, hi))
        title = "log10 of the loss" if self.log_check.isChecked() else "Loss"
        where = "on the plane of the training path" if self.surface.path is not None else "around the weights"
        self.surface_plot.setTitle(f"{title} {where}", color=theme.colours().text.name(), size="9pt")
        self._label_axes(self.surface_plot, self.surface.path is not None)
        self.surface_plot.autoRange(padding=0.02)

    def show_line(self, line: dict[str, np.ndarray]) -> None:
        """Draws the line's train and validation curves and keeps it as ``self.line``."""
        self.line = line
        self.tabs.setCurrentIndex(LINE_TAB)
        self.train_curve.setData(line["alphas"], line["train"])
        self.val_curve.setData(line["alphas"], line["validation"])
        self.line_plot.enableAutoRange()
        at = {name: float(np.interp(1.0, line["alphas"], line[name])) for name in ("train", "validation")}
        start = float(np.interp(0.0, line["alphas"], line["train"]))
        self.info.setText(f"train loss {start:.4g} at fresh weights, {at['train']:.4g} at the present ones · "
                          f"validation {at['validation']:.4g}")
        self._say("")
        self._update_buttons()

    # ---- saving --------------------------------------------------------------------------
    def _shown_result(self) -> Any:
        return self.surface if self.tabs.currentIndex() == SURFACE_TAB else self.line

    def save_png(self, path: str | Path) -> bool:
        """The visible tab as a picture."""
        return self.tabs.currentWidget().grab().save(str(path))

    def save_data(self, path: str | Path) -> None:
        """The visible tab's numbers: .npz (``Surface.from_npz`` reads a surface's) or .csv."""
        path = Path(path)
        csv = path.suffix.lower() == ".csv"
        if self.tabs.currentIndex() == SURFACE_TAB:
            if self.surface is None:
                raise ValueError("no surface computed yet")
            (self.surface.to_csv if csv else self.surface.to_npz)(path)
            return
        if self.line is None:
            raise ValueError("no line computed yet")
        line = self.line
        if csv:
            table = np.column_stack([line["alphas"], line["train"], line["validation"]])
            np.savetxt(path, table, delimiter=",", header="alpha,train,validation", comments="", fmt="%.9g")
        else:
            np.savez(path, alphas=line["alphas"], train=line["train"], validation=line["validation"])

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the picture", "landscape.png", "PNG images (*.png)")
        if path and not self.save_png(path):
            self._say(f"Could not write {path}", error=True)

    def _ask_data(self) -> None:
        name = "landscape.npz" if self.tabs.currentIndex() == SURFACE_TAB else "landscape_line.npz"
        path, _ = QFileDialog.getSaveFileName(self, "Save the numbers", name, "NumPy arrays (*.npz);;CSV (*.csv)")
        if not path:
            return
        try:
            self.save_data(path)
        except (OSError, ValueError) as e:
            self._say(f"Could not write {path}: {e}", error=True)

    # ---- state ---------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        running = self.worker.running
        self.compute_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        has = self._shown_result() is not None
        self.save_png_button.setEnabled(has and not running)
        self.save_data_button.setEnabled(has and not running)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.ERROR.name()}" if error else "")

    def shutdown(self, wait_s: float = 5.0) -> None:
        """Cancels a computation and waits for its thread (before the window closes)."""
        self._full_due = False
        self.worker.cancel()
        self.sharpness.shutdown(wait_s)
        self.worker.wait(wait_s)
