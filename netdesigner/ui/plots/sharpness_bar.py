"""The landscape panel's sharpness readout: the largest Hessian eigenvalue (power iteration on
Hessian-vector products) and the Hessian trace (Hutchinson's estimator) of the training loss at
the present weights, each with its iterations and tolerance, as PyHessian reports them and as
``netdesigner landscape --sharpness`` prints them. Computed off the GUI thread on a private copy
of a weight snapshot (DESIGN rule 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from netdesigner.analysis.sharpness import EIGEN_TOL, TRACE_TOL
from netdesigner.core.errors import NetDesignerError
from netdesigner.ui import theme
from netdesigner.ui.analysis_worker import AnalysisWorker


def sharpness_of(source: Any, size: int, seed: int) -> dict[str, float]:
    """``analysis.sharpness.sharpness`` of ``source``'s training loss at its snapshot, on
    ``size`` training samples drawn with ``seed``, plus that sample count."""
    from netdesigner.analysis.landscape import private_copy
    from netdesigner.analysis.sharpness import sharpness

    model = private_copy(source.module, source.state, "cpu")
    model.requires_grad_(True)  # the copy is made for evaluation; Hessian-vector products need gradients
    x, y = source.batch("train", size, seed)
    found = sharpness(model, source.loss_fn.tensor, x, y, seed=seed)
    return {"eigenvalue": found["top_eigenvalue"], "iterations": found["eigenvalue_iterations"],
            "trace": found["hessian_trace"], "samples": found["trace_samples"], "size": len(x),
            "trace_error": found["trace_standard_error"]}


def describe(found: dict[str, float]) -> str:
    """Two short lines for the panel's narrow column (the tool tip says the rest)."""
    return (f"λ max {found['eigenvalue']:.4g} ({int(found['iterations'])} iterations, tol {EIGEN_TOL:g})\n"
            f"trace {found['trace']:.4g} ± {found['trace_error']:.2g} (Hutchinson, {int(found['samples'])} samples)")


class SharpnessBar(QWidget):
    def __init__(self, provider: Callable[[], Any], batch_and_seed: Callable[[], tuple[int, int]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider = provider  # returns the panel's source provider (or None)
        self.batch_and_seed = batch_and_seed
        self.result: dict[str, float] | None = None
        self.worker = AnalysisWorker(parent=self)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(lambda message: self._say(f"Sharpness failed: {message}", error=True))
        self.worker.cancelled.connect(lambda: self._say("Cancelled"))
        self.button = QPushButton("Sharpness")
        self.button.setToolTip("Largest Hessian eigenvalue and Hessian trace of the training loss at the present weights")
        self.button.clicked.connect(self.compute)
        self.label = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.label)

    def compute(self) -> bool:
        provider = self.provider()
        if self.worker.running:
            return False
        if provider is None:
            self._say("Open a project and train it first", error=True)
            return False
        try:
            source = provider()
        except NetDesignerError as e:
            self._say(str(e), error=True)
            return False
        size, seed = self.batch_and_seed()
        self._say("Computing the sharpness…")
        self.button.setEnabled(False)
        self.worker.start(lambda _progress, _cancelled: sharpness_of(source, size, seed), name="netdesigner-sharpness")
        return True

    def shutdown(self, wait_s: float = 5.0) -> None:
        self.worker.cancel()
        self.worker.wait(wait_s)

    def _on_finished(self, found: dict[str, float]) -> None:
        self.result = found
        self._say(describe(found))
        self.label.setToolTip(f"Of the Hessian of the training loss at the present weights, on {int(found['size'])} training "
                              "samples: its largest eigenvalue (the curvature along the sharpest direction) and its trace "
                              "(the sum of all curvatures), as PyHessian computes them. Power iteration stops when the "
                              f"eigenvalue changes by less than {EIGEN_TOL:g} of it; Hutchinson's estimate of the trace "
                              f"draws random ±1 vectors until its standard error (±) is {TRACE_TOL:g} of it")

    def _say(self, text: str, error: bool = False) -> None:
        self.button.setEnabled(not self.worker.running)
        self.label.setText(text)
        self.label.setStyleSheet(f"color: {theme.ERROR.name()}" if error else "")
