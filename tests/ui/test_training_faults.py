"""Training faults injected on purpose (issue 9): each ends or spoils a run in the window, and
each time the window stays alive, its message says what happened and what to do, the weights
are the last good ones, and the project file on disk is not touched.

Faults come from PyTorch's own global forward hook (``register_module_forward_hook``), counted on
the training thread: a NaN or an infinity out of a layer, an exception in the model's forward at
step N, and CUDA's out-of-memory error raised on the CPU; and from the disk: a checkpoint folder
that cannot be made, a data file deleted while the run goes on.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_gestures import PROJECTS, answer_next_dialog, forget_changes

from netdesigner.ui.main_window import MainWindow

TRAINING_THREAD = "netdesigner-training"


@contextmanager
def fault_at_layer_call(n: int, fault) -> Iterator[list[int]]:
    """Calls ``fault(output)`` at the ``n``-th Linear forward on the training thread (its return
    replaces the output); yields a one-element list with the number of calls seen."""
    calls = [0]

    def hook(module, _inputs, output):
        if not isinstance(module, torch.nn.Linear) or threading.current_thread().name != TRAINING_THREAD:
            return None
        calls[0] += 1
        return fault(output) if calls[0] == n else None

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        yield calls
    finally:
        handle.remove()


def _run(qtbot, window: MainWindow, timeout_ms: int = 60_000):
    with qtbot.waitSignal(window.training.run_ended, timeout=timeout_ms) as blocker:
        qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def _weights_finite(window: MainWindow) -> bool:
    return window.project.weights is not None and all(torch.isfinite(v).all() for v in window.project.weights.values())


def _alive_and_ready(window: MainWindow) -> bool:
    return (window.isVisible() and not window.training.running and window.train_dock.start_button.isEnabled()
            and not window.training.bridge._timer.isActive())


def _raise(error: BaseException):
    def fault(_output):
        raise error
    return fault


@pytest.mark.parametrize("poison", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_a_non_finite_loss_ends_the_run_with_the_last_good_weights(spirals: MainWindow, qtbot, poison: float) -> None:
    before = spirals.project.path.read_bytes()
    with fault_at_layer_call(40, lambda output: output * poison) as calls:
        end = _run(qtbot, spirals)
    assert calls[0] >= 40 and not end.ok and end.kind == "nan"
    message = spirals.train_dock.message.text()
    assert "NaN or infinite" in message and "learning rate" in message and "last good" in message
    assert _weights_finite(spirals) and _alive_and_ready(spirals)
    assert spirals.project.path.read_bytes() == before


def test_an_exception_in_the_forward_at_step_n_ends_the_run_and_says_where(spirals: MainWindow, qtbot) -> None:
    before = spirals.project.path.read_bytes()
    with fault_at_layer_call(25, _raise(RuntimeError("injected failure in a layer"))):
        end = _run(qtbot, spirals)
    assert not end.ok and end.kind == "error"
    message = spirals.train_dock.message.text()
    assert "injected failure in a layer" in message and "epoch 1" in message and "last good ones" in message
    assert _weights_finite(spirals) and _alive_and_ready(spirals)
    assert spirals.project.path.read_bytes() == before
    end = _run(qtbot, spirals)  # the window trains again at once
    assert end.ok and _weights_finite(spirals)


def test_cuda_out_of_memory_suggests_a_smaller_batch(spirals: MainWindow, qtbot) -> None:
    before = spirals.project.path.read_bytes()
    with fault_at_layer_call(10, _raise(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))):
        end = _run(qtbot, spirals)
    assert not end.ok and end.kind == "oom"
    message = spirals.train_dock.message.text()
    assert "ran out of memory" in message and "smaller batch size (now 16)" in message
    assert _weights_finite(spirals) and _alive_and_ready(spirals)
    assert spirals.project.path.read_bytes() == before


def test_a_checkpoint_folder_the_disk_refuses_is_said_and_the_run_goes_on(spirals: MainWindow, qtbot) -> None:
    blocked = spirals.project.path.with_name("spirals_mlp-checkpoints")
    blocked.write_text("a file where the checkpoint folder would go")
    before = spirals.project.path.read_bytes()
    end = _run(qtbot, spirals)
    assert end.ok and end.epochs_run == 3
    message = spirals.train_dock.message.text()
    assert "Finished" in message and "checkpoints cannot be written" in message and "training goes on" in message
    assert _weights_finite(spirals) and _alive_and_ready(spirals)
    assert spirals.project.path.read_bytes() == before and blocked.read_text().startswith("a file")


def test_the_data_file_deleted_mid_run_does_not_stop_it(window: MainWindow, qtbot, tmp_path: Path) -> None:
    from sklearn.datasets import make_moons

    data = tmp_path / "moons.csv"
    x, y = make_moons(300, noise=0.1, random_state=0)
    with data.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["a", "b", "label"])
        out.writerows([[f"{p:.5f}", f"{q:.5f}", f"c{c}"] for (p, q), c in zip(x, y, strict=True)])
    project_file = tmp_path / "moons.ndproj"
    project_file.write_bytes((PROJECTS / "spirals_mlp.ndproj").read_bytes())
    window.open_file(project_file)
    window.project.data.dataset, window.project.data.options = "csv", {"path": str(data), "target": "label"}
    window.project.training.epochs, window.project.training.batch_size = 30, 16
    before = project_file.read_bytes()
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as blocker:
        qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > 0, timeout=20_000)
        data.unlink()  # the samples were read when the run began
    end = blocker.args[0]
    assert end.ok and end.epochs_run == 30 and _weights_finite(window) and _alive_and_ready(window)
    assert project_file.read_bytes() == before and "Finished after 30 epoch(s)" in window.train_dock.message.text()


def _long_run(window: MainWindow, qtbot) -> None:
    window.project.training.epochs = 500
    qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > 0, timeout=20_000)


def _no_training_thread() -> bool:
    return not any(t.name == TRAINING_THREAD and t.is_alive() for t in threading.enumerate())


def test_stop_during_an_epoch_joins_the_worker_in_two_seconds(spirals: MainWindow, qtbot) -> None:
    _long_run(spirals, qtbot)
    started = time.perf_counter()
    with qtbot.waitSignal(spirals.training.run_ended, timeout=2000) as blocker:
        qtbot.mouseClick(spirals.train_dock.stop_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].reason == "stopped" and time.perf_counter() - started < 2.0
    assert _no_training_thread() and _alive_and_ready(spirals) and _weights_finite(spirals)


def test_stop_while_paused_joins_the_worker_in_two_seconds(spirals: MainWindow, qtbot) -> None:
    _long_run(spirals, qtbot)
    qtbot.mouseClick(spirals.train_dock.pause_button, Qt.MouseButton.LeftButton)
    assert spirals.training.trainer.paused
    started = time.perf_counter()
    with qtbot.waitSignal(spirals.training.run_ended, timeout=2000):
        qtbot.mouseClick(spirals.train_dock.stop_button, Qt.MouseButton.LeftButton)
    assert time.perf_counter() - started < 2.0 and _no_training_thread() and _alive_and_ready(spirals)


def test_quit_during_an_epoch_stops_the_run_and_closes_in_two_seconds(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=forget_changes)
    window.show()
    window.new_from_example(PROJECTS / "spirals_mlp.ndproj")
    _long_run(window, qtbot)
    timer = window.training.bridge._timer
    started = time.perf_counter()
    answer_next_dialog(QMessageBox.StandardButton.Yes)  # "Stop the training run?"
    answer_next_dialog(QMessageBox.StandardButton.Discard)  # its weights are not saved
    window.actions["quit"].trigger()
    QApplication.processEvents()
    assert not window.isVisible() and time.perf_counter() - started < 2.5
    assert _no_training_thread() and not timer.isActive()
