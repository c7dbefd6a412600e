"""The training panel: data set and its options, training settings, Start/Pause/Stop, progress.

A view of the project's ``DataSettings`` and ``TrainingSettings``: a change goes through the
undo stack as a ``SettingCommand`` (so it is saved, undone and marked as unsaved like any
edit), and the form is refilled from the project after every change, undo included.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from netdesigner.core.errors import NetDesignerError, ParamError
from netdesigner.core.params import Float
from netdesigner.core.project import Project
from netdesigner.ui import theme
from netdesigner.ui.commands import SettingCommand
from netdesigner.ui.param_editors import ParamEditor, editor_for
from netdesigner.ui.training_form import MAIN, TRAINING_PARAMS

FRACTIONS = (
    Float("validation_fraction", 0.2, "share of the samples held back to validate after each epoch", min=0.0, max=0.9),
    Float("test_fraction", 0.2, "share of the samples held back for the final test", min=0.0, max=0.9),
)


class _TextEditor(QWidget):
    """A data set's text option (a file, a folder, a column), with a Browse button for paths."""

    committed = Signal(object)

    def __init__(self, option: Any) -> None:
        super().__init__()
        self.option = option
        self.control = QLineEdit()
        self.control.setPlaceholderText(option.describe())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.control)
        self.setToolTip(option.doc)
        self.control.editingFinished.connect(lambda: self.committed.emit(self.control.text()))
        if option.browse:
            browse = QToolButton(text="…")
            browse.setToolTip(f"Choose a {option.browse}")
            browse.clicked.connect(self._browse)
            layout.addWidget(browse)

    def _browse(self) -> None:
        if self.option.browse == "folder":
            path = QFileDialog.getExistingDirectory(self, self.option.doc)
        else:
            pattern = " ".join(f"*{s}" for s in self.option.suffixes) or "*"
            path, _ = QFileDialog.getOpenFileName(self, self.option.doc, "", f"Data ({pattern})")
        if path:
            self.control.setText(path)
            self.committed.emit(path)

    def set_value(self, value: Any) -> None:
        self.control.blockSignals(True)
        self.control.setText(str(value))
        self.control.blockSignals(False)


def _editor(option: Any) -> ParamEditor | _TextEditor:
    return _TextEditor(option) if getattr(option, "kind", None) == "text" else editor_for(option)


class TrainDock(QScrollArea):
    start_clicked = Signal()
    pause_clicked = Signal()
    stop_clicked = Signal()
    fit_clicked = Signal()
    dataset_chosen = Signal(str)  # the person picked another data set (after the edit)
    reset_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.project: Project | None = None
        self.stack: QUndoStack | None = None
        body = QWidget()
        self.setWidget(body)
        outer = QVBoxLayout(body)

        data = QGroupBox("Data")
        data_layout = QVBoxLayout(data)
        self.dataset = QComboBox()
        self.dataset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset.setMinimumContentsLength(10)
        self.dataset.setToolTip("The data set this project trains on")
        self.dataset.activated.connect(self._dataset_chosen)
        self.data_form = QFormLayout()
        self.data_info = QLabel(wordWrap=True)
        self.data_info.setObjectName("muted")
        self.fit_button = QPushButton("Fit the graph to the data…")
        self.fit_button.setToolTip("Set the Input shape and the number of classes from the data set (asks first)")
        self.fit_button.clicked.connect(self.fit_clicked)
        self.preview_button = QPushButton("Preview samples…")
        self.preview_button.setToolTip("Look at some samples of the data set: images, rows or points")
        self.preview_button.clicked.connect(self.show_preview)
        data_layout.addWidget(self.dataset)
        data_layout.addLayout(self.data_form)
        data_layout.addWidget(self.data_info)
        data_layout.addWidget(self.preview_button)
        data_layout.addWidget(self.fit_button)

        training = QGroupBox("Training")
        training_layout = QVBoxLayout(training)
        self.main_form = QFormLayout()
        self.more_form = QFormLayout()
        more = QWidget()
        more.setLayout(self.more_form)
        more.hide()
        self.more_button = QToolButton(text="More settings", checkable=True)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button.setArrowType(Qt.ArrowType.RightArrow)
        self.more_button.toggled.connect(lambda on: (more.setVisible(on), self.more_button.setArrowType(
            Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)))
        training_layout.addLayout(self.main_form)
        training_layout.addWidget(self.more_button)
        training_layout.addWidget(more)
        self.training_editors: dict[str, ParamEditor] = {}
        for param in TRAINING_PARAMS:
            editor = editor_for(param)
            editor.committed.connect(lambda value, p=param: self._set("training", p, value))
            (self.main_form if param.name in MAIN else self.more_form).addRow(param.name.replace("_", " "), editor)
            self.training_editors[param.name] = editor
        self.fraction_editors: dict[str, ParamEditor] = {}
        for param in FRACTIONS:
            editor = editor_for(param)
            editor.committed.connect(lambda value, p=param: self._set("data", p, value))
            self.more_form.addRow(param.name.replace("_", " "), editor)
            self.fraction_editors[param.name] = editor

        run = QGroupBox("Run")
        run_layout = QVBoxLayout(run)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Train (Ctrl+R); after a run, Continue trains the same weights further")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.reset_button = QToolButton(text="Reset weights")
        self.reset_button.setToolTip("Forget the trained weights: the next Start begins from fresh ones")
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        self.start_button.clicked.connect(self.start_clicked)
        self.pause_button.clicked.connect(self.pause_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.device_label = QLabel(wordWrap=True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.reset_button)
        run_layout.addWidget(self.device_label)
        run_layout.addWidget(self.progress)
        run_layout.addWidget(self.message)
        self.confusion = QTableWidget()
        self.confusion.setToolTip("Test set: rows are the true classes, columns the predicted ones")
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.hide()
        run_layout.addWidget(self.confusion)

        outer.addWidget(data)
        outer.addWidget(training)
        outer.addWidget(run)
        outer.addStretch(1)
        self.data_editors: dict[str, Any] = {}
        self._form_for: tuple[int, str] | None = None
        self.set_running(False, has_weights=False)

    # ---- the project -------------------------------------------------------------------
    def set_project(self, project: Project, stack: QUndoStack) -> None:
        from netdesigner.data.registry import all_datasets

        self.project, self.stack = project, stack
        if not self.dataset.count():
            self.dataset.addItem("(no data set)", "")
            for spec in all_datasets():
                self.dataset.addItem(spec.title, spec.name)
                self.dataset.setItemData(self.dataset.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole)
        self.refresh()

    def refresh(self) -> None:
        """Puts the project's current settings into the form."""
        if self.project is None:
            return
        data, training = self.project.data, self.project.training
        index = self.dataset.findData(data.dataset)
        self.dataset.setCurrentIndex(max(index, 0))
        if self._form_for != (id(self.project), data.dataset):
            self._build_data_form()
        else:
            self._fill_data_form()
        for name, editor in self.training_editors.items():
            editor.set_value(getattr(training, name) if name != "device" or training.device in ("auto", "cpu", "cuda", "mps") else "cuda")
        for name, editor in self.fraction_editors.items():
            editor.set_value(getattr(data, name))

    def _build_data_form(self) -> None:
        """New editors for a newly chosen data set (never from inside an editor's own signal)."""
        from netdesigner.data.registry import dataset_spec

        while self.data_form.rowCount():
            self.data_form.removeRow(0)
        self.data_editors = {}
        name = self.project.data.dataset
        self._form_for = (id(self.project), name)
        if not name:
            self.data_info.setText("Choose a data set to train on.")
            return
        try:
            spec = dataset_spec(name)
            values = spec.coerce_options(self.project.data.options)
        except NetDesignerError as e:
            self.data_info.setText(f"<span style='color:{theme.ERROR.name()}'>{e}</span>")
            return
        self.data_info.setText(spec.description)
        for option in spec.params:
            editor = _editor(option)
            editor.set_value(values[option.name])
            editor.committed.connect(lambda value, o=option: self._set_option(o, value))
            self.data_form.addRow(option.name.replace("_", " "), editor)
            self.data_editors[option.name] = editor

    def _fill_data_form(self) -> None:
        from netdesigner.data.registry import dataset_spec

        if not self.data_editors:
            return
        try:
            values = dataset_spec(self.project.data.dataset).coerce_options(self.project.data.options)
        except NetDesignerError as e:
            self.data_info.setText(f"<span style='color:{theme.ERROR.name()}'>{e}</span>")
            return
        for name, editor in self.data_editors.items():
            editor.set_value(values[name])

    def show_preview(self) -> None:
        from netdesigner.ui.data_preview_dialog import DataPreviewDialog

        if not self.project.data.dataset:
            self.message.setText("Choose a data set first.")
            return
        dialog = DataPreviewDialog(self.project.data.dataset, dict(self.project.data.options), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.preview_dialog = dialog

    # ---- edits -------------------------------------------------------------------------
    def _push(self, section: str, field: str, value: Any, text: str) -> None:
        settings = getattr(self.project, section)
        if getattr(settings, field) == value:
            return
        self.stack.push(SettingCommand(settings, field, value, text, on_change=self.refresh))

    def _checked(self, param: Any, raw: Any) -> tuple[bool, Any]:
        """(True, the value in stored form), or (False, None) with the reason shown and the
        form put back to the project's value."""
        try:
            value = param.coerce(raw)
        except ParamError as e:
            self.message.setText(f"<span style='color:{theme.ERROR.name()}'>{e}</span>")
            self.refresh()
            return False, None
        self.message.clear()
        return True, value

    def _set(self, section: str, param: Any, raw: Any) -> None:
        ok, value = self._checked(param, raw)
        if ok:
            self._push(section, param.name, value, f"Set {param.name.replace('_', ' ')} to {value}")

    def _dataset_chosen(self, index: int) -> None:
        name = self.dataset.itemData(index)
        if name == self.project.data.dataset:
            return
        self.stack.beginMacro(f"Train on {self.dataset.itemText(index)}")
        self._push("data", "options", {}, "options")
        self._push("data", "dataset", name, "data set")
        self.stack.endMacro()
        self.dataset_chosen.emit(name)

    def _set_option(self, option: Any, raw: Any) -> None:
        ok, value = self._checked(option, raw)
        if not ok:
            return
        options = dict(self.project.data.options)
        options[option.name] = list(value) if isinstance(value, tuple) else value
        self._push("data", "options", options, f"Set {option.name} of the data set")

    def show_confusion(self, matrix: list[list[int]] | None, names: tuple[str, ...] = ()) -> None:
        """The test set's confusion matrix; hidden for tasks without classes."""
        if not matrix:
            self.confusion.hide()
            return
        n = len(matrix)
        labels = list(names) if len(names) == n else [str(i) for i in range(n)]
        self.confusion.setRowCount(n)
        self.confusion.setColumnCount(n)
        self.confusion.setVerticalHeaderLabels(labels)
        self.confusion.setHorizontalHeaderLabels(labels)
        biggest = max(max(row) for row in matrix) or 1
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if count:
                    shade = QColor(theme.colours().node_selected if i == j else theme.ERROR)
                    shade.setAlpha(40 + int(160 * count / biggest))
                    item.setBackground(shade)
                self.confusion.setItem(i, j, item)
        self.confusion.resizeColumnsToContents()
        self.confusion.resizeRowsToContents()
        self.confusion.setMinimumHeight(min(320, self.confusion.verticalHeader().length() + 30))
        self.confusion.show()

    # ---- run state ---------------------------------------------------------------------
    def set_running(self, running: bool, *, has_weights: bool, paused: bool = False) -> None:
        self.start_button.setEnabled(not running)
        self.start_button.setText("Continue" if has_weights and not running else "Start")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(has_weights and not running)
        for editor in (*self.training_editors.values(), *self.fraction_editors.values(), self.dataset, self.fit_button,
                       self.preview_button):
            editor.setEnabled(not running)
        for editor in self.data_editors.values():
            editor.setEnabled(not running)
