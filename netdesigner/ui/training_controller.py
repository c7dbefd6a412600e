"""What the Start, Pause, Stop and Reset buttons do: data, compile, trainer, bridge, weights.

Between runs the trainer is kept, so Continue trains the same weights with the same optimiser
state. When the graph or the settings changed since, a new trainer is made from a module
compiled with ``previous=`` the old one, so every layer the edit did not touch keeps its
trained weights (DESIGN rule 5). The graph is locked while a run goes: the run trains a
compiled copy, and weights that do not match the drawing would help nobody.
"""

from __future__ import annotations

import html
import json
import math
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from netdesigner.core.errors import NetDesignerError
from netdesigner.core.project_format import graph_to_json
from netdesigner.ui import theme
from netdesigner.ui.train_bridge import BatchRun, TrainingBridge

if TYPE_CHECKING:
    from netdesigner.ui.main_window import MainWindow

BOUNDARY_HZ = 4  # decision-boundary redraws per second at most, while a run goes
LOCK_REASON = "the graph cannot change while training runs: stop the run first"


MAIN_METRICS = ("accuracy", "mse", "modes_covered", "classes_found")  # the first an epoch has is plotted
GAN_NETWORKS = ("generator", "discriminator")


def _loss_parts(metrics: dict[str, float]) -> dict[str, float]:
    """A GAN's losses per network, on the training pass and (as "… · validation") without learning."""
    parts = {}
    for network in GAN_NETWORKS:
        if f"train_{network}_loss" in metrics:
            parts[network] = metrics[f"train_{network}_loss"]
    for network in GAN_NETWORKS:
        if f"{network}_loss" in metrics:
            parts[f"{network} · validation"] = metrics[f"{network}_loss"]
    return parts


def _fmt_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def describe_end(end: Any) -> str:
    """One line for the person: how the run ended and what it reached."""
    if not end.ok:
        return end.message
    words = {"completed": "Finished", "stopped": "Stopped", "early_stopped": "Stopped early (no better validation loss)"}
    parts = [f"{words.get(end.reason, end.reason)} after {end.epochs_run} epoch(s)"]
    metrics = end.test_metrics
    if "accuracy" in metrics:
        parts.append(f"test accuracy {metrics['accuracy']:.4f}")
    if "modes_covered" in metrics:
        parts.append(f"{metrics['modes_covered']:.0f} modes covered ({100 * metrics['high_quality']:.0f}% of samples on a mode)")
    if "classes_found" in metrics:
        parts.append(f"{metrics['classes_found']:.0f} classes found in the samples")
    if "d_real" in metrics:
        parts.append(f"mean D(real) {metrics['d_real']:.2f}, D(fake) {metrics['d_fake']:.2f}")
    for key in ("mse", "mae", "loss"):
        if key in metrics and "accuracy" not in metrics or key == "loss" and key in metrics:
            parts.append(f"test {key} {metrics[key]:.4g}")
    if end.best_epoch and "generator_loss" not in metrics:  # a GAN's summed loss has no best epoch worth naming
        parts.append(f"best validation epoch {end.best_epoch}")
    return " · ".join(parts)


def run_record(end: Any, trainer: Any, first_epoch: int = 1) -> dict[str, Any]:
    """What the project file remembers of a run: when, how it ended, what it reached, with
    what, and its loss per epoch (from ``first_epoch``), so later runs can be drawn over it."""
    settings = trainer.settings
    record: dict[str, Any] = {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "epochs": trainer.epoch,
        "device": str(trainer.device),
        "optimizer": settings.optimizer,
        "learning_rate": settings.learning_rate,
        "batch_size": settings.batch_size,
    }
    if settings.optimizer in ("sgd", "rmsprop"):
        record["momentum"] = settings.momentum
    if end.ok:
        record.update(reason=end.reason, test={k: round(v, 6) for k, v in end.test_metrics.items()}, best_epoch=end.best_epoch)
    else:
        record.update(reason="failed", failure=end.kind, message=end.message)
    epochs = [e for e in trainer.history if e.epoch >= first_epoch]
    if epochs:
        record["curves"] = {"epoch": [e.epoch for e in epochs],
                            "train_loss": [_rounded(e.train_loss) for e in epochs],
                            "val_loss": [_rounded(e.val_loss) for e in epochs]}
    return record


def _rounded(value: float | None) -> float | None:
    """Six significant digits, and None for what JSON cannot hold (a missing or non-finite loss)."""
    return float(f"{value:.6g}") if value is not None and math.isfinite(value) else None


class TrainingController(QObject):
    run_ended = Signal(object)  # RunFinished or RunFailed, after the weights are in the project

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dock = window.train_dock
        self.plots = window.plots
        self.bridge = TrainingBridge(parent=self)
        self.trainer: Any = None
        self._warnings: list[str] = []  # this run's warnings, said again at its end
        self.module: Any = None
        self._built_for: str | None = None  # what the trainer was made for (graph + settings)
        self._splits_for: str | None = None
        self._splits: Any = None
        self._run_started = 0.0
        self._total_batches = 1
        self._first_epoch = 1
        self._batches_per_epoch = 1
        self.last_end: Any = None
        self._boundary_drawn = 0.0
        self.dock.start_clicked.connect(self.start)
        self.dock.pause_clicked.connect(self.toggle_pause)
        self.dock.stop_clicked.connect(self.stop)
        self.dock.reset_clicked.connect(self.reset_weights)
        self.dock.fit_clicked.connect(self.fit_graph_to_data)
        self.dock.dataset_chosen.connect(lambda _name: self.fit_graph_to_data(quiet_when_fitting=True))
        self.bridge.started.connect(self._on_started)
        self.bridge.batches.connect(self._on_batches)
        self.bridge.epoch_ended.connect(self._on_epoch)
        self.bridge.notice.connect(lambda text: self.window.statusBar().showMessage(text, 6000))
        self.bridge.warning.connect(self._on_warning)
        self.bridge.finished.connect(self._on_finished)

    @property
    def running(self) -> bool:
        return self.bridge.running

    def project_changed(self) -> None:
        """Another project is shown: its weights, if any, are the starting point."""
        self.trainer = self.module = self._splits = None
        self._built_for = self._splits_for = None
        self.plots.clear()
        self.plots.show_earlier_runs(self.window.project.runs)
        self._update_buttons()
        self.show_device()

    def show_device(self) -> None:
        """Where a run would train, before it starts (a run's own device replaces it)."""
        from netdesigner.train.device import auto_keeps_cpu, choose_device

        setting = self.window.project.training.device
        report = self.window.scene.report if self.window.scene is not None else None
        macs = report.total_macs if report is not None else None
        try:
            device = choose_device(setting, macs)
        except NetDesignerError as e:
            self.dock.device_label.setText(f"Device: <span style='color:{theme.ERROR.name()}'>{e}</span>")
            return
        why = " (a small model: faster on the CPU)" if setting == "auto" and auto_keeps_cpu(macs) else ""
        self.dock.device_label.setText(f"Device: <b>{device}</b>{why}")

    # ---- buttons -----------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        project = self.window.project
        if not project.data.dataset:
            self._say("Choose a data set in the Data box first.", error=True)
            return
        try:
            splits = self._load_splits()
            self._prepare_trainer(splits)
        except NetDesignerError as e:
            self._say(str(e), error=True)
            return
        self._say("")
        self._warnings = []
        self.window.set_editing_locked(LOCK_REASON)
        self.bridge.start(self.trainer)
        self._update_buttons()

    def toggle_pause(self) -> None:
        if not self.running or self.trainer is None:
            return
        if self.trainer.paused:
            self.bridge.resume()
        else:
            self.bridge.pause()
        self._update_buttons()
        self.dock.progress.setFormat(self.dock.progress.format().removesuffix(" · paused") + (" · paused" if self.trainer.paused else ""))

    def stop(self, wait_s: float = 0.0) -> bool:
        return self.bridge.stop(wait_s)

    def reset_weights(self) -> None:
        if self.running:
            return
        self.window.project.weights = None
        self.trainer = self.module = None
        self._built_for = None
        self.plots.clear()
        self.plots.show_earlier_runs(self.window.project.runs)
        self.window.mark_weights_changed()
        self._update_buttons()
        self._say("Weights forgotten: the next Start begins from fresh ones.")

    def fit_graph_to_data(self, ask: bool = True, quiet_when_fitting: bool = False) -> int:
        """Proposes the Input shape and class count the data set needs; applies them as one
        undoable edit once the person agrees. Returns how many settings changed."""
        from PySide6.QtWidgets import QMessageBox

        from netdesigner.data.fit_graph import fit_edit, propose_fit

        project = self.window.project
        if not project.data.dataset:
            self._say("Choose a data set in the Data box first.", error=True)
            return 0
        try:
            info = self._load_splits().info
        except NetDesignerError as e:
            self._say(str(e), error=True)
            return 0
        proposals = propose_fit(project.graph, info)
        if not proposals:
            if not quiet_when_fitting:
                self._say(f"The graph already fits {info.name}.")
            return 0
        graph = project.graph
        lines = "\n".join(f"• {graph.node(p.node_id).name}.{p.param}: {p.old} → {p.new} ({p.reason})" for p in proposals)
        if ask and QMessageBox.question(self.window, "Fit the graph to the data", f"Change these settings?\n\n{lines}") != QMessageBox.StandardButton.Yes:
            return 0
        if not self.window.try_edit(fit_edit(proposals), f"Fit the graph to {info.name}"):
            return 0
        self._say(f"Changed {len(proposals)} setting(s) to fit {info.name}.")
        return len(proposals)

    # ---- making the run ----------------------------------------------------------------
    def _load_splits(self) -> Any:
        from netdesigner.data.registry import load_project_data

        project = self.window.project
        key = json.dumps([asdict(project.data), project.training.seed], sort_keys=True, default=str)
        if key != self._splits_for:
            self._splits = load_project_data(project)
            self._splits_for = key
        return self._splits

    def _prepare_trainer(self, splits: Any) -> None:
        from netdesigner.train.checkpoint import checkpoint_folder
        from netdesigner.train.gan_trainer import trainer_class

        project = self.window.project
        key = json.dumps([graph_to_json(project.graph), asdict(project.training), self._splits_for], default=str)
        if self.trainer is not None and key == self._built_for:
            return  # Continue: same weights, same optimiser state
        continuing = self.module is not None or bool(project.weights)
        module = project.compile(previous=self.module)
        folder = checkpoint_folder(project.path) if project.path else None
        self.trainer = trainer_class(project.graph)(
            module, splits, project.training, graph=project.graph, initialize=not continuing, checkpoint_dir=folder,
            checkpoint_stem=project.path.stem if project.path else "model", keep_trajectory=True)
        self.module = module
        self._built_for = key
        if not continuing:
            self.plots.clear()
            self.plots.show_earlier_runs(project.runs)  # drawn faintly under the new run
            self.window.activations.clear_history()

    # ---- events from the run -----------------------------------------------------------
    def _on_started(self, event: Any) -> None:
        self._run_started = time.perf_counter()
        self.window.live_budget.start_run(self._run_started)
        self._first_epoch = event.first_epoch
        self._batches_per_epoch = max(1, event.batches_per_epoch)
        self._total_batches = max(1, event.epochs * self._batches_per_epoch)
        self.dock.progress.setRange(0, self._total_batches)
        self.dock.progress.setValue(0)
        self.dock.device_label.setText(f"Device: <b>{event.device}</b> · {event.parameters:,} parameters · {event.task}")
        self.plots.start_run(event.batches_per_epoch, event.first_epoch + event.epochs - 1)
        self.window.activations.run_started()
        if self.trainer is not None:
            self.window.activations.record_epoch(self.trainer.epoch_weights, {}, event.first_epoch - 1, force=True)
        for note in getattr(self.trainer, "notes", []):
            self.window.statusBar().showMessage(note, 8000)

    def _on_batches(self, run: BatchRun) -> None:
        self.plots.add_batches(run.epochs, run.batches, run.losses, run.lrs)
        epoch, batch = run.epochs[-1], run.batches[-1]
        done = (epoch - self._first_epoch) * self._batches_per_epoch + batch + 1
        self.dock.progress.setValue(min(done, self._total_batches))
        elapsed = time.perf_counter() - self._run_started
        eta = elapsed / done * (self._total_batches - done) if done else 0.0
        last = self._first_epoch + self._total_batches // self._batches_per_epoch - 1
        paused = " · paused" if self.trainer is not None and self.trainer.paused else ""
        self.dock.progress.setFormat(
            f"epoch {epoch}/{last} · batch {batch + 1}/{self._batches_per_epoch} · "
            f"{run.samples_per_s:,.0f} samples/s · ETA {_fmt_seconds(eta)}{paused}"
        )

    def _on_epoch(self, event: Any) -> None:
        self.draw_boundary(event.epoch)
        self.window.landscape.epoch_ended(event.epoch, event.samples_per_s)
        if self.trainer is not None:
            self.window.activations.record_epoch(self.trainer.epoch_weights, event.grad_norms, event.epoch)
        self.window.activations.epoch_ended()
        metrics = event.metrics
        name = next((n for n in MAIN_METRICS if n in metrics), "")
        self.plots.add_epoch(event.epoch, event.train_loss, event.val_loss, name, metrics.get(name), event.grad_norms,
                             _loss_parts(metrics), metrics.get(f"train_{name}"))

    def _on_finished(self, end: Any) -> None:
        self.last_end = end
        project = self.window.project
        if self.trainer is not None:
            state = self.trainer.module.state_dict()
            project.weights = {k: v.detach().cpu().clone() for k, v in state.items()}
            project.runs.append(run_record(end, self.trainer, self._first_epoch))
            self.window.mark_weights_changed()
            self.window.autosave.write_now()  # a run's weights are the work most worth keeping
        self.dock.show_confusion(getattr(end, "confusion", None), self._class_names())
        self.window.set_editing_locked(None)
        self.dock.progress.setFormat(self.dock.progress.format().split(" · ETA")[0] + (" · done" if end.ok else " · failed"))
        warnings = "".join(f"<br>⚠ {html.escape(w)}" for w in self._warnings)
        self._say(html.escape(describe_end(end)) + warnings, error=not end.ok)
        self.draw_boundary(force=True)
        self.window.live_budget.end_run()
        self.window.landscape.run_ended()
        if self.trainer is not None:
            self.window.activations.record_epoch(self.trainer.epoch_weights, {}, self.trainer.epoch, force=True)
            self.window.activations.run_ended()
        self.window.statusBar().showMessage(" · ".join([describe_end(end), *self._warnings]), 10000)
        self._update_buttons()
        self.run_ended.emit(end)

    def draw_boundary(self, epoch: int | None = None, *, force: bool = False) -> bool:
        """What the weights draw now: the decision boundary of a two-feature classifier, the
        curve of a one-input regression model, an autoencoder's reconstructions (and a VAE's
        latent map), or a CNN's first filters; at most ``BOUNDARY_HZ`` times a second
        (one forward pass of a few thousand points, on a snapshot)."""
        trainer = self.trainer
        if trainer is None:
            return False
        from netdesigner.analysis.model_picture import model_picture, picture_kind

        objective, splits = trainer.objective, trainer.splits
        if picture_kind(objective.task, objective.classifies, splits.train.x, splits.train.y) is None:
            return False
        now = time.perf_counter()
        if not force and now - self._boundary_drawn < 1 / BOUNDARY_HZ:
            return False
        self._boundary_drawn = now
        picture = model_picture(trainer.module, trainer.snapshot(), objective.task, objective.classifies, splits, epoch)
        if picture is None:
            return False
        self.window.boundary.show_picture(picture)
        return True

    # ---- helpers -----------------------------------------------------------------------
    def _class_names(self) -> tuple[str, ...]:
        return tuple(self._splits.info.class_names) if self._splits is not None else ()

    def _update_buttons(self) -> None:
        has_weights = self.trainer is not None or bool(self.window.project.weights)
        paused = self.trainer is not None and self.running and self.trainer.paused
        self.dock.set_running(self.running, has_weights=has_weights, paused=paused)

    def _on_warning(self, text: str) -> None:
        """Something the run could not do (a checkpoint the disk refused): said at once in the
        status bar, and again with the run's end in the Training box, where it is not missed."""
        self.window.statusBar().showMessage(text, 10000)
        if text not in self._warnings:
            self._warnings.append(text)

    def _say(self, text: str, error: bool = False) -> None:
        colour = theme.ERROR.name() if error else theme.colours().text.name()
        self.dock.message.setText(f"<span style='color:{colour}'>{text}</span>" if text else "")
