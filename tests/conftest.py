"""Shared test set-up: Qt without a screen, and settings kept out of the person's own.

Both are set before anything imports Qt's widgets.
"""

import os
import tempfile

if not os.environ.get("QT_QPA_PLATFORM"):  # unset or empty: no screen in CI
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
_SETTINGS = tempfile.mkdtemp(prefix="netdesigner-test-settings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS  # QSettings' user scope on Linux
os.environ["XDG_DATA_HOME"] = _SETTINGS


# ---- no test leaves a thread running (issue 9; as napari's conftest) ---------------------------
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

THREAD_GRACE_S = 2.0  # a worker told to stop gets this long to end before it counts as left behind


def _threads_left(before: set[threading.Thread]) -> list[threading.Thread]:
    deadline = time.monotonic() + THREAD_GRACE_S
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Fails the test after the fact when a thread it started is still running after teardown:
    a worker nobody joins is a window that cannot close cleanly, and the next test's torch work
    would share the CPU with it."""
    before = set(threading.enumerate())
    yield
    left = _threads_left(before)
    if left:
        names = ", ".join(sorted(t.name for t in left))
        item.ihook.pytest_runtest_logreport(report=pytest.TestReport(
            item.nodeid, item.location, {}, "failed",
            f"the test left {len(left)} thread(s) running {THREAD_GRACE_S:g} s after its teardown: {names}",
            "teardown", [], 0.0))
