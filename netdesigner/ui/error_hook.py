"""The last line of defence: an exception nobody caught — in a slot on the GUI thread
(``sys.excepthook``) or on a worker thread (``threading.excepthook``) — is written to the log
and shown in a dialog with a readable message, a "Copy details" button and the log's path,
and the program keeps running. Never a raw traceback as the only answer, never a silent death.

A worker thread's exception reaches the GUI thread through a queued signal: dialogs are made
only there.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from netdesigner.log_files import log_path, open_log

_log = logging.getLogger("netdesigner.errors")


def logs_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "NetDesigner" / "logs"


class ErrorHook(QObject):
    """Installed once per program; ``shown`` keeps what was shown (tests, and a second error
    while a dialog is up is queued behind it rather than stacked on top)."""

    report = Signal(str, str, str)  # headline, details, where (thread name)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.shown: list[str] = []
        self._previous = (sys.excepthook, threading.excepthook)
        self.report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        open_log(logs_folder())
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    # ---- any thread --------------------------------------------------------------------
    def _on_exception(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, error, tb)
            return
        self._handle(kind, error, tb, threading.current_thread().name)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self._handle(args.exc_type, args.exc_value, args.exc_traceback, args.thread.name if args.thread else "a thread")

    def _handle(self, kind: type[BaseException], error: BaseException | None, tb: TracebackType | None, where: str) -> None:
        details = "".join(traceback.format_exception(kind, error, tb))
        _log.error("uncaught in %s:\n%s", where, details)
        text = str(error) if error is not None and str(error) else kind.__name__
        try:
            self.report.emit(f"{kind.__name__}: {text}", details, where)
        except RuntimeError:  # the window (and this hook with it) is gone: the log has it, stderr too
            sys.stderr.write(details)

    # ---- the GUI thread ----------------------------------------------------------------
    def _show(self, headline: str, details: str, where: str) -> None:
        self.shown.append(headline)
        show_error(self.parent_widget, headline, details, where)


def show_error(parent: QWidget | None, headline: str, details: str, where: str) -> None:
    """The dialog: what went wrong in words, that the program goes on, where the log is."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Something went wrong")
    on = "" if where == "MainThread" else f" on the worker thread “{where}”"
    box.setText(f"NetDesigner hit an error it did not expect{on}:\n\n{headline}")
    log = log_path()
    box.setInformativeText("The program keeps running and your document is as it was; save your work to be safe.\n\n"
                           + (f"The details are in the log:\n{log}\n\n" if log else "")
                           + "If it happens again, please report it with the details.")
    box.setDetailedText(details)
    copy = QPushButton("Copy details")
    box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()  # an action button would close the box; this one copies and stays
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{headline}\n\n{details}"))
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
