"""One Qt-free computation (a loss surface, a line, ...) on a worker thread, seen from the GUI.

As the training bridge (DESIGN rule 6): the computation runs on a plain Python thread and only
puts what happens into a queue; a GUI-thread timer drains it about 20 times a second and emits
the signals. ``job(progress, cancelled)`` calls ``progress(done, total)`` as it goes and asks
``cancelled()`` between steps; raising ``netdesigner.analysis.landscape.Cancelled`` (or any
exception once ``cancel()`` was called) ends it with ``cancelled``, any other exception with
``failed(message)``: never with a dead window.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from netdesigner.ui.train_bridge import _gui_thread_gives_up_cpu_threads

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class AnalysisWorker(QObject):
    progress = Signal(int, int)  # done, total: the latest, at most rate_hz times a second
    finished = Signal(object)  # the job's result
    failed = Signal(str)  # the error's message
    cancelled = Signal()

    def __init__(self, rate_hz: float = 20.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._timer = QTimer(self, interval=int(1000 / rate_hz), timeout=self.drain)
        self._threads = 1
        self._ending = False  # the end is queued but not yet handed on

    # ---- control -----------------------------------------------------------------------
    def start(self, job: Job, name: str = "netdesigner-analysis", threads: int | None = None) -> None:
        """Runs ``job`` on a worker thread with ``threads`` CPU threads for torch (default: all
        the training thread would take; one beside a training run, whose own team of threads
        on the same cores would otherwise wait on it); refused while one is going."""
        if self.running:
            raise RuntimeError("an analysis is already running")
        cores = _gui_thread_gives_up_cpu_threads()
        self._threads = max(1, min(threads or cores, cores))
        self._cancel.clear()
        self._queue = queue.SimpleQueue()
        self._ending = True
        self._thread = threading.Thread(target=self._work, args=(job,), name=name, daemon=True)
        self._thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Asks the job to stop at its next step; ``cancelled`` follows."""
        self._cancel.set()

    @property
    def running(self) -> bool:
        """True from ``start`` until the end signal was emitted."""
        return self._ending or (self._thread is not None and self._thread.is_alive())

    def wait(self, timeout_s: float | None = None) -> bool:
        """Waits for the worker thread, then hands on what it queued; True when it ended."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        alive = self._thread is not None and self._thread.is_alive()
        if not alive:
            self.drain()
        return not alive

    # ---- the worker thread ---------------------------------------------------------------
    def _work(self, job: Job) -> None:
        from netdesigner.analysis.landscape import Cancelled

        try:
            import torch

            torch.set_num_threads(self._threads)  # per thread with OpenMP, as the training thread
            result = job(lambda done, total: self._queue.put(("progress", (done, total))),
                         self._cancel.is_set)
        except Cancelled:
            self._queue.put(("cancelled", None))
        except BaseException as e:  # noqa: BLE001 - whatever happens, the window hears of it
            if self._cancel.is_set():
                self._queue.put(("cancelled", None))
            else:
                self._queue.put(("failed", str(e) or type(e).__name__))
        else:
            if self._cancel.is_set():
                self._queue.put(("cancelled", None))
            else:
                self._queue.put(("finished", result))

    # ---- from the worker to the GUI ------------------------------------------------------
    def drain(self) -> None:
        """Emits the latest progress and the end, if it came."""
        last_progress = None
        end = None
        while True:
            try:
                kind, value = self._queue.get_nowait()
            except queue.Empty:
                break
            if kind == "progress":
                last_progress = value
            else:
                end = (kind, value)
        if last_progress is not None:
            self.progress.emit(*last_progress)
        if end is None:
            return
        if self._thread is not None:
            self._thread.join(2.0)
        self._timer.stop()
        self._ending = False
        kind, value = end
        if kind == "finished":
            self.finished.emit(value)
        elif kind == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
