"""Autosave: every minute while there are unsaved changes, and at the end of each training run,
the window writes a recovery copy (``core.recovery``) to the user's data folder, never over the
person's own file; after a crash or a kill the next start offers it back (``offer_recovery``).

The copy goes when it is no longer needed: after a save, and when the window closes having
asked about the changes. ``NETDESIGNER_AUTOSAVE_SECONDS`` changes the interval (tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from netdesigner.core.errors import NetDesignerError
from netdesigner.core.recovery import RecoveryCopy, RecoveryStore

if TYPE_CHECKING:
    from netdesigner.ui.main_window import MainWindow

INTERVAL_VARIABLE = "NETDESIGNER_AUTOSAVE_SECONDS"
DEFAULT_INTERVAL_S = 60.0


def recovery_root() -> Path:
    """``<user data>/NetDesigner/recovery`` (on Linux ``~/.local/share/NetDesigner/recovery``).
    The generic data location with the program's name, not AppDataLocation, so the folder is
    the same whatever the QApplication was named (the test runner names its own)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "NetDesigner" / "recovery"


def interval_s() -> float:
    try:
        value = float(os.environ.get(INTERVAL_VARIABLE, DEFAULT_INTERVAL_S))
    except ValueError:
        return DEFAULT_INTERVAL_S
    return value if value > 0 else DEFAULT_INTERVAL_S


class Autosave(QObject):
    """Writes the window's recovery copy when there is something unsaved and new to keep."""

    def __init__(self, window: MainWindow, root: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = RecoveryStore(root or recovery_root())
        self.writes = 0
        self._pending = False  # changed since the last copy
        self.timer = QTimer(self, interval=int(interval_s() * 1000), timeout=self.tick)
        self.timer.start()

    def changed(self) -> None:
        """The document changed (an edit, an undo, new weights): the next tick keeps it."""
        self._pending = True

    def tick(self) -> None:
        if self._pending and self.window.has_unsaved_changes():
            self.write_now()

    def write_now(self) -> bool:
        """Writes the copy at once; a failure is said in the status bar, never in a dialog that
        would interrupt the person every minute."""
        try:
            self.store.write(self.window.project)
        except (NetDesignerError, OSError) as e:
            self.window.statusBar().showMessage(f"Could not write the recovery copy: {e}", 10000)
            return False
        self._pending = False
        self.writes += 1
        return True

    def saved(self) -> None:
        """The document is saved (or its changes were thrown away): no copy is needed."""
        self._pending = False
        self.store.clear()

    def stop(self) -> None:
        self.timer.stop()


def offer_recovery(window: MainWindow, store: RecoveryStore | None = None) -> RecoveryCopy | None:
    """Asks about each copy a crashed or killed window left: Restore opens it as an unsaved
    document (its path the person's own file, so Save goes there), Discard deletes it, Later
    keeps it for the next start. Returns the copy restored, if any."""
    store = store or window.autosave.store
    restored = None
    for found in store.orphans():
        answer = _ask(window, found, can_restore=restored is None)
        if answer == "restore":
            try:
                window.show_recovered(found.load())
            except NetDesignerError as e:
                QMessageBox.warning(window, "Cannot restore", f"The recovery copy cannot be read: {e}\n\nIt stays in {found.folder}.")
                continue
            window.autosave.write_now()  # this window's own copy first, then the old one goes
            found.discard()
            restored = found
        elif answer == "discard":
            found.discard()
    return restored


def _ask(parent: QWidget, found: RecoveryCopy, can_restore: bool) -> str:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recover unsaved work")
    box.setText(f"NetDesigner did not close properly. A recovery copy of “{found.name}” was kept at "
                f"{found.saved_at:%H:%M:%S on %d %b %Y}: {found.contents()}.")
    where = (f"It holds unsaved changes to\n{found.original}\n\n" if found.original
             else "It was never saved to a file.\n\n")
    box.setInformativeText(where + ("Restore opens it as an unsaved project; your own file is not changed until you save."
                                    if can_restore else "Another copy was restored already; this one can wait for the next start."))
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    restore.setEnabled(can_restore)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore if can_restore else None)
    box.exec()
    clicked = box.clickedButton()
    return "restore" if clicked is restore else "discard" if clicked is discard else "later"
