"""Starting the window, and the headless ``--screenshot`` path used to look at it."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_window(file: str | None = None, screenshot: str | None = None, theme: str = "system") -> int:
    if screenshot and not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # without a screen Qt would abort
    from netdesigner.ui.train_bridge import reserve_cpu_threads_for_training

    reserve_cpu_threads_for_training()  # before anything imports torch
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from netdesigner.core.errors import NetDesignerError
    from netdesigner.ui import theme as themes
    from netdesigner.ui.autosave import offer_recovery
    from netdesigner.ui.error_hook import ErrorHook
    from netdesigner.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NetDesigner")
    app.setOrganizationName("NetDesigner")
    app.setDesktopFileName("io.github.netdesigner.NetDesigner")  # packaging/: Wayland ties the window to its menu entry
    app.setWindowIcon(themes.app_icon())
    themes.apply_scheme(theme)
    window = MainWindow()
    ErrorHook(window).install()  # from here on an error nobody caught is a dialog and a log line
    if not screenshot:
        window.restore_layout()  # a screenshot shows the default layout, whatever the person did
        QTimer.singleShot(200, lambda: offer_recovery(window))  # once the event loop runs
    if file and not screenshot:
        # Show the window first: the first shape inference imports torch (about two seconds),
        # and a window that appears at once with "Opening…" beats a blank wait (DESIGN rule 8).
        window.show()
        window.statusBar().showMessage(f"Opening {file}…")
        QTimer.singleShot(50, lambda: _open_reporting(window, file))  # after the first paint
        return app.exec()
    if file:
        try:
            window.open_file(file)
        except NetDesignerError as e:
            print(f"netdesigner: {e}", file=sys.stderr)
            window.deleteLater()
            return 2
    window.show()
    if screenshot:
        app.processEvents()
        window.view.show_start()
        app.processEvents()
        window.grab().save(screenshot)
        window.stack.setClean()
        window.weights_changed = False  # an imported model is unsaved; a screenshot closes without asking
        window.close()
        window.deleteLater()
        app.processEvents()
        return 0
    return app.exec()


def _open_reporting(window, file: str) -> None:
    """Opens the file given on the command line; a problem is said in the window and on stderr."""
    from PySide6.QtWidgets import QMessageBox

    from netdesigner.core.errors import NetDesignerError

    try:
        window.open_file(file)
        if Path(file).suffix.lower() != ".onnx":  # an import leaves its notes in the status bar
            window.statusBar().clearMessage()
    except NetDesignerError as e:
        print(f"netdesigner: {e}", file=sys.stderr)
        window.statusBar().clearMessage()
        QMessageBox.warning(window, "Cannot open", str(e))
