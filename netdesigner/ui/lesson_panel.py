"""The Lesson tab: what an example project teaches, what to look at, and its promised results
checked by training the variants it compares, their curves overlaid as they train.

"Check the results" runs ``lessons.runner.check_lesson`` on a worker thread (the same code as
``netdesigner lesson``): every variant the claims name trains on the CPU from fresh weights,
so the document, its weights and its file are never touched. "Open variant" opens one variant
as a new, unsaved document, to train it with every live view.
"""

from __future__ import annotations

import html
import math
import threading
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from netdesigner.ui import theme
from netdesigner.ui.analysis_worker import AnalysisWorker

VARIANT_COLOURS = ("#2f6fde", "#d9822b", "#2a9d8f", "#a7489b", "#c0506a", "#56a86b")
NO_LESSON = ("This project has no lesson. Each example of File › New from example has one: the idea it shows, "
             "what to look at while it trains, and results it promises that “Check the results” measures.")


class LessonPanel(QWidget):
    open_variant = Signal(str)  # the variant's name: the window opens it as a new document

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.worker = AnalysisWorker(rate_hz=5.0, parent=self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self._curves: dict[str, list[float]] = {}  # variant → validation loss per epoch, filled by the worker
        self._curves_lock = threading.Lock()
        self.report: Any = None

        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.check_button = QPushButton("Check the results")
        self.check_button.setToolTip("Train every variant the promised results name (CPU, fresh weights) and measure them")
        self.check_button.clicked.connect(self.check)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.worker.cancel)
        self.variants = QComboBox()
        self.variants.setToolTip("A variant of this lesson: the project with some settings or layers changed")
        self.open_button = QPushButton("Open variant")
        self.open_button.setToolTip("Open the chosen variant as a new, unsaved project, to train it with every live view")
        self.open_button.clicked.connect(lambda: self.open_variant.emit(self.variants.currentText()))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()

        c = theme.colours()
        self.plot = pg.PlotWidget(background=c.node_fill)
        self.plot.setTitle("Validation loss of each variant", color=c.text.name(), size="9pt")
        self.plot.setLabel("bottom", "epoch", color=c.muted_text.name())
        self.plot.setLabel("left", "loss", color=c.muted_text.name())
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setLogMode(y=True)
        self.legend = self.plot.addLegend(offset=(-6, 4), labelTextColor=c.text.name())
        self.lines: dict[str, Any] = {}

        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Variant:"))
        buttons.addWidget(self.variants, 1)
        buttons.addWidget(self.open_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text, 1)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.plot)
        splitter.setSizes([520, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.set_project(None)

    # ---- the document ------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """Shows ``project``'s lesson (a check under way for the previous one is cancelled)."""
        if self.worker.running:
            self.worker.cancel()
            self.worker.wait(5.0)
        self.project = project
        self.report = None
        self._clear_curves()
        lesson = getattr(project, "lesson", None)
        self.variants.clear()
        if lesson is not None:
            self.variants.addItems(lesson.variant_names())
        self._render()
        self._update_buttons()

    def _render(self) -> None:
        lesson = getattr(self.project, "lesson", None)
        if lesson is None:
            self.text.setHtml(f"<p>{html.escape(NO_LESSON)}</p>")
            return
        p = self.project
        parts = [f"<h3>{html.escape(lesson.topic or p.name)}</h3>",
                 f"<p><b>{html.escape(p.name)}.</b> {html.escape(p.description)}</p>",
                 f"<p><b>What to look at.</b> {html.escape(lesson.look_at)}</p>"]
        if lesson.variants:
            rows = [f"<li><b>{html.escape(lesson.base)}</b>: the project as drawn</li>"]
            rows += [f"<li><b>{html.escape(v.name)}</b>{': ' + html.escape(v.note) if v.note else ''}</li>" for v in lesson.variants]
            parts.append(f"<p><b>Variants</b></p><ul>{''.join(rows)}</ul>")
        results = {id(r.claim): r for r in (self.report.results if self.report is not None else [])}
        claims = []
        for claim in lesson.claims:
            result = results.get(id(claim))
            if result is None:
                claims.append(f"<li>{html.escape(claim.describe())}</li>")
            else:
                colour = "#1a7f37" if result.holds else theme.ERROR.name()
                claims.append(f"<li><span style='color:{colour}'>{html.escape(result.describe())}</span></li>")
        parts.append(f"<p><a name='results'></a><b>Promised results</b></p><ul>{''.join(claims)}</ul>")
        if self.report is not None:
            runs = [f"<li>{html.escape(run.describe())}</li>" for run in self.report.runs.values()]
            parts.append(f"<p><b>Measured</b></p><ul>{''.join(runs)}</ul>")
        self.text.setHtml("".join(parts))

    # ---- checking ----------------------------------------------------------------------
    def check(self) -> bool:
        """Trains the variants the claims name, off the GUI thread; False when there is nothing to check."""
        from netdesigner.lessons.runner import planned_epochs, variants_to_train

        if self.project is None or self.project.lesson is None or self.worker.running:
            return False
        project = self.project
        names = variants_to_train(project)
        total = planned_epochs(project, names)
        self.report = None
        self._clear_curves()
        self._render()
        curves, lock = self._curves, self._curves_lock

        def job(progress, cancelled):
            from netdesigner.lessons.runner import check_lesson
            from netdesigner.train.events import EpochEnd

            done = [0]

            def on_event(name: str, event: Any) -> None:
                if isinstance(event, EpochEnd):
                    with lock:
                        loss = event.val_loss if event.val_loss is not None else event.train_loss
                        curves.setdefault(name, []).append(loss)
                    done[0] += 1
                    progress(done[0], total)

            return check_lesson(project, names=names, progress=on_event, stopped=cancelled)

        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat(f"training {len(names)} variant(s): %v of %m epochs")
        self.progress.show()
        self.worker.start(job, name="netdesigner-lesson")
        self._update_buttons()
        return True

    def cancel(self) -> None:
        self.worker.cancel()

    def shutdown(self, wait_s: float = 5.0) -> None:
        """Cancels a check and waits for its thread (before the window closes)."""
        self.worker.cancel()
        self.worker.wait(wait_s)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)
        self._draw_curves()

    def _on_finished(self, report: Any) -> None:
        self.report = report
        self.progress.hide()
        self._draw_curves()
        self._render()
        self.text.scrollToAnchor("results")
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.text.append(f"<p style='color:{theme.ERROR.name()}'>The check failed: {html.escape(message)}</p>")
        self._update_buttons()

    def _on_cancelled(self) -> None:
        self.progress.hide()
        self._render()
        self.text.append("<p>Stopped: nothing was measured.</p>")
        self._update_buttons()

    # ---- drawing -----------------------------------------------------------------------
    def _clear_curves(self) -> None:
        with self._curves_lock:
            self._curves.clear()
        for line in self.lines.values():
            self.plot.removeItem(line)
        self.legend.clear()
        self.lines = {}

    def _draw_curves(self) -> None:
        names = self.project.lesson.variant_names() if self.project is not None and self.project.lesson else []
        with self._curves_lock:
            copies = {name: list(values) for name, values in self._curves.items()}
        for name, values in copies.items():
            ys = [v if v is not None and math.isfinite(v) and v > 0 else math.nan for v in values]
            if name not in self.lines:
                colour = VARIANT_COLOURS[names.index(name) % len(VARIANT_COLOURS)] if name in names else "#888888"
                self.lines[name] = self.plot.plot([], [], pen=pg.mkPen(colour, width=2), name=name)
            self.lines[name].setData(list(range(1, len(ys) + 1)), ys)

    def shown_curves(self) -> dict[str, int]:
        """Points drawn per variant (for tests and screenshots)."""
        return {name: len(line.getData()[0] if line.getData()[0] is not None else []) for name, line in self.lines.items()}

    def _update_buttons(self) -> None:
        has = self.project is not None and self.project.lesson is not None
        running = self.worker.running
        self.check_button.setEnabled(has and not running)
        self.stop_button.setEnabled(running)
        self.variants.setEnabled(has)
        self.open_button.setEnabled(has and not running)
