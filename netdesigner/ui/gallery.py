"""File > New from example: the example projects with their one-line descriptions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from netdesigner.examples import list_examples

PATH_ROLE = Qt.ItemDataRole.UserRole


class ExampleGallery(QDialog):
    def __init__(self, parent=None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from example")
        self.resize(560, 420)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for example in list_examples(folder):
            item = QListWidgetItem(f"{example.name}\n{example.description}")
            item.setData(PATH_ROLE, str(example.path))
            item.setToolTip(str(example.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Each example is a lesson: open one, look, train, change it."))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None
