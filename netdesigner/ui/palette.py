"""The layer palette: every catalogue type by category, with a search field and the doc as tooltip."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netdesigner.core.catalog import by_category
from netdesigner.ui import theme
from netdesigner.ui.canvas.view import LAYER_MIME_TYPE

TYPE_ROLE = Qt.ItemDataRole.UserRole


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(colour)
    return QIcon(pixmap)


class _LayerTree(QTreeWidget):
    """Layer items drag out as their type name, which the canvas accepts as a drop."""

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME_TYPE]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        names = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if names:
            data.setData(LAYER_MIME_TYPE, names[0].encode())
            data.setText(names[0])
        return data


class Palette(QWidget):
    layer_chosen = Signal(str)  # a layer type name, on double-click

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit(placeholderText="Search layers…", clearButtonEnabled=True)
        self.tree = _LayerTree(headerHidden=True)
        self.tree.setRootIsDecorated(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        for category, types in by_category().items():
            if not types:
                continue
            group = QTreeWidgetItem(self.tree, [category.value])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            icon = _swatch(theme.category_colour(category))
            for t in types:
                item = QTreeWidgetItem(group, [t.name])
                item.setIcon(0, icon)
                item.setToolTip(0, t.doc)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
                item.setData(0, TYPE_ROLE, t.name)
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._on_double_click)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                match = not needle or needle in item.text(0).lower() or needle in item.toolTip(0).lower()
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def visible_types(self) -> list[str]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            found += [group.child(j).text(0) for j in range(group.childCount()) if not group.child(j).isHidden() and not group.isHidden()]
        return found

    def _on_double_click(self, item: QTreeWidgetItem) -> None:
        name = item.data(0, TYPE_ROLE)
        if name:
            self.layer_chosen.emit(name)
