"""The loss-landscape panel: a surface and a line around weights trained in the window, computed
on the analysis worker thread, cancelled, saved; no weights, no landscape."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from ui_gestures import PROJECTS

from netdesigner.analysis.landscape import Surface, evaluation_batch, loss_fn_for, private_copy
from netdesigner.ui.main_window import MainWindow
from netdesigner.ui.plots.landscape_panel import LINE_TAB, LandscapePanel, provider_for_window


def _open_spirals(window: MainWindow, tmp_path) -> None:
    copy = tmp_path / "spirals_mlp.ndproj"  # checkpoints go beside the project: not into the repo
    copy.write_bytes((PROJECTS / "spirals_mlp.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs, window.project.training.batch_size = 5, 16
    window.project.data.options = {"samples": 400}


@pytest.fixture
def trained(window: MainWindow, tmp_path, qtbot) -> MainWindow:
    _open_spirals(window, tmp_path)
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as ended:
        window.training.start()
    assert ended.args[0].ok
    return window


@pytest.fixture
def panel(window: MainWindow, qtbot) -> LandscapePanel:
    widget = LandscapePanel()
    qtbot.addWidget(widget, before_close_func=lambda w: w.shutdown())
    widget.set_source(lambda: provider_for_window(window))
    widget.grid_spin.setValue(9)
    widget.batch_spin.setValue(200)
    widget.show()
    return widget


def test_a_surface_around_the_trained_weights(trained: MainWindow, panel: LandscapePanel, qtbot, tmp_path) -> None:
    seen: list[tuple[int, int]] = []
    panel.worker.progress.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
        assert panel.running and not panel.compute_button.isEnabled()
    surface = panel.surface
    assert surface is not None and surface.losses.shape == (9, 9)
    assert seen[-1] == (81, 81) and panel.progress_bar.value() == 81
    np.testing.assert_allclose(panel.image.image, surface.losses.T)
    # the centre is the training loss at the weights, on the same fixed batch
    trainer = trained.training.trainer
    x, y = evaluation_batch(trainer.splits, "train", 200, 0)
    at_weights = loss_fn_for(trainer.objective)(private_copy(trainer.module, trainer.snapshot()), x, y)
    assert surface.losses[4, 4] == pytest.approx(at_weights, rel=1e-5)
    assert surface.centre_loss == pytest.approx(at_weights, rel=1e-5)

    panel.log_check.setChecked(True)
    np.testing.assert_allclose(panel.image.image, np.log10(surface.losses.T))

    path = tmp_path / "surface.npz"
    panel.save_data(path)
    again = Surface.from_npz(path)
    np.testing.assert_array_equal(again.losses, surface.losses)
    assert panel.save_png(tmp_path / "surface.png") and (tmp_path / "surface.png").stat().st_size > 0

    # the 1-D line from fresh weights to the trained ones
    panel.tabs.setCurrentIndex(LINE_TAB)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    line = panel.line
    assert set(line) == {"alphas", "train", "validation"} and len(line["train"]) == 9
    for name in ("train", "validation"):
        assert np.interp(1.0, line["alphas"], line[name]) < np.interp(0.0, line["alphas"], line[name])
    assert not panel.message.text()


def test_cancel_leaves_no_result(trained: MainWindow, panel: LandscapePanel, qtbot) -> None:
    panel.grid_spin.setValue(401)  # 160 801 points: far longer than the test waits
    with qtbot.waitSignal(panel.worker.progress, timeout=30_000):
        assert panel.compute()
    with qtbot.waitSignal(panel.worker.cancelled, timeout=10_000):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.surface is None and not panel.running
    assert panel.compute_button.isEnabled() and panel.message.text() == "Cancelled"


def test_no_weights_says_train_first(window: MainWindow, panel: LandscapePanel, tmp_path, qtbot) -> None:
    _open_spirals(window, tmp_path)
    window.project.weights = {}
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert not panel.running and panel.surface is None
    assert "Train the model first" in panel.message.text()


def test_a_failing_job_becomes_a_message(panel: LandscapePanel, qtbot) -> None:
    def job(progress, cancelled):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    with qtbot.waitSignal(panel.worker.failed, timeout=10_000) as failed:
        panel.worker.start(job)
    assert "mat1" in failed.args[0] and not panel.running


def test_without_a_trainer_the_saved_weights_are_used(trained: MainWindow, panel: LandscapePanel, qtbot) -> None:
    trainer = trained.training.trainer
    x, y = evaluation_batch(trainer.splits, "train", 200, 0)
    at_weights = loss_fn_for(trainer.objective)(private_copy(trainer.module, trainer.snapshot()), x, y)
    trained.training.project_changed()  # the trainer is dropped; the project keeps its weights
    assert trained.training.trainer is None and trained.project.weights
    panel.grid_spin.setValue(3)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        assert panel.compute()
    assert panel.surface.centre_loss == pytest.approx(at_weights, rel=1e-5)
