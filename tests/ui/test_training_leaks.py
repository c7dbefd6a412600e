"""Leaks (issue 9): twenty training runs in a row in one window leave the resident memory
within 50 MB of where it was after the second, and the thread count where it was at rest."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_gestures import PROJECTS

from netdesigner.ui.main_window import MainWindow


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_twenty_runs_leave_no_memory_or_threads_behind(window: MainWindow, qtbot, tmp_path: Path) -> None:
    copy = tmp_path / "spirals_mlp.ndproj"
    copy.write_bytes((PROJECTS / "spirals_mlp.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs, window.project.training.batch_size = 2, 32
    window.project.data.options = {"samples": 300}
    window.train_dock.refresh()
    idle_threads = threading.active_count()
    resident = []
    for run in range(20):
        with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as blocker:
            qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
        assert blocker.args[0].ok, blocker.args[0]
        qtbot.wait(20)  # the run's end drained, its thread joined
        gc.collect()
        resident.append(resident_mb())
        assert threading.active_count() == idle_threads, f"run {run + 1}: {[t.name for t in threading.enumerate()]}"
    growth = resident[19] - resident[1]
    assert growth < 50, f"resident memory grew {growth:.1f} MB from run 2 to run 20: {[round(r) for r in resident]}"
    assert len(window.project.runs) == 20
    print(f"resident MB after each run: {[round(r, 1) for r in resident]}")
