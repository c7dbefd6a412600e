"""One editor widget per parameter kind, made from the parameter's declaration (DESIGN rule 3).

An editor only reports what the person entered (``committed``); the owner checks it with
``Param.coerce`` and applies it through the undo stack, so the form can never hold a value the
document refused: a refused value is put back and the reason is shown beside the form.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QSpinBox, QWidget

from netdesigner.core.params import Param, ParamKind

MIXED = object()  # several selected layers disagree on this value
_INT_LIMIT = 2**31 - 1


class ParamEditor(QWidget):
    committed = Signal(object)  # the raw value entered (not yet checked)

    def __init__(self, param: Param, control: QWidget) -> None:
        super().__init__()
        self.param = param
        self.control = control
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(control)
        control.setMinimumWidth(60)  # a narrow dock squeezes fields instead of clipping them
        self.setToolTip(f"{param.doc}\nAllowed: {param.describe()}")
        self.setFocusProxy(control)

    def set_value(self, value: Any) -> None:
        """Shows ``value`` (or a blank for ``MIXED``) without reporting it as an edit."""
        self.control.blockSignals(True)
        try:
            self._show(value)
        finally:
            self.control.blockSignals(False)

    def _show(self, value: Any) -> None:
        raise NotImplementedError


class _IntEditor(ParamEditor):
    def __init__(self, param: Param) -> None:
        box = QSpinBox()
        box.setRange(int(param.minimum if param.minimum is not None else -_INT_LIMIT),
                     int(param.maximum if param.maximum is not None else _INT_LIMIT))
        box.setKeyboardTracking(False)  # typing "120" is one edit, not three
        box.setSpecialValueText("")
        super().__init__(param, box)
        box.valueChanged.connect(lambda v: self.committed.emit(int(v)))

    def _show(self, value: Any) -> None:
        self.control.setValue(self.control.minimum() if value is MIXED else int(value))
        self.control.setSpecialValueText("—" if value is MIXED else "")


class _FloatEditor(ParamEditor):
    """A line edit, not a spin box: values like 1e-5 and 0.9 both need to read naturally."""

    def __init__(self, param: Param) -> None:
        super().__init__(param, QLineEdit())
        self.control.editingFinished.connect(self._finish)

    def _finish(self) -> None:
        text = self.control.text().strip()
        if not text:
            return
        try:
            self.committed.emit(float(text))
        except ValueError:
            self.committed.emit(text)  # coerce() will say what a number looks like

    def _show(self, value: Any) -> None:
        self.control.setText("" if value is MIXED else f"{value:g}")
        self.control.setPlaceholderText("—" if value is MIXED else "")


class _BoolEditor(ParamEditor):
    def __init__(self, param: Param) -> None:
        super().__init__(param, QCheckBox())
        self.control.clicked.connect(lambda checked: self.committed.emit(bool(checked)))

    def _show(self, value: Any) -> None:
        self.control.setTristate(value is MIXED)
        if value is MIXED:
            self.control.setCheckState(self.control.checkState().PartiallyChecked)
        else:
            self.control.setTristate(False)
            self.control.setChecked(bool(value))


class _ChoiceEditor(ParamEditor):
    def __init__(self, param: Param) -> None:
        box = QComboBox()
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(6)
        box.addItems(list(param.choices))
        super().__init__(param, box)
        box.activated.connect(lambda index: self.committed.emit(param.choices[index]))

    def _show(self, value: Any) -> None:
        self.control.setCurrentIndex(-1 if value is MIXED else self.param.choices.index(value))


def parse_int_tuple(text: str) -> Any:
    """'5, 5', '5×5', '(5 5)' → (5, 5); '5' → 5; a keyword stays a word; anything else as typed."""
    text = text.strip().strip("()[]").strip()
    if re.fullmatch(r"[A-Za-z_]+", text):
        return text
    parts = [p for p in re.split(r"[\s,×xX*]+", text) if p]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return text
    return numbers[0] if len(numbers) == 1 else tuple(numbers)


def format_int_tuple(value: Any) -> str:
    return value if isinstance(value, str) else ", ".join(str(v) for v in value)


class _IntTupleEditor(ParamEditor):
    def __init__(self, param: Param) -> None:
        super().__init__(param, QLineEdit())
        self.control.editingFinished.connect(self._finish)

    def _finish(self) -> None:
        if self.control.text().strip():
            self.committed.emit(parse_int_tuple(self.control.text()))

    def _show(self, value: Any) -> None:
        self.control.setText("" if value is MIXED else format_int_tuple(value))
        self.control.setPlaceholderText("—" if value is MIXED else "")


_EDITORS = {
    ParamKind.INT: _IntEditor,
    ParamKind.FLOAT: _FloatEditor,
    ParamKind.BOOL: _BoolEditor,
    ParamKind.CHOICE: _ChoiceEditor,
    ParamKind.INT_TUPLE: _IntTupleEditor,
}


def editor_for(param: Param) -> ParamEditor:
    return _EDITORS[param.kind](param)
