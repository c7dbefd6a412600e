"""The training loop (DESIGN rule 6): a plain loop that tells listeners what happened.

Fast on the models people draw (PERFORMANCE.md): the data sets live on the training device
whole and are shuffled by index once per epoch, so a batch is a slice, not a ``DataLoader``
round trip; losses and metrics are summed in device tensors and read once per epoch. On a GPU
the batch loop waits for the device only to look at a "loss was not finite" flag every
``NAN_CHECK_EVERY`` batches (and in fp16, where the loss scaler looks every step), or when a
listener reads ``BatchEnd.loss_value``. The price: a NaN on a GPU is noticed a few batches
late and the weights go back to the last good copy (the end of the previous epoch). On the
CPU, where looking is free, every batch is checked before its optimizer step, so the weights
never turn NaN.

An epoch never ends on a batch of one sample (BatchNorm cannot train on it): that sample
waits for the next shuffle. ``stop``, ``pause`` and ``resume`` may be called from any thread;
the loop looks at them before each batch. ``run`` again continues from the present weights
and optimizer state, its epochs numbered on from the last; the schedule starts again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError
from netdesigner.train import checkpoint as ckpt
from netdesigner.train.control import RunControl
from netdesigner.train.device import (
    auto_keeps_cpu,
    choose_device,
    choose_precision,
    parallel_forward,
    synchronizes_cheaply,
)
from netdesigner.train.evaluation import evaluate_split, probe
from netdesigner.train.events import (
    BatchEnd,
    EpochEnd,
    Listener,
    Notice,
    RunFailed,
    RunFinished,
    RunStarted,
)
from netdesigner.train.failures import error_failure, nan_failure, recover
from netdesigner.train.grad_norms import layer_grad_norms
from netdesigner.train.objective import build_objective
from netdesigner.train.optim import (
    Schedule,
    check_settings,
    initialize_weights,
    make_optimizer,
    retune,
)
from netdesigner.train.placement import Shuffler, place_data
from netdesigner.train.tally import Tally

if TYPE_CHECKING:
    import os

    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.core.project import TrainingSettings
    from netdesigner.data.splits import Splits

NAN_CHECK_EVERY = 25  # batches between looks at the NaN flag on a GPU (each look waits for it)


class _NonFinite(Exception):
    pass


def _macs_per_sample(graph: Graph | None) -> int | None:
    if graph is None:
        return None
    from netdesigner.core.shapes import infer_shapes

    return infer_shapes(graph).total_macs


MAX_TRAJECTORY = 400  # weight snapshots kept for the trajectory plane …
MAX_TRAJECTORY_BYTES = 256 * 2**20  # … and the memory they may take (fewer for big models)


class Trainer:
    """Trains ``module`` (a compiled graph) on ``splits`` as ``settings`` say.

    ``graph`` gives each Output's loss and weight (see ``objective``); ``initialize`` draws
    every weight afresh from the seed (pass False to train the weights the module holds, e.g.
    after a recompile that kept them); ``checkpoint_dir`` turns on checkpoints and history.
    Settings that cannot work raise ``TrainingError`` here, before anything runs.
    """

    def __init__(
        self,
        module: torch.nn.Module,
        splits: Splits,
        settings: TrainingSettings,
        *,
        graph: Graph | None = None,
        listeners: Iterable[Listener] = (),
        checkpoint_dir: str | os.PathLike | None = None,
        checkpoint_stem: str = "model",
        initialize: bool = True,
        keep_trajectory: bool = False,
    ) -> None:
        import torch

        check_settings(settings)
        self._settings = settings
        self.module = module
        self.graph = graph
        self._listeners: list[Listener] = list(listeners)
        macs = _macs_per_sample(graph)
        self.device = choose_device(settings.device, macs)
        if settings.device == "auto" and self.device.type == "cpu" and auto_keeps_cpu(macs) and torch.cuda.is_available():
            self.notes_for_device = [f"a small model ({macs:,} MACs per sample) trains faster on the CPU than on a GPU; choose device cuda to use the GPU anyway"]
        else:
            self.notes_for_device = []
        self.precision = choose_precision(settings.amp, self.device)
        self.notes = self.notes_for_device + list(self.precision.notes)
        if initialize:
            initialize_weights(module, settings.init, settings.seed)
        module.to(self.device)
        self.forward_module, notes = parallel_forward(module, self.device, settings.data_parallel)
        self.notes += notes
        self.splits, self.objective, self.optimizer = self._prepare(splits, graph, settings)
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.writer = ckpt.CheckpointWriter(checkpoint_dir, checkpoint_stem) if checkpoint_dir is not None else None
        if self.writer is not None and not initialize:
            self.optimizer, note = ckpt.resume_optimizer(self.writer, self.module, self.optimizer, settings)
            self.notes += [note] if note else []
        self.epoch = 0  # epochs completed, over all runs
        self.step = 0  # optimizer steps, over all runs
        self.history: list[EpochEnd] = []
        # CPU copies of the weights at the start and after every epoch, for the landscape's
        # trajectory plane (Li et al.); thinned to every other one past MAX_TRAJECTORY.
        self.keep_trajectory = keep_trajectory
        self.trajectory: list[dict[str, torch.Tensor]] = []
        # (epoch, weights) of the latest of those snapshots, replaced in one assignment so a
        # reader on another thread always gets a matching pair (the per-epoch views use it).
        self.epoch_weights: tuple[int, dict[str, torch.Tensor]] | None = None
        self.control = RunControl()
        self._running = threading.Lock()
        self._stepping = threading.Lock()  # held during each optimizer step; see snapshot()
        self._seeded = False
        self._bad: torch.Tensor | None = None  # on a GPU: "a loss was not finite" since the last look
        self._last_loss: torch.Tensor | None = None
        self.shuffler = Shuffler(self.device)

    @property
    def settings(self) -> TrainingSettings:
        return self._settings

    @settings.setter
    def settings(self, new: TrainingSettings) -> None:
        """Settings for the next run (a lower learning rate, more epochs, another optimiser…).

        The device, mixed precision and data parallelism stay as the trainer was made; another
        optimiser starts with an empty state, the same one keeps its moments.
        """
        if self._running.locked():
            raise TrainingError("the settings cannot change while the trainer runs")
        self.optimizer = self._retuned_optimizer(new)
        self.objective.kl_beta = new.kl_beta
        self._settings = new

    # ---- what a subclass may make differently (the GAN trainer does) ----------------------
    def _prepare(self, splits: Splits, graph: Graph | None, settings: TrainingSettings) -> tuple[Splits, Any, torch.optim.Optimizer]:
        """(the data on the device, the objective, the optimiser), once the module is placed."""
        placed, notes = place_data(splits, self.module, graph, self.device)
        self.notes += notes
        probed = probe(self.module, placed.train.x, self.precision)
        objective = build_objective(self.module, placed, probed, graph=graph, kl_beta=settings.kl_beta)
        return placed, objective, make_optimizer(self.module.parameters(), settings)

    def _retuned_optimizer(self, new: TrainingSettings) -> torch.optim.Optimizer:
        return retune(self.optimizer, self.module.parameters(), self._settings, new)

    def _new_tally(self) -> Tally:
        """Running sums of one pass; ``read()`` gives (mean loss, metrics)."""
        return Tally(self.objective)

    # ---- control, from any thread ---------------------------------------------------------
    def stop(self) -> None:
        """Ends the run in progress before its next batch (a paused run wakes up to end)."""
        self.control.stop()

    def pause(self) -> None:
        """Holds the run before its next batch until ``resume`` or ``stop``."""
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: Any) -> None:
        for listener in tuple(self._listeners):
            listener(event)

    # ---- the run -------------------------------------------------------------------------
    def run(self) -> RunFinished | RunFailed:
        """Trains ``settings.epochs`` epochs (more, if called again) and returns the last event.

        Blocks; meant for a worker thread. NaN losses, running out of memory and errors in the
        model end the run with ``RunFailed``; ``run`` itself raises only ``TrainingError`` when
        called while already running.
        """
        if not self._running.acquire(blocking=False):
            raise TrainingError("this trainer is already running")
        try:
            self.control.start()
            with self.objective.watching():
                result = self._run()
        finally:
            self._running.release()
        self._emit(result)
        return result

    def _run(self) -> RunFinished | RunFailed:
        import torch

        s = self.settings
        if not self._seeded:
            torch.manual_seed(s.seed)  # dropout, noise and sampling repeat with the seed
            self._seeded = True
        if not self.trajectory:
            self._remember_weights()  # where the path starts
        n = len(self.splits.train)
        size = min(s.batch_size, n)
        batches = n // size if n % size == 1 and n > 1 else math.ceil(n / size)  # no last batch of one (BatchNorm)
        samples = min(batches * size, n)
        schedule = Schedule(self.optimizer, s, s.epochs, batches)
        trainable = sum(p.numel() for p in self.module.parameters() if p.requires_grad)
        self._emit(RunStarted(str(self.device), s.epochs, batches, trainable, self.epoch + 1, self.objective.task, samples))
        for note in self.notes:
            self._emit(Notice(note))
        self.notes = []
        good, good_optimizer = ckpt.snapshot(self.module), ckpt.optimizer_snapshot(self.optimizer)
        best = ckpt.BestKeeper(s.restore_best, s.early_stopping_patience)
        reason = "completed"
        try:
            for _ in range(s.epochs):
                epoch = self.epoch + 1
                started = time.perf_counter()
                trained = self._train_epoch(epoch, batches, size, schedule)
                if trained is None:
                    reason = "stopped"
                    break
                tally, norms, paused, train_seconds = trained
                train_loss, train_metrics = tally.read()
                if self._bad is not None and bool(self._bad):
                    raise _NonFinite(f"in epoch {epoch}")
                val_loss, metrics = self._evaluate("val")[:2] if len(self.splits.val) else (None, {})
                metrics.update({f"train_{k}": v for k, v in train_metrics.items()})
                monitored = val_loss if val_loss is not None else train_loss
                event = EpochEnd(epoch, train_loss, val_loss, metrics, schedule.lr, norms,
                                 time.perf_counter() - started - paused, samples / max(train_seconds, 1e-9))
                self.epoch = epoch
                self.history.append(event)
                self._remember_weights()
                schedule.after_epoch(monitored)
                improved = best.update(monitored, epoch, self.module)
                self._emit(event)
                self._write_checkpoints(epoch, improved)
                good, good_optimizer = ckpt.snapshot(self.module), ckpt.optimizer_snapshot(self.optimizer)
                if best.patience_ran_out:
                    reason = "early_stopped"
                    break
        except _NonFinite as e:
            self._bad = None
            recover(self.module, self.optimizer, good, good_optimizer)
            return nan_failure(str(e), s, self.epoch + 1, self.step)
        except Exception as e:  # the model's own errors and out-of-memory end the run, not the program
            recover(self.module, self.optimizer, good, good_optimizer)
            return error_failure(e, self.device, s, self.epoch + 1, self.step)
        best.restore(self.module)
        if len(self.splits.test):
            test_loss, test_metrics, confusion = self._evaluate("test", confusion=self.objective.classifies)
            test_metrics = {"loss": test_loss, **test_metrics}
        else:
            test_metrics, confusion = {}, None
        return RunFinished(reason, test_metrics, confusion, best.epoch, len(self.history))

    def _train_epoch(self, epoch: int, batches: int, size: int, schedule: Schedule) -> tuple | None:
        """One pass over the shuffled training data; None when stopped before its end."""
        x, y = self.shuffler.epoch(self.splits.train, self.generator)
        streaming = x.device.type != self.device.type  # a data set too large for the GPU: copied per batch
        tally = self._new_tally()
        norms: dict[str, float] = {}
        paused = 0.0
        started = time.perf_counter()
        for b in range(batches):
            paused += self.control.hold()
            if self.control.stopped:
                return None
            last = b == batches - 1
            xb, yb = x[b * size:(b + 1) * size], y[b * size:(b + 1) * size]
            if streaming:
                xb, yb = xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True)
            with self._stepping:
                grads = self._step(xb, yb, tally, last, schedule, epoch, b)
            if last:
                norms = grads.read()
            if self._listeners:
                done = min((b + 1) * size, len(x))
                elapsed = time.perf_counter() - started - paused
                self._emit(BatchEnd(epoch, b, self.step, self._last_loss, schedule.lr, done / max(elapsed, 1e-9)))
        return tally, norms, paused, time.perf_counter() - started - paused

    def _step(self, x: torch.Tensor, y: torch.Tensor, tally: Tally, last: bool, schedule: Schedule, epoch: int, batch: int) -> Any:
        """Forward, backward, optimizer step; the layers' gradient norms on the last batch."""
        import torch

        s = self.settings
        inputs = x + s.input_noise * torch.randn_like(x) if s.input_noise > 0 and x.is_floating_point() else x
        with self.precision.autocast():
            loss = self.objective.loss(self.forward_module(inputs), x, y, tally)
        self._last_loss = loss.detach()
        self._check_finite(self._last_loss, epoch, batch)
        grads = self._backward_and_step(loss, last)
        schedule.after_batch()
        self.step += 1
        return grads

    def _backward_and_step(self, loss: torch.Tensor, last: bool) -> Any:
        """Gradients of ``loss`` and one optimizer step on every parameter they reached (a
        parameter without a gradient stays as it is); the layers' gradient norms when ``last``."""
        import torch

        s = self.settings
        self.optimizer.zero_grad(set_to_none=True)
        scaler = self.precision.scaler
        (scaler.scale(loss) if scaler is not None else loss).backward()
        if scaler is not None and (last or s.grad_clip > 0):
            scaler.unscale_(self.optimizer)
        grads = layer_grad_norms(self.module) if last else None
        if s.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.module.parameters(), s.grad_clip)
        if scaler is not None:
            scaler.step(self.optimizer)
            scaler.update()
        else:
            self.optimizer.step()
        return grads

    def _check_finite(self, loss: torch.Tensor, epoch: int, batch: int, what: str = "") -> None:
        """Raises ``_NonFinite`` before a step on a loss that is not finite: at once on the CPU;
        on a GPU every ``NAN_CHECK_EVERY`` steps (looking waits for the device)."""
        import torch

        if synchronizes_cheaply(self.device):
            if not math.isfinite(loss.item()):
                raise _NonFinite(f"{what}at epoch {epoch}, batch {batch} (step {self.step + 1})")
        else:
            bad = ~torch.isfinite(loss)
            self._bad = bad if self._bad is None else self._bad | bad
            if (self.step + 1) % NAN_CHECK_EVERY == 0 and bool(self._bad):
                raise _NonFinite(f"{what}in epoch {epoch}, before step {self.step + 1}")

    def _remember_weights(self) -> None:
        if not self.keep_trajectory:
            return
        state = {k: v.detach().to("cpu", copy=True) for k, v in self.module.state_dict().items()}
        self.trajectory.append(state)
        self.epoch_weights = (self.epoch, state)
        size = sum(v.numel() * v.element_size() for v in state.values())
        if len(self.trajectory) > max(8, min(MAX_TRAJECTORY, MAX_TRAJECTORY_BYTES // max(size, 1))):
            self.trajectory = self.trajectory[::2]

    def snapshot(self) -> dict[str, torch.Tensor]:
        """A CPU copy of the weights, taken between two optimizer steps: what analysis and
        views read while training goes on (DESIGN rule 6). Safe from any thread, including a
        listener; a GPU run waits for the copy."""
        with self._stepping:
            return {k: v.detach().to("cpu", copy=True) for k, v in self.module.state_dict().items()}

    # ---- evaluation ----------------------------------------------------------------------
    def evaluate(self, split: str = "test") -> tuple[float, dict[str, float], list[list[int]] | None]:
        """(loss, metrics, confusion matrix or None) of the present weights on one split."""
        if self._running.locked():
            raise TrainingError("evaluate while the trainer runs would read weights that are changing")
        with self.objective.watching():
            return self._evaluate(split, confusion=self.objective.classifies)

    def _evaluate(self, split: str, confusion: bool = False) -> tuple[float, dict[str, float], list[list[int]] | None]:
        return evaluate_split(self.module, self.forward_module, self.objective, getattr(self.splits, split),
                              self.settings.batch_size, self.precision, confusion)

    # ---- checkpoints ----------------------------------------------------------
    def _write_checkpoints(self, epoch: int, improved: bool) -> None:
        if self.writer is None:
            return
        try:
            written = self.writer.write_epoch(epoch, improved, self.module.state_dict(), self.optimizer, self.history)
        except OSError as e:
            folder, self.writer = self.writer.folder, None
            self._emit(Notice(f"checkpoints cannot be written to {folder} ({e.strerror or e}); training goes on and the weights stay in memory"))
            return
        for event in written:
            self._emit(event)
