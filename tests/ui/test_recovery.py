"""Autosave and recovery (issue 9): a recovery copy is written while there are unsaved changes,
never over the person's file; a window killed with SIGKILL leaves it, and the next start offers
it back: Restore opens it unsaved with the person's file as its path, Discard deletes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_gestures import PROJECTS

from netdesigner.core.project import Project
from netdesigner.core.recovery import RecoveryStore
from netdesigner.ui.autosave import offer_recovery
from netdesigner.ui.main_window import MainWindow

CHILD = Path(__file__).with_name("edit_then_wait.py")


def _press_on_offer(qtbot, label: str) -> list[str]:
    """Clicks the button called ``label`` on the recovery offer when it shows; returns its text."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        button = next((b for b in box.buttons() if b.text() == label), None) if isinstance(box, QMessageBox) else None
        if button is None:
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, press)
    return seen


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _copy_from_a_dead_window(root: Path, project_file: Path) -> RecoveryStore:
    project = Project.load(project_file)
    project.graph.add("Dropout", name="added_before_the_crash")
    RecoveryStore(root, pid=_dead_pid()).write(project)
    return RecoveryStore(root)


def test_unsaved_edits_are_copied_by_the_timer_and_the_copy_goes_on_save(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "spirals.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    before = path.read_bytes()
    window.open_file(path)
    window.autosave.timer.setInterval(100)
    qtbot.wait(300)
    assert window.autosave.writes == 0  # nothing unsaved, nothing copied
    window.add_layer("Dropout")
    qtbot.waitUntil(lambda: window.autosave.writes == 1, timeout=5000)
    session = window.autosave.store.session
    copied = Project.load(session / "project.ndproj")
    assert any(n.type == "Dropout" for n in copied.graph.nodes())
    assert path.read_bytes() == before and window.project.path == path  # the person's file is not the copy
    qtbot.wait(300)
    assert window.autosave.writes == 1  # no new change, no new copy
    assert window.save()
    assert not session.exists()


def test_a_killed_window_leaves_a_copy_that_the_next_start_restores(window: MainWindow, qtbot, tmp_path: Path) -> None:
    path = tmp_path / "spirals.ndproj"
    shutil.copy(PROJECTS / "spirals_mlp.ndproj", path)
    before = path.read_bytes()
    data_home = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "NETDESIGNER_AUTOSAVE_SECONDS": "0.5", "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, str(CHILD), str(path)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # blocks until the copy is written (or the child dies)
        assert line.startswith("autosaved"), f"the window process ended first (exit {child.poll()})"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # autosave never writes the person's file

    store = RecoveryStore(data_home / "NetDesigner" / "recovery")
    [left] = store.orphans()
    seen = _press_on_offer(qtbot, "Restore")
    restored = offer_recovery(window, store)
    assert restored is not None and "Spirals" in seen[0] and "7 layers" in seen[0]
    project = window.project
    assert project.path == path and window.has_unsaved_changes() and window.isWindowModified()
    assert sum(n.type == "Dropout" for n in project.graph.nodes()) == 1
    assert sum(n.type == "ReLU" for n in project.graph.nodes()) == sum(n.type == "ReLU" for n in Project.load(path).graph.nodes()) + 1
    assert not left.folder.exists() and store.orphans() == []
    assert window.autosave.store.session.exists()  # the restored work is this window's to keep now
    assert window.save() and any(n.type == "Dropout" for n in Project.load(path).graph.nodes())
    assert not window.autosave.store.session.exists()


def test_discard_deletes_the_copy_and_later_keeps_it(window: MainWindow, qtbot, tmp_path: Path) -> None:
    root = tmp_path / "recovery"
    store = _copy_from_a_dead_window(root, PROJECTS / "spirals_mlp.ndproj")
    [left] = store.orphans()
    _press_on_offer(qtbot, "Later")
    assert offer_recovery(window, store) is None
    assert left.folder.exists() and window.project.path is None
    _press_on_offer(qtbot, "Discard")
    assert offer_recovery(window, store) is None
    assert not left.folder.exists() and store.orphans() == []


@pytest.mark.parametrize("close", ["saved", "discarded"])
def test_a_clean_close_leaves_no_copy(qtbot, tmp_path: Path, close: str) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    win.add_layer("Linear")
    assert win.autosave.write_now()
    session = win.autosave.store.session
    assert session.exists()
    if close == "saved":
        assert win.save(tmp_path / "mine.ndproj")
    else:
        win.stack.setClean()  # as if the person chose Discard when asked
    win.close()
    assert not session.exists()
