"""The model summary as a table that follows the document's shapes and the canvas selection."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from netdesigner.core.graph import Graph
from netdesigner.core.summary import summarize

HEADERS = ("Name", "Type", "Output shape", "Params", "MACs")


class _Number(QTableWidgetItem):
    """Sorts by value, shows with thousands separators."""

    def __init__(self, value: int) -> None:
        super().__init__(f"{value:,}")
        self.value = value
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < getattr(other, "value", 0)


class SummaryTable(QTableWidget):
    names_selected = Signal(list)  # layer names the person selected in the table

    def __init__(self) -> None:
        super().__init__(0, len(HEADERS))
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # document order first
        self._following = False  # True while the table copies the canvas selection
        self._name_items: dict[str, QTableWidgetItem] = {}
        self.itemSelectionChanged.connect(self._on_selection)

    def show_summary(self, graph: Graph, report, problems) -> None:
        """Updates the cells that changed; rebuilds only when layers came or went.

        Column widths are fitted once per rebuild: fitting them to the contents on every
        ``setItem`` made a 500-row fill quadratic (seconds per edit)."""
        summary = summarize(graph, report, problems)
        names = [row.name for row in summary.rows]
        if set(names) == set(self._name_items) and len(names) == self.rowCount():
            for row in summary.rows:
                self._update_row(self._name_items[row.name].row(), row)
            return
        selected = self.selected_names()
        self._following = True
        self.setSortingEnabled(False)
        self.setUpdatesEnabled(False)
        self.clearContents()
        self.setRowCount(len(summary.rows))
        self._name_items = {}
        for i, row in enumerate(summary.rows):
            name = QTableWidgetItem(row.name)
            self._name_items[row.name] = name
            self.setItem(i, 0, name)
            self.setItem(i, 1, QTableWidgetItem(row.type))
            self.setItem(i, 2, QTableWidgetItem(row.output_shape))
            self.setItem(i, 3, _Number(row.params))
            self.setItem(i, 4, _Number(row.macs))
        self.resizeColumnsToContents()
        self.setUpdatesEnabled(True)
        self.setSortingEnabled(True)
        self._following = False
        self.select_names(selected)

    def _update_row(self, i: int, row) -> None:
        for column, text in ((1, row.type), (2, row.output_shape)):
            if self.item(i, column).text() != text:
                self.item(i, column).setText(text)
        for column, value in ((3, row.params), (4, row.macs)):
            item = self.item(i, column)
            if item.value != value:
                item.value = value
                item.setText(f"{value:,}")

    def selected_names(self) -> list[str]:
        return [self.item(i.row(), 0).text() for i in self.selectionModel().selectedRows()]

    def select_names(self, names: list[str]) -> None:
        """Selects the rows of these layers without reporting it back as the person's choice."""
        wanted = set(names)
        selection = QItemSelection()
        for row in range(self.rowCount()):
            if self.item(row, 0).text() in wanted:
                selection.select(self.model().index(row, 0), self.model().index(row, self.columnCount() - 1))
        self._following = True
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        rows = sorted({i.row() for i in selection.indexes()})
        if rows:
            self.scrollToItem(self.item(rows[0], 0))
        self._following = False

    def _on_selection(self) -> None:
        if not self._following:
            self.names_selected.emit(self.selected_names())
