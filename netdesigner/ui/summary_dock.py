"""The model summary as a table that follows the document's shapes."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    def __init__(self) -> None:
        super().__init__(0, len(HEADERS))
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(False)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # document order first

    def show_summary(self, graph: Graph, report, problems) -> None:
        summary = summarize(graph, report, problems)
        self.setSortingEnabled(False)
        self.setRowCount(len(summary.rows))
        for i, row in enumerate(summary.rows):
            self.setItem(i, 0, QTableWidgetItem(row.name))
            self.setItem(i, 1, QTableWidgetItem(row.type))
            self.setItem(i, 2, QTableWidgetItem(row.output_shape))
            self.setItem(i, 3, _Number(row.params))
            self.setItem(i, 4, _Number(row.macs))
        self.setSortingEnabled(True)
