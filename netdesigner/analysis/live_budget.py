"""How much of a training run the live views may take: a share of its wall time.

Live views (the loss surface, activations) compute beside the training thread on the same
cores, so each second they take is, on a small machine, nearly a second of training lost. A
view may start only while the live work of this run, with its own estimated cost added, stays
within ``share`` of the time the run has gone: short runs see their views at the end, long
runs see them often, and training keeps at least about 1 − share of its speed either way.

The cheap views (activations, histograms) ask often and would spend the share as it grows,
so the loss surface, which needs a large piece at once, never got one (no live surface in
120 epochs of the digits CNN): together they may take only ``OTHERS_SHARE`` of it. Qt-free,
so the rule is tested without a window; the window holds one budget for all views.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

LARGE_KIND = "landscape"  # the view that needs its work in large pieces
OTHERS_SHARE = 0.4  # of the share: what the other views together may take


@dataclass
class LiveBudget:
    share: float = 0.25
    run_started_at: float | None = None  # perf_counter time; None between runs
    spent_s: float = 0.0  # live work in this run so far
    others_spent_s: float = 0.0  # of which by views other than the landscape
    cost_per_unit_s: dict[str, float] = field(default_factory=dict)  # measured, per kind of view

    def start_run(self, now: float | None = None) -> None:
        self.run_started_at = time.perf_counter() if now is None else now
        self.spent_s = self.others_spent_s = 0.0

    def end_run(self) -> None:
        self.run_started_at = None

    def estimate(self, kind: str, units: float, fallback_per_unit_s: float) -> float:
        """Seconds ``units`` of work of ``kind`` should take: as measured last time, else the fallback."""
        return units * self.cost_per_unit_s.get(kind, fallback_per_unit_s)

    def allows(self, estimate_s: float, now: float | None = None, kind: str = LARGE_KIND) -> bool:
        """Whether work of ``kind`` of about ``estimate_s`` seconds may start now in the current run."""
        if self.run_started_at is None:
            return True  # no run: nothing to slow down
        elapsed = (time.perf_counter() if now is None else now) - self.run_started_at
        if self.spent_s + estimate_s > self.share * elapsed:
            return False
        return kind == LARGE_KIND or self.others_spent_s + estimate_s <= OTHERS_SHARE * self.share * elapsed

    def spend(self, kind: str, seconds: float, units: float) -> None:
        """Work of ``kind`` took ``seconds`` for ``units``: counted, and remembered for estimates."""
        if self.run_started_at is not None:
            self.spent_s += seconds
            if kind != LARGE_KIND:
                self.others_spent_s += seconds
        if units > 0:
            self.cost_per_unit_s[kind] = seconds / units
