"""Training a lesson's variants and checking its claims: what ``netdesigner lesson`` prints and
the window's lesson panel shows, from the same code.

Every variant trains afresh on the CPU from the project's seed (``cpu_trainer_for`` with new
weights), so a claim is checked the same way on every machine and a seeded run repeats
exactly; the project itself, its file and its weights are never touched. A variant that fails
(bad settings, NaN loss) is reported with its message and every claim naming it fails.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netdesigner.lessons.measures import RunMeasures, UnknownMeasure, describe, number

if TYPE_CHECKING:
    from netdesigner.core.lesson import Claim
    from netdesigner.core.project import Project

Progress = Callable[[str, Any], None]  # (variant name, a training event)


@dataclass
class VariantRun:
    """One variant's training: its per-epoch curves and measures, or why it failed."""

    name: str
    measures: RunMeasures | None = None
    failure: str = ""
    curves: dict[str, list[float]] = field(default_factory=dict)  # train_loss, val_loss per epoch

    @property
    def ok(self) -> bool:
        return self.measures is not None

    def describe(self) -> str:
        """'sigmoid: 8 epochs in 0.3 s; test_accuracy 0.1031, test_loss 2.305', or why it failed."""
        if self.measures is None:
            return f"{self.name}: failed: {self.failure}"
        m = self.measures
        return f"{self.name}: {int(m.epochs_run)} epochs in {m.seconds:.1f} s; {describe(m.values)}"


@dataclass
class ClaimResult:
    claim: Claim
    mine: float | None  # the claim's variant's measure
    theirs: float | None  # the compared variant's, for a comparison
    holds: bool
    problem: str = ""  # why it could not be measured

    def describe(self) -> str:
        """The claim with what was measured, e.g. '✓ … (measured 0.981; claimed ≥ 0.97)'."""
        mark = "✓" if self.holds else "✗"
        c = self.claim
        if self.problem:
            return f"{mark} {c.describe()}: {self.problem}"
        word = "≥" if c.kind == "at_least" else "≤"
        if c.than is None:
            return f"{mark} {c.describe()} (measured {number(self.mine)}; claimed {word} {c.value:g})"
        ratio = "" if not (self.theirs and self.mine is not None and math.isfinite(self.mine)) else f", ratio {self.mine / self.theirs:.3g}"
        return (f"{mark} {c.describe()} (measured {number(self.mine)} for {c.variant or 'the project'} and "
                f"{number(self.theirs)} for {c.than}{ratio}; claimed {word} {c.factor:g} ×)")


@dataclass
class LessonReport:
    runs: dict[str, VariantRun]
    results: list[ClaimResult]

    @property
    def holds(self) -> bool:
        return all(r.holds for r in self.results)


def variants_to_train(project: Project) -> list[str]:
    """The variants the claims name, in the lesson's order (the base alone without a lesson)."""
    if project.lesson is None:
        return [""]
    named = {n or project.lesson.base for c in project.lesson.claims for n in c.variants()}
    return [n for n in project.lesson.variant_names() if n in named] or [project.lesson.base]


def planned_epochs(project: Project, names: list[str]) -> int:
    """The epochs that training ``names`` takes at most, read from the settings without building
    the variants (a variant whose settings are wrong fails when it trains, with its message)."""
    total = 0
    for name in names:
        try:
            variant = project.lesson.variant(name) if project.lesson is not None else None
        except KeyError:
            continue
        epochs = (variant.training if variant is not None else {}).get("epochs", project.training.epochs)
        total += epochs if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0 else 0
    return total


def train_variant(project: Project, name: str, *, progress: Progress | None = None,
                  stopped: Callable[[], bool] | None = None) -> VariantRun:
    """Trains variant ``name`` of ``project`` as its settings say, on the CPU from fresh weights."""
    from netdesigner.core.errors import NetDesignerError
    from netdesigner.train.events import EpochEnd
    from netdesigner.train.project_trainer import cpu_trainer_for

    run = VariantRun(name)
    try:
        trainer = cpu_trainer_for(project.variant(name), initialize=True)
    except NetDesignerError as e:
        run.failure = str(e)
        return run
    run.curves = {"train_loss": [], "val_loss": []}

    def listen(event: Any) -> None:
        if isinstance(event, EpochEnd):
            run.curves["train_loss"].append(event.train_loss)
            run.curves["val_loss"].append(math.nan if event.val_loss is None else event.val_loss)
        if stopped is not None and stopped():
            trainer.stop()
        if progress is not None:
            progress(name, event)

    trainer.add_listener(listen)
    started = time.perf_counter()
    end = trainer.run()
    trainer.remove_listener(listen)
    if not end.ok:
        run.failure = end.message
    elif end.reason == "stopped":
        run.failure = "stopped before the end"
    else:
        run.measures = RunMeasures(trainer, dict(end.test_metrics), time.perf_counter() - started, end.epochs_run)
    return run


def check_claims(project: Project, runs: dict[str, VariantRun]) -> list[ClaimResult]:
    """Each claim of the lesson against the runs of the variants it names."""
    if project.lesson is None:
        return []
    base = project.lesson.base
    results = []
    for claim in project.lesson.claims:
        measured, problem = [], ""
        for name in claim.variants():
            run = runs.get(name or base)
            if run is None or not run.ok:
                problem = problem or f"{name or base} {'was not trained' if run is None else 'failed: ' + run.failure}"
                measured.append(None)
                continue
            try:
                measured.append(run.measures.get(claim.metric, claim.reach))
            except UnknownMeasure:
                problem = problem or f"{name or base} has no measure called {claim.metric!r}"
                measured.append(None)
        mine = measured[0]
        theirs = measured[1] if len(measured) > 1 else None
        holds = not problem and mine is not None and claim.holds(mine, theirs)
        results.append(ClaimResult(claim, mine, theirs, holds, problem))
    return results


def check_lesson(project: Project, *, names: list[str] | None = None, progress: Progress | None = None,
                 stopped: Callable[[], bool] | None = None) -> LessonReport:
    """Trains ``names`` (default: the variants the claims need) and checks every claim."""
    runs = {}
    for name in names if names is not None else variants_to_train(project):
        runs[name] = train_variant(project, name, progress=progress, stopped=stopped)
        if stopped is not None and stopped():
            break
    return LessonReport(runs, check_claims(project, runs))
