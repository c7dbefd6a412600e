"""The inspector: a form for the selected layers, made from their parameter declarations.

Edits go through the undo stack as they are made. With several layers of one type selected,
a field shows their common value (or a blank when they differ) and an edit sets it on all of
them as one command. The lower part shows what inference found: shapes, parameters, MACs.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netdesigner.core.edits import Group, Rename, SetParam
from netdesigner.core.errors import GraphError
from netdesigner.core.graph import Graph
from netdesigner.core.shapes import ShapeReport
from netdesigner.core.summary import human
from netdesigner.core.validation import Problem, Severity
from netdesigner.ui import theme
from netdesigner.ui.commands import push_edit
from netdesigner.ui.param_editors import MIXED, ParamEditor, editor_for


class Inspector(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.graph: Graph | None = None
        self.stack: QUndoStack | None = None
        self.node_ids: list[str] = []
        self.editors: dict[str, ParamEditor] = {}
        self._report: ShapeReport | None = None
        self._problems: list[Problem] = []

        body = QWidget()
        self.setWidget(body)
        outer = QVBoxLayout(body)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.doc = QLabel(wordWrap=True)
        self.doc.setObjectName("muted")
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The layer's name: an identifier, used in the generated code and weight names")
        self.name_edit.editingFinished.connect(self._rename)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet(f"color: {theme.ERROR.name()};")
        self.facts = QLabel(wordWrap=True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.title, self.doc):
            outer.addWidget(widget)
        outer.addLayout(self.form)
        outer.addWidget(self.message)
        outer.addWidget(self.facts)
        outer.addStretch(1)
        self.show_nodes([])

    def set_document(self, graph: Graph, stack: QUndoStack) -> None:
        self.graph, self.stack = graph, stack
        self.show_nodes([])

    # ---- what is shown -----------------------------------------------------------------
    def show_nodes(self, node_ids: list[str]) -> None:
        """Rebuilds the form for a new selection."""
        self.node_ids = [n for n in node_ids if self.graph is not None and n in self.graph]
        self.message.clear()
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for part in (row.labelItem, row.fieldItem):
                widget = part.widget() if part is not None else None
                if widget is self.name_edit:
                    widget.hide()
                elif widget is not None:
                    widget.deleteLater()
        self.editors = {}
        nodes = [self.graph.node(n) for n in self.node_ids]
        types = {n.type for n in nodes}
        if not nodes:
            self.title.setText("<b>No layer selected</b>")
            self.doc.setText("Select a layer on the canvas to see and change its settings.")
        elif len(types) > 1:
            self.title.setText(f"<b>{len(nodes)} layers</b> of {len(types)} types")
            self.doc.setText("Select layers of one type to change their settings together.")
        else:
            t = nodes[0].layer_type
            self.title.setText(f"<b>{nodes[0].name if len(nodes) == 1 else f'{len(nodes)} layers'}</b> · {t.name}")
            self.doc.setText(t.doc)
            if len(nodes) == 1:
                self.form.addRow("name", self.name_edit)
                self.name_edit.show()
            for param in t.params:
                editor = editor_for(param)
                editor.committed.connect(lambda value, p=param.name: self._set_param(p, value))
                self.form.addRow(param.name, editor)
                self.editors[param.name] = editor
        self.refresh()

    def refresh(self, report: ShapeReport | None = None, problems: list[Problem] | None = None) -> None:
        """Puts the document's current values and inference's findings into the form."""
        if report is not None:
            self._report = report
        if problems is not None:
            self._problems = problems
        if self.graph is None:
            return
        gone = [n for n in self.node_ids if n not in self.graph]
        if gone:
            self.show_nodes([n for n in self.node_ids if n not in gone])
            return
        nodes = [self.graph.node(n) for n in self.node_ids]
        if len(nodes) == 1:
            self.name_edit.blockSignals(True)
            self.name_edit.setText(nodes[0].name)
            self.name_edit.blockSignals(False)
        for name, editor in self.editors.items():
            values = {repr(n.params[name]) for n in nodes}
            editor.set_value(nodes[0].params[name] if len(values) == 1 else MIXED)
        self.facts.setText(self._facts_html())

    def _facts_html(self) -> str:
        if not self.node_ids or self._report is None:
            return ""
        found = [self._report.nodes.get(n) for n in self.node_ids]
        lines = []
        if len(self.node_ids) == 1 and found[0] is not None:
            shape = found[0]
            for i, t in enumerate(shape.inputs):
                lines.append(f"input {i}: <b>{t}</b>" if len(shape.inputs) > 1 else f"input: <b>{t}</b>")
            for i, t in enumerate(shape.outputs):
                lines.append(f"output {i}: <b>{t}</b>" if len(shape.outputs) > 1 else f"output: <b>{t}</b>")
        params = sum(f.params for f in found if f is not None)
        macs = sum(f.macs for f in found if f is not None)
        lines.append(f"parameters: <b>{params:,}</b>")
        lines.append(f"MACs per sample: <b>{human(macs)}</b>")
        mine = set(self.node_ids)
        for problem in self._problems:
            if problem.node_id in mine and problem.severity is Severity.ERROR:
                lines.append(f"<span style='color:{theme.ERROR.name()}'>⚠ {problem.message}</span>")
        return "<br>".join(lines)

    # ---- edits -------------------------------------------------------------------------
    def _set_param(self, param_name: str, raw: Any) -> None:
        nodes = [self.graph.node(n) for n in self.node_ids]
        param = nodes[0].layer_type.param(param_name)
        try:
            value = param.coerce(raw)
            edits = tuple(SetParam(n.id, param_name, value) for n in nodes if n.params[param_name] != value)
            if edits:
                who = nodes[0].name if len(nodes) == 1 else f"{len(nodes)} layers"
                push_edit(self.stack, self.graph, Group(edits), f"Set {param_name} of {who}")
            self.message.clear()
        except GraphError as e:  # ParamError included: the value is not applied
            self.message.setText(str(e))
        self.refresh()

    def _rename(self) -> None:
        if len(self.node_ids) != 1:
            return
        node = self.graph.node(self.node_ids[0])
        new = self.name_edit.text().strip()
        if new == node.name:
            return
        try:
            push_edit(self.stack, self.graph, Rename(node.id, new), f"Rename {node.name} to {new}")
            self.message.clear()
        except GraphError as e:
            self.message.setText(str(e))
        self.refresh()
