"""The live views' budget: a share of the run's wall time, with measured costs."""

from __future__ import annotations

from netdesigner.analysis.live_budget import LiveBudget


def test_work_starts_only_within_the_share_of_the_run_so_far() -> None:
    budget = LiveBudget(share=0.25)
    budget.start_run(now=100.0)
    assert not budget.allows(1.0, now=101.0)  # 1 s of work after 1 s of run: 100 %
    assert budget.allows(1.0, now=104.0)  # after 4 s: exactly a quarter
    budget.spend("landscape", 1.0, units=1000)
    assert not budget.allows(1.0, now=104.0)  # 2 s of 4
    assert budget.allows(1.0, now=108.0)


def test_estimates_come_from_the_last_measurement() -> None:
    budget = LiveBudget()
    assert budget.estimate("landscape", 100, fallback_per_unit_s=0.5) == 50.0
    budget.spend("landscape", 2.0, units=1000)
    assert budget.estimate("landscape", 100, fallback_per_unit_s=0.5) == 0.2
    assert budget.estimate("activations", 10, fallback_per_unit_s=0.5) == 5.0  # each kind its own


def test_between_runs_anything_may_start_and_nothing_is_counted() -> None:
    budget = LiveBudget()
    assert budget.allows(1e9)
    budget.spend("landscape", 5.0, units=10)
    assert budget.spent_s == 0.0
    budget.start_run(now=0.0)
    budget.spend("landscape", 5.0, units=10)
    assert budget.spent_s == 5.0
    budget.start_run(now=50.0)  # a new run starts with nothing spent
    assert budget.spent_s == 0.0 and budget.allows(5.0, now=70.0)
    budget.end_run()
    assert budget.allows(1e9)


def test_the_cheap_views_cannot_starve_the_surface() -> None:
    """Activations and histograms ask every epoch; they may take only a part of the share,
    so the rest grows until a whole surface fits."""
    budget = LiveBudget(share=0.25)
    budget.start_run(now=0.0)
    for second in range(1, 41):  # an activation view asks each second and takes what it may
        if budget.allows(0.05, now=float(second), kind="activations"):
            budget.spend("activations", 0.05, units=1)
    assert budget.others_spent_s <= 0.4 * 0.25 * 40 + 1e-9
    assert budget.allows(5.0, now=40.0)  # a 5 s surface fits after 40 s (10 s of share, 2 s used)
    assert not budget.allows(5.0, now=40.0, kind="history")  # but not for the others
