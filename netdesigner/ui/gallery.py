"""File > New from example: the example projects in the order of the canon, each with the
idea it teaches, what to look at and the results it promises."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
)

from netdesigner.examples import Example, list_examples

PATH_ROLE = Qt.ItemDataRole.UserRole


class ExampleGallery(QDialog):
    def __init__(self, parent=None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from example")
        self.resize(860, 520)
        self.examples = list_examples(folder)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for example in self.examples:
            topic = f"{example.topic}: " if example.topic else ""
            item = QListWidgetItem(f"{topic}{example.name}")
            item.setData(PATH_ROLE, str(example.path))
            item.setToolTip(example.description)
            self.list.addItem(item)
        self.details = QTextBrowser()
        self.list.currentRowChanged.connect(self._show_details)
        if self.list.count():
            self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.details)
        splitter.setSizes([330, 530])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Each example is a lesson of the deep-learning canon: open one, look, train, change it."))
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def _show_details(self, row: int) -> None:
        if not 0 <= row < len(self.examples):
            self.details.clear()
            return
        self.details.setHtml(describe(self.examples[row]))

    def chosen_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None


def describe(example: Example) -> str:
    """The gallery's page for one example, as HTML."""
    parts = [f"<h3>{html.escape(example.name)}</h3>"]
    if example.topic:
        parts.append(f"<p><i>{html.escape(example.topic)}</i></p>")
    parts.append(f"<p>{html.escape(example.description)}</p>")
    if example.look_at:
        parts.append(f"<p><b>What to look at.</b> {html.escape(example.look_at)}</p>")
    if example.claims:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in example.claims)
        parts.append(f"<p><b>It promises</b> (Lesson tab › Check the results measures it)</p><ul>{items}</ul>")
    return "".join(parts)
