"""Document edits as ``QUndoCommand``s: the undo stack only ever calls the core's edits."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from netdesigner.core.edits import Edit
from netdesigner.core.graph import Graph


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
    stack.push(EditCommand(graph, edit, text))
