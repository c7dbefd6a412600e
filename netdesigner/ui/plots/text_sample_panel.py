"""Text written by a character-level language model, for the window: a prompt, a temperature,
a length and a seed, a Generate button, and the prompt (in bold) with what the model wrote.

The tab applies only to projects that train on the ``text`` data set; ``applies_changed``
tells the window to show or hide it. The writing is ``analysis.text_sampling.sample_text``
(Qt-free) on a private copy of the latest weights (a snapshot while a run trains, DESIGN
rule 6), made on the GUI thread and then run by an ``AnalysisWorker``: each character is one
forward pass over up to a window of characters, which for 200 characters takes from a few
tenths of a second to seconds on a busy CPU, too long to freeze the window for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netdesigner.core.errors import NetDesignerError
from netdesigner.ui import theme
from netdesigner.ui.analysis_worker import AnalysisWorker

DEFAULT_PROMPT = "Return the "
DEFAULT_TEMPERATURE = 0.8  # as ``netdesigner sample``
DEFAULT_LENGTH = 200
DATASET = "text"


class TextSamplePanel(QWidget):
    """``set_source(provider, dataset)``: where the weights come from and which data set the
    project trains on; ``generate()`` writes text as the controls say."""

    applies_changed = Signal(bool)  # the project now does (or no longer does) train on text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider: Callable[[], Any] | None = None
        self.dataset: Callable[[], str] = str
        self.applies: bool | None = None
        self.text = ""  # the last text written, prompt included
        self.generations = 0
        self._asked: tuple[str, float, int, int] | None = None
        self._started = 0.0
        self.worker = AnalysisWorker(parent=self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(lambda message: self._end(f"Could not write text: {message}", error=True))
        self.worker.cancelled.connect(lambda: self._end("Stopped."))

        self.prompt_edit = QLineEdit(DEFAULT_PROMPT)
        self.prompt_edit.setToolTip("The text the model continues (characters it never saw are refused)")
        self.prompt_edit.returnPressed.connect(self.generate)
        self.temperature_spin = QDoubleSpinBox(minimum=0.0, maximum=5.0, value=DEFAULT_TEMPERATURE, singleStep=0.1,
                                               decimals=2)
        self.temperature_spin.setToolTip("1 samples the model's own distribution; lower is more predictable; "
                                         "0 always takes the likeliest character")
        self.length_spin = QSpinBox(minimum=1, maximum=10_000, value=DEFAULT_LENGTH)
        self.length_spin.setToolTip("Characters to write after the prompt")
        self.seed_spin = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        self.seed_spin.setToolTip("Seed of the random draws: the same seed writes the same text")
        self.generate_button = QPushButton("Generate")
        self.generate_button.setToolTip("Write text with the latest weights (Enter in the prompt does the same)")
        self.generate_button.clicked.connect(self.generate)
        self.stop_button = QPushButton("Stop", enabled=False)
        self.stop_button.clicked.connect(self.worker.cancel)
        self.result = QPlainTextEdit(readOnly=True)
        self.result.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result.setPlaceholderText("What the model writes appears here: the prompt in bold, then its continuation.")
        self.message = QLabel(wordWrap=True)

        prompt_row = QHBoxLayout()
        prompt_row.addWidget(QLabel("Prompt"))
        prompt_row.addWidget(self.prompt_edit, 1)
        prompt_row.addWidget(self.generate_button)
        prompt_row.addWidget(self.stop_button)
        settings_row = QHBoxLayout()
        for label, spin in (("Temperature", self.temperature_spin), ("Length", self.length_spin),
                            ("Seed", self.seed_spin)):
            settings_row.addWidget(QLabel(label))
            settings_row.addWidget(spin)
        settings_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(prompt_row)
        layout.addLayout(settings_row)
        layout.addWidget(self.result, 1)
        layout.addWidget(self.message)

    def set_source(self, provider: Callable[[], Any], dataset: Callable[[], str]) -> None:
        """``provider()`` gives an ``AnalysisSource`` (weights, module, splits) or raises
        ``NetDesignerError``; ``dataset()`` names the project's data set."""
        self.provider, self.dataset = provider, dataset
        self.update_applies()

    def update_applies(self) -> bool:
        """Whether the project trains on text, told through ``applies_changed`` when it changed."""
        applies = self.dataset() == DATASET
        if applies != self.applies:
            self.applies = applies
            self.applies_changed.emit(applies)
        return applies

    # ---- writing -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker.running

    def generate(self) -> bool:
        """Starts writing text; False (with the reason shown) when it cannot."""
        from netdesigner.analysis.landscape import private_copy
        from netdesigner.analysis.text_sampling import (
            SamplingError,
            character_model,
            encode,
            sample_text,
        )

        if self.worker.running or self.provider is None:
            return False
        try:
            source = self.provider()
        except NetDesignerError as e:
            self._say(str(e), error=True)
            return False
        model = character_model(source.splits)
        if model is None:
            self._say("Text is written by a character language model: train on the Text data set.", error=True)
            return False
        prompt, temperature = self.prompt_edit.text(), self.temperature_spin.value()
        length, seed = self.length_spin.value(), self.seed_spin.value()
        try:
            encode(prompt, model.vocabulary)
        except SamplingError as e:
            self._say(str(e)[0].upper() + str(e)[1:] + ".", error=True)
            return False
        net = private_copy(source.module, source.state, "cpu")  # here: the run may be changing source.module

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> str:
            return sample_text(net, None, model, prompt, length=length, temperature=temperature, seed=seed,
                               cancelled=cancelled, progress=progress)

        self._asked = (prompt, temperature, length, seed)
        self._started = time.perf_counter()
        self._say(f"Writing {length} characters…")
        self.worker.start(job, name="netdesigner-text-sample", threads=1)  # one small model: one thread is enough
        self._update_buttons()
        return True

    def shutdown(self, wait_s: float = 5.0) -> None:
        """Stops writing and waits for the thread (before the window closes)."""
        self.worker.cancel()
        self.worker.wait(wait_s)

    # ---- from the worker -------------------------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        self._say(f"Writing… {done} of {total} characters")

    def _on_finished(self, text: str) -> None:
        prompt, temperature, length, seed = self._asked or ("", 0.0, 0, 0)
        self.text = text
        self.generations += 1
        self.result.clear()
        cursor = self.result.textCursor()
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        cursor.insertText(prompt, bold)
        cursor.insertText(text[len(prompt):], QTextCharFormat())
        self.result.moveCursor(QTextCursor.MoveOperation.Start)
        how = "the likeliest character each time" if temperature == 0 else f"temperature {temperature:g}, seed {seed}"
        self._end(f"{length} characters in {time.perf_counter() - self._started:.1f} s ({how}).")

    def _end(self, text: str, error: bool = False) -> None:
        self._say(text, error)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.worker.running
        self.generate_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.ERROR.name()}" if error else "")
