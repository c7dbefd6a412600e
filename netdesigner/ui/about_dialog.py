"""Help > About NetDesigner: what the program is, and the versions of everything it runs on,
with a button that copies them for a bug report (the same text as ``netdesigner --versions``)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netdesigner.ui.theme import app_icon
from netdesigner.versions import version_report

ICON_PX = 64
COPIED_FOR_MS = 1500  # how long the button says "Copied" before it reads "Copy" again


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About NetDesigner")
        self.versions = version_report(qt_version=qVersion())
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(ICON_PX, ICON_PX))
        title = QLabel(
            "<h2>NetDesigner</h2><p>Design, train and ship neural networks visually.</p>"
            "<p>When you report a problem, please paste these versions with it:</p>"
        )
        title.setWordWrap(True)
        heading = QHBoxLayout()
        heading.addWidget(icon)
        heading.addWidget(title, 1)
        self.text = QPlainTextEdit(self.versions)
        self.text.setReadOnly(True)  # selectable, not editable: people copy parts of it too
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lines = self.versions.count("\n") + 1
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * (lines + 1) + 12)
        self.text.setMinimumWidth(self.text.fontMetrics().horizontalAdvance("x" * 60))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip("Copy the versions to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_versions)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.text)
        layout.addWidget(buttons)

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.versions)
        self.copy_button.setText("Copied")
        QTimer.singleShot(COPIED_FOR_MS, self, lambda: self.copy_button.setText("&Copy"))


def show_about(parent: QWidget) -> AboutDialog:
    """Shows the one About dialog of ``parent`` (made on first use), without blocking."""
    dialog = parent.findChild(AboutDialog)
    if dialog is None:
        dialog = AboutDialog(parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
