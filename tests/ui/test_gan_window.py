"""A GAN trains from the window like any model: Start, then the generator's samples in the Model
view and both networks' losses in the curves; the views that follow one loss say they do not apply."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from ui_gestures import PROJECTS

from netdesigner.ui.analysis_source import GAN_MESSAGE
from netdesigner.ui.main_window import MainWindow

EPOCHS = 4


@pytest.fixture
def ring(window: MainWindow, tmp_path) -> MainWindow:
    copy = tmp_path / "gan_ring.ndproj"  # checkpoints go beside the project: not into the repo
    copy.write_bytes((PROJECTS / "gan_ring.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = EPOCHS
    window.project.data.options = {"samples": 1000}
    window.train_dock.refresh()
    return window


def test_start_trains_the_gan_and_the_model_view_shows_its_samples_over_the_data(ring: MainWindow, qtbot) -> None:
    window = ring
    window.plot_tabs.setCurrentWidget(window.boundary)
    with qtbot.waitSignal(window.training.run_ended, timeout=120_000) as ended:
        qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
        assert window.training.running
    end = ended.args[0]
    assert end.ok and end.epochs_run == EPOCHS, getattr(end, "message", "")
    assert type(window.training.trainer).__name__ == "GanTrainer"

    panel = window.boundary
    assert panel.updates >= 2  # during the run and at its end
    assert len(panel.samples.data) == 1000
    assert len(panel.real_points.data) == len(window.training.trainer.splits.train)
    assert "generator samples" in panel.message.text() and "modes covered" in panel.message.text()
    assert "modes covered" in window.train_dock.message.text()
    assert window.project.weights and {"g_fc1.weight", "d_fc1.weight"} <= set(window.project.weights)

    counts = window.plots.point_counts()
    for curve in ("generator", "discriminator", "generator · validation", "discriminator · validation"):
        assert counts[f"part {curve}"] == EPOCHS, counts
    curves = window.plots.part_curves
    qtbot.waitUntil(lambda: len(curves) == 4 and all(len(c.getData()[0]) == EPOCHS for c in curves.values()))  # drawn at the next redraw
    xs, ys = curves["generator"].getData()
    assert list(xs) == list(range(1, EPOCHS + 1)) and all(y > 0 for y in ys)
    assert not window.plots.batch_curve.isVisible()  # the summed loss gives way to the two networks' losses
    assert counts["metric"] == EPOCHS  # the modes covered, epoch by epoch
    window.weights_changed = False  # open another model without being asked to save: the summed loss is back
    window.new_from_example(PROJECTS / "spirals_mlp.ndproj")
    assert window.plots.batch_curve.isVisible() and not window.plots.part_curves
    legend = [label.text for _, label in window.plots.loss_plot.plotItem.legend.items]
    assert legend == ["batch", "smoothed", "train", "validation"]


def test_the_landscape_and_activations_say_a_gan_is_not_theirs(ring: MainWindow, qtbot) -> None:
    window = ring
    window.training.start()
    with qtbot.waitSignal(window.training.run_ended, timeout=120_000):
        pass
    window.plot_tabs.setCurrentWidget(window.landscape)
    assert not window.landscape.compute()
    assert "Not available for a GAN" in window.landscape.message.text()
    window.plot_tabs.setCurrentWidget(window.activations)
    assert not window.activations.show_layer("g_fc1")
    assert GAN_MESSAGE in window.activations.caption.text()
