"""The loss-landscape panel: a surface and a line around weights trained in the window, computed
on the analysis worker thread, cancelled, saved; no weights, no landscape."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from ui_gestures import PROJECTS

from netdesigner.analysis.landscape import Surface, evaluation_batch, loss_fn_for, private_copy
from netdesigner.ui.analysis_source import provider_for_window
from netdesigner.ui.main_window import MainWindow
from netdesigner.ui.plots.landscape_panel import LINE_TAB, LandscapePanel


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


def test_the_surface_on_the_training_path_draws_the_path(trained: MainWindow, panel: LandscapePanel, qtbot) -> None:
    trajectory = trained.training.trainer.trajectory
    assert len(trajectory) == 6  # the start and one snapshot per epoch
    panel.plane_combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    surface = panel.surface
    assert surface.path is not None and surface.path.shape == (6, 2)
    np.testing.assert_allclose(surface.path[-1], 0.0, atol=1e-6)  # the run ended at the final weights
    shown_x, shown_y = panel.path_curve.getData()
    np.testing.assert_allclose(np.column_stack([shown_x, shown_y]), surface.path)
    assert panel.path_start.data["x"][0] == pytest.approx(surface.path[0, 0])
    # the grid spans the whole path, so every point of it lies on the drawn surface
    assert surface.alphas[0] <= surface.path[:, 0].min() and surface.path[:, 0].max() <= surface.alphas[-1]
    assert surface.betas[0] <= surface.path[:, 1].min() and surface.path[:, 1].max() <= surface.betas[-1]
    assert "path of 6 snapshots" in panel.info.text()
    assert "principal" in panel.surface_plot.getAxis("bottom").labelText

    # back to random directions: no path
    panel.plane_combo.setCurrentIndex(0)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert panel.surface.path is None and len(panel.path_curve.getData()[0] or []) == 0


def test_the_path_plane_needs_a_run_in_this_window(trained: MainWindow, panel: LandscapePanel, qtbot) -> None:
    trained.training.project_changed()  # saved weights only: no path was recorded
    panel.plane_combo.setCurrentIndex(1)
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    assert not panel.running and panel.surface is None
    assert "training path is recorded while a run trains" in panel.message.text()


def test_live_recomputes_a_coarse_surface_while_training_and_a_full_one_at_the_end(window: MainWindow, tmp_path, qtbot) -> None:
    _open_spirals(window, tmp_path)
    window.project.training.epochs = 4
    panel = window.landscape
    panel.grid_spin.setValue(17)
    panel.batch_spin.setValue(300)
    panel.plane_combo.setCurrentIndex(1)
    panel.every_spin.setValue(2)
    window.live_budget.share = float("inf")  # this test is about what live does; the budget's rule is tested on its own
    panel.live_check.click()
    assert panel.live_check.isChecked()
    sizes: list[int] = []
    panel.worker.finished.connect(lambda result: sizes.append(len(result[1].alphas)))
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000):
        window.training.start()
    qtbot.waitUntil(lambda: not panel.running and sizes and sizes[-1] == 17, timeout=30_000)
    assert 15 in sizes  # at least one coarse live surface came while the run went (every 2nd epoch)
    assert panel.surface.path is not None and len(panel.surface.path) == 5


def test_the_sharpness_button_reports_the_top_eigenvalue_and_trace_of_the_weights(trained: MainWindow, panel: LandscapePanel, qtbot) -> None:
    from netdesigner.analysis.sharpness import top_hessian_eigenvalue

    qtbot.mouseClick(panel.sharpness.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.sharpness.worker.running, timeout=60_000)
    assert panel.sharpness.result is not None, panel.sharpness.label.text()
    found = panel.sharpness.result
    text = panel.sharpness.label.text()
    assert text.startswith("λ max") and "iterations" in text and "Hutchinson" in text
    assert f"{found['eigenvalue']:.4g}" in text and "200 training samples" in panel.sharpness.label.toolTip()
    assert found["size"] == 200 and 1 <= found["iterations"] <= 50 and found["trace"] > 0
    source = provider_for_window(trained)
    x, y = evaluation_batch(source.splits, "train", 200, panel.seed_spin.value())
    expected, _ = top_hessian_eigenvalue(private_copy(source.module, source.state, "cpu").requires_grad_(True), source.loss_fn.tensor, x, y,
                                         iterations=50, tol=1e-3, seed=panel.seed_spin.value())
    assert found["eigenvalue"] == pytest.approx(expected, rel=1e-6) and expected > 0


def test_sharpness_without_weights_says_train_first(window: MainWindow, panel: LandscapePanel, tmp_path, qtbot) -> None:
    _open_spirals(window, tmp_path)
    qtbot.mouseClick(panel.sharpness.button, Qt.MouseButton.LeftButton)
    assert panel.sharpness.result is None and "Train the model first" in panel.sharpness.label.text()
