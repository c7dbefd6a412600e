"""A real window process for the recovery test: ``python edit_then_wait.py PROJECT``.

Starts NetDesigner as ``netdesigner gui PROJECT`` does, adds two layers through the palette's
path once the project is open, waits until the autosave timer has written the recovery copy,
prints ``autosaved`` and keeps running until it is killed. The parent sets
``XDG_DATA_HOME`` (where the copy goes) and ``NETDESIGNER_AUTOSAVE_SECONDS``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(project: str) -> int:
    app = QApplication(sys.argv[:1])

    def window():
        from netdesigner.ui.main_window import MainWindow

        return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)

    def edit() -> None:
        win = window()
        if win is None or win.project.path is None:
            QTimer.singleShot(100, edit)
            return
        win.add_layer("Dropout")
        win.add_layer("ReLU")
        QTimer.singleShot(100, wait_for_copy)

    def wait_for_copy() -> None:
        win = window()
        if win.autosave.writes == 0:
            QTimer.singleShot(100, wait_for_copy)
            return
        print("autosaved", win.autosave.store.session, flush=True)

    QTimer.singleShot(100, edit)
    from netdesigner.ui.app import run_window

    return run_window(project)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
