"""Stop and pause: flags another thread sets and the training loop reads between batches.

Pausing waits on an event (no spinning, no polling interval); stopping also wakes a paused
loop, so a stop always takes effect before the next batch.
"""

from __future__ import annotations

import threading
import time


class RunControl:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._go = threading.Event()
        self._go.set()

    def stop(self) -> None:
        self._stop.set()
        self._go.set()

    def pause(self) -> None:
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    @property
    def paused(self) -> bool:
        return not self._go.is_set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        """A new run: forget an earlier stop (a pause asked for before the run still holds)."""
        self._stop.clear()

    def hold(self) -> float:
        """Waits while paused; returns the seconds waited (left out of the run's timings)."""
        if self._go.is_set():
            return 0.0
        started = time.perf_counter()
        self._go.wait()
        return time.perf_counter() - started
