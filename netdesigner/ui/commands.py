"""Document edits as ``QUndoCommand``s: the undo stack only ever calls the core's edits."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from netdesigner.core.edits import Edit
from netdesigner.core.errors import GraphError
from netdesigner.core.graph import Graph

LOCK_PROPERTY = "netdesigner_locked"  # on the stack: why the document refuses edits just now


class EditCommand(QUndoCommand):
    """One edit on the stack. It is applied when made, so a refused edit (``GraphError``)
    raises before anything is pushed; ``QUndoStack.push`` then calls ``redo`` once more,
    which is skipped."""

    def __init__(self, graph: Graph, edit: Edit, text: str) -> None:
        super().__init__(text)
        self._graph = graph
        self._forward = edit
        self._backward = graph.apply(edit)
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._backward = self._graph.apply(self._forward)

    def undo(self) -> None:
        self._forward = self._graph.apply(self._backward)


def push_edit(stack: QUndoStack, graph: Graph, edit: Edit, text: str) -> None:
    """Applies and pushes an edit; ``GraphError`` (nothing changed) if refused or locked."""
    reason = stack.property(LOCK_PROPERTY)
    if reason:
        raise GraphError(reason)
    stack.push(EditCommand(graph, edit, text))


class SettingCommand(QUndoCommand):
    """One data or training setting of the project changed, so the undo stack holds it too and
    the document counts as modified."""

    def __init__(self, settings: object, field: str, value: object, text: str, on_change=None) -> None:
        super().__init__(text)
        self._settings = settings
        self._field = field
        self._new = value
        self._old = getattr(settings, field)
        self._on_change = on_change

    def redo(self) -> None:
        setattr(self._settings, self._field, self._new)
        if self._on_change is not None:
            self._on_change()

    def undo(self) -> None:
        setattr(self._settings, self._field, self._old)
        if self._on_change is not None:
            self._on_change()
