"""The generated PyTorch code, read-only and highlighted, following the document.

Compiling costs tens of milliseconds on a large graph, so the code is regenerated only while
the view is visible, and at most once per pause in editing (a short single-shot timer).
"""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import QColor, QFont, QFontDatabase, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QPlainTextEdit

from netdesigner.core.errors import NetDesignerError
from netdesigner.core.graph import Graph


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, names after ``def``/``class``, numbers, strings and comments; enough for code we generate."""

    def __init__(self, document, dark: bool = False) -> None:
        super().__init__(document)
        colours = ("#c678dd", "#61afef", "#d19a66", "#98c379", "#7f848e") if dark else (
            "#8839c4", "#1f5fbf", "#a0522d", "#2b7a35", "#7a808a")
        kw, name, number, string, comment = colours
        words = "|".join(keyword.kwlist + ["self"])
        self.rules = [
            (QRegularExpression(rf"\b(?:{words})\b"), _format(kw, bold=True), 0),
            (QRegularExpression(r"\b(?:def|class)\s+(\w+)"), _format(name, bold=True), 1),
            (QRegularExpression(r"\b\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"), _format(number), 0),
            (QRegularExpression(r"'[^']*'|\"[^\"]*\""), _format(string), 0),
            (QRegularExpression(r"#.*$"), _format(comment, italic=True), 0),
        ]

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt, group in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(group), match.capturedLength(group), fmt)


class CodeView(QPlainTextEdit):
    def __init__(self, dark: bool = False) -> None:
        super().__init__(readOnly=True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.document(), dark)
        self.graph: Graph | None = None
        self.title = "Network"  # the project's name: the class is named after it
        self._stale = True
        self._timer = QTimer(self, singleShot=True, interval=250, timeout=self.regenerate)

    def set_graph(self, graph: Graph, title: str = "Network") -> None:
        self.graph, self.title = graph, title
        self.document_changed()

    def document_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._timer.start()

    def regenerate(self) -> None:
        if self.graph is None:
            return
        from netdesigner.export.python_model_source import graph_source

        self._stale = False
        scroll = self.verticalScrollBar().value()
        try:
            text = graph_source(self.graph, self.title)
        except NetDesignerError as e:
            text = "# The graph does not compile yet:\n" + re.sub(r"(?m)^", "# ", str(e))
        if text != self.toPlainText():
            self.setPlainText(text)
            self.verticalScrollBar().setValue(scroll)
