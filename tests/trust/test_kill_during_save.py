"""Kill during save (issue 9): a child process saves ResNet-18 with its weights in a loop and is
killed with SIGKILL at 100 random moments; after every kill the project on disk loads, whole,
as the last version saved or the one being saved, and its backup loads too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KILLER = Path(__file__).with_name("save_killer.py")


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")
def test_a_hundred_kills_during_saves_never_leave_a_broken_project(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(KILLER), str(tmp_path), "--kills", "100", "--seed", "1"],
                          capture_output=True, text=True, timeout=500)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["problems"] == []
    assert counts["kills"] == 100 and counts["old"] + counts["new"] == 100
    assert counts["backup_loads"] >= 95  # every kill after the first save of the loop
    assert counts["mid_write"] >= 5  # kills did land while a file was half written
    assert counts["versions_saved"] >= 20
    assert counts["weights_files_left"] <= 3  # the project's, the backup's, at most one orphan of a kill
