"""File > Export…: the model as ONNX, weights, a torch.export program or a PyTorch package,
written and checked on a worker thread (an ONNX export takes seconds), with the check's
report shown in the dialog. The work itself is ``export.formats.export_project``, the same
call the ``netdesigner export`` command makes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netdesigner.core.errors import NetDesignerError
from netdesigner.export.formats import ExportFormat, default_output
from netdesigner.ui import theme


class ExportThread(QThread):
    """Runs one export; ``done(outcome_or_error_text)``."""

    done = Signal(object)

    def __init__(self, project: Any, fmt: ExportFormat, output: Path, opset: int | None) -> None:
        super().__init__()
        self.project, self.fmt, self.output, self.opset = project, fmt, output, opset

    def run(self) -> None:
        from netdesigner.export.formats import export_project

        try:
            self.done.emit(export_project(self.project, self.fmt, self.output, opset=self.opset))
        except NetDesignerError as e:
            self.done.emit(str(e))
        except (OSError, RuntimeError, ValueError) as e:  # what torch or the file system raise
            self.done.emit(f"{type(e).__name__}: {e}")


class ExportDialog(QDialog):
    def __init__(self, project: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.resize(720, 460)
        self.project = project
        self.thread: ExportThread | None = None
        self.outcome: Any = None
        self.format_combo = QComboBox()
        for fmt in ExportFormat:
            self.format_combo.addItem(fmt.title, fmt)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.output_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.output_edit, 1)
        row.addWidget(browse)
        self.opset_spin = QSpinBox(minimum=0, maximum=30, value=0)
        self.opset_spin.setSpecialValueText("newest supported")
        self.opset_spin.setToolTip("ONNX opset: the newest that both the exporter and onnxruntime support unless set")
        form = QFormLayout()
        form.addRow("Format", self.format_combo)
        form.addRow("Save to", row)
        form.addRow("ONNX opset", self.opset_spin)
        weights = "its trained weights" if project.weights else "freshly initialised weights (train it first to export trained ones)"
        self.about = QLabel(f"Exports <b>{project.name}</b> in eval mode with {weights}, then checks the result.")
        self.about.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setTextVisible(False)
        self.report = QPlainTextEdit(readOnly=True)
        self.report.setFont(QFont("monospace"))
        self.report.setPlaceholderText("The check's report appears here.")
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.clicked.connect(self.start)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)
        self._format_changed()

    # ---- choices ------------------------------------------------------------------------------
    def fmt(self) -> ExportFormat:
        return self.format_combo.currentData()

    def _format_changed(self, _index: int = 0) -> None:
        stem = self.project.path if self.project.path else Path.home() / _file_stem(self.project.name)
        self.output_edit.setText(str(default_output(Path(stem).with_suffix(".ndproj"), self.fmt())))
        self.opset_spin.setEnabled(self.fmt() is ExportFormat.ONNX)

    def _browse(self) -> None:
        if self.fmt() is ExportFormat.PYTHON:
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the PyTorch package", self.output_edit.text())
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.output_edit.text())
        if chosen:
            self.output_edit.setText(chosen)

    # ---- running ------------------------------------------------------------------------------
    def start(self) -> bool:
        """Starts the export of a snapshot of the project (edits made meanwhile do not leak in)."""
        if self.thread is not None:
            return False
        text = self.output_edit.text().strip()
        if not text:
            self.report.setPlainText("Choose where to save the export.")
            return False
        self.outcome = None
        self.report.setPlainText(f"Exporting to {text} and checking it…")
        self.progress.setRange(0, 0)  # busy
        self.export_button.setEnabled(False)
        from netdesigner.core.project_format import graph_from_json, graph_to_json

        snapshot = copy.copy(self.project)
        snapshot.graph = graph_from_json(graph_to_json(self.project.graph), self.project.name)
        snapshot.weights = dict(self.project.weights) if self.project.weights else None
        self.thread = ExportThread(snapshot, self.fmt(), Path(text), self.opset_spin.value() or None)
        self.thread.done.connect(self._done)
        _pause_collection()
        self.thread.start()
        return True

    def _done(self, outcome: Any) -> None:
        self.thread.wait()
        self.thread = None
        _resume_collection()
        self.outcome = outcome
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.export_button.setEnabled(True)
        if isinstance(outcome, str):
            self.report.setPlainText(f"Export failed: {outcome}")
            self._colour(False)
            return
        self.report.setPlainText(outcome.text)
        self._colour(outcome.ok)

    def _colour(self, ok: bool) -> None:
        colour = theme.colours().text.name() if ok else theme.ERROR.name()
        self.report.setStyleSheet(f"color: {colour};")

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        """Closing waits for a running export (its files are written atomically either way)."""
        if self.thread is not None:
            self.thread.wait()
            self.thread = None
            _resume_collection()
        super().done(result)


def _pause_collection() -> None:
    """Collects now, then no automatic garbage collection until the export ends. CI hung twice
    with the GUI thread inside a collection while the export thread ran (tracing, compiling);
    the suspect is a collected Qt or torch object whose destructor waits on the other thread
    while that thread waits for the interpreter lock. An export takes seconds; memory can wait."""
    import gc

    gc.collect()
    gc.disable()


def _resume_collection() -> None:
    import gc

    gc.enable()


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_") or "model"
