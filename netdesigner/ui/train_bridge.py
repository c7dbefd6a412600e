"""The thread bridge between a Qt-free ``Trainer`` and the window (DESIGN rule 6).

The trainer runs ``run()`` on a plain worker thread and tells its listeners of each event. The
bridge's listener only appends the event to a queue (it runs on the worker thread); a GUI-thread
timer drains the queue at most ``rate_hz`` times a second and hands the widgets the batches
since the last redraw in one go, each epoch's summary, and the end of the run. However fast the
batches come, the GUI draws at most 20 times a second and never waits for the worker.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from netdesigner.train.events import (
    BatchEnd,
    Checkpoint,
    EpochEnd,
    Notice,
    RunFailed,
    RunFinished,
    RunStarted,
)


@dataclass
class BatchRun:
    """The batches since the last redraw, read out as numbers (the one host sync per redraw)."""

    epochs: list[int] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    samples_per_s: float = 0.0


_CPU_THREADS: list[int] = []


TRAIN_THREADS_VARIABLE = "NETDESIGNER_TRAIN_THREADS"


def reserve_cpu_threads_for_training() -> None:
    """Call before torch is imported: torch's CPU threads go to the training thread only.

    OpenMP keeps a team of threads per calling thread. Once the GUI thread had a team of its
    own (two threads on a two-core machine), the training thread's team shared the cores with
    it and trained the digits CNN at about half speed (15 k against 28 k samples/s, measured),
    even with the GUI idle. The GUI thread's own torch work (shape inference on the meta
    device, compiling) needs no threads, so it is started with one and the training thread
    takes them all. Does nothing where the person set OMP_NUM_THREADS."""
    if "OMP_NUM_THREADS" in os.environ or TRAIN_THREADS_VARIABLE in os.environ:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    os.environ[TRAIN_THREADS_VARIABLE] = str(cores)
    os.environ["OMP_NUM_THREADS"] = "1"


def _gui_thread_gives_up_cpu_threads() -> int:
    """How many CPU threads the training thread takes (and, where the start-up did not already,
    the GUI thread keeps one from now on)."""
    import torch

    if not _CPU_THREADS:
        _CPU_THREADS.append(int(os.environ.get(TRAIN_THREADS_VARIABLE, 0)) or torch.get_num_threads())
        torch.set_num_threads(1)
    return _CPU_THREADS[0]


class TrainingBridge(QObject):
    started = Signal(object)  # RunStarted
    batches = Signal(object)  # BatchRun, at most rate_hz times a second
    epoch_ended = Signal(object)  # EpochEnd, every one
    notice = Signal(str)  # a Checkpoint's message: information
    warning = Signal(str)  # a Notice's message: something that could not be done, the run goes on
    finished = Signal(object)  # RunFinished or RunFailed, once per run

    def __init__(self, rate_hz: float = 20.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.trainer: Any = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self, interval=int(1000 / rate_hz), timeout=self.drain)
        self.redraws = 0  # how many times batches were handed on (tests check the coalescing)
        self._threads = 1

    # ---- control -----------------------------------------------------------------------
    def start(self, trainer: Any) -> None:
        """Runs ``trainer.run()`` on a worker thread; refused while a run is going."""
        if self.running:
            raise RuntimeError("a training run is already going")
        self._threads = _gui_thread_gives_up_cpu_threads()

        if self.trainer is not trainer:
            if self.trainer is not None:
                self.trainer.remove_listener(self._queue.put)
            trainer.add_listener(self._queue.put)
        self.trainer = trainer
        self._thread = threading.Thread(target=self._work, name="netdesigner-training", daemon=True)
        self._thread.start()
        self._timer.start()

    def _work(self) -> None:
        try:
            import torch

            torch.set_num_threads(self._threads)  # per thread with OpenMP: this one gets them all
            self.trainer.run()  # sends RunFinished or RunFailed itself
        except BaseException as e:  # noqa: BLE001 - whatever happens, the window hears of it
            self._queue.put(RunFailed(f"Training stopped with an unexpected error: {e}", "error"))

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def pause(self) -> None:
        if self.trainer is not None:
            self.trainer.pause()

    def resume(self) -> None:
        if self.trainer is not None:
            self.trainer.resume()

    def stop(self, wait_s: float = 0.0) -> bool:
        """Asks the run to stop after the current batch; with ``wait_s`` waits that long for it.

        Returns True when no worker is left running."""
        if self.trainer is not None:
            self.trainer.resume()  # a paused run must wake up to see the stop
            self.trainer.stop()
        if self._thread is not None and wait_s > 0:
            self._thread.join(wait_s)
        if not self.running:
            self.drain()
        return not self.running

    # ---- from the worker to the widgets ------------------------------------------------
    def drain(self) -> None:
        """Hands on everything queued since the last call, batches coalesced into one signal."""
        run = BatchRun()
        ends: list[Any] = []
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(event, BatchEnd):
                run.epochs.append(event.epoch)
                run.batches.append(event.batch)
                run.losses.append(event.loss_value)
                run.lrs.append(event.lr)
                run.samples_per_s = event.samples_per_s
                continue
            if run.losses:  # keep the order: batches before the epoch that holds them
                self._hand_on(run)
                run = BatchRun()
            if isinstance(event, RunStarted):
                self.started.emit(event)
            elif isinstance(event, EpochEnd):
                self.epoch_ended.emit(event)
            elif isinstance(event, Notice):
                self.warning.emit(event.message)
            elif isinstance(event, Checkpoint):
                self.notice.emit(f"Saved the {event.kind} weights of epoch {event.epoch} to {event.path}")
            elif isinstance(event, RunFinished | RunFailed):
                ends.append(event)
        if run.losses:
            self._hand_on(run)
        for end in ends:
            if self._thread is not None:
                self._thread.join(2.0)
            if not self.running:
                self._timer.stop()
            self.finished.emit(end)

    def _hand_on(self, run: BatchRun) -> None:
        self.redraws += 1
        self.batches.emit(run)
