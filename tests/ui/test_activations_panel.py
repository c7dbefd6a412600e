"""The Activations tab: clicking a layer on the canvas shows what it gives out for the trained
weights, feature maps for a convolution, bars and dead units for a ReLU; live after epochs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from ui_gestures import PROJECTS, on_screen

from netdesigner.analysis.landscape import evaluation_batch
from netdesigner.analysis.layer_outputs import capture
from netdesigner.ui.main_window import MainWindow
from netdesigner.ui.plots import activations_panel


@pytest.fixture
def trained_cnn(window: MainWindow, tmp_path, qtbot) -> MainWindow:
    copy = tmp_path / "digits_cnn.ndproj"
    copy.write_bytes((PROJECTS / "digits_cnn.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = 2
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as ended:
        window.training.start()
    assert ended.args[0].ok
    window.plot_tabs.setCurrentWidget(window.activations)
    return window


def _click_layer(window: MainWindow, qtbot, name: str) -> None:
    item = window.scene.node_items[window.project.graph.find(name).id]
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=on_screen(window, item.mapToScene(40, 12)))
    assert window.selected_node_ids() == [window.project.graph.find(name).id]


def test_clicking_a_conv_layer_shows_its_feature_maps(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "conv1")
    assert panel.output is not None and panel.output.name == "conv1"
    assert panel.output.values.shape == (64, 16, 8, 8)
    assert panel.output_image.image.shape == (4 * 9 - 1, 4 * 9 - 1)  # 16 maps of 8×8 in a 4×4 grid
    assert "16 feature maps" in panel.caption.text()
    # the values are the trained weights' outputs on the fixed validation batch
    trainer = window.training.trainer
    x, _ = evaluation_batch(trainer.splits, "val", 64, 0)
    want = capture(trainer.module, trainer.snapshot(), x, ["conv1"])["conv1"].values
    np.testing.assert_allclose(panel.output.values, want, rtol=1e-6)
    counts = panel.histogram_bars.opts["height"]
    assert int(np.sum(counts)) == want.size

    before, image = panel.draws, panel.output_image.image.copy()
    panel.sample_spin.setValue(3)  # another sample: another picture
    assert panel.draws == before + 1 and panel.output_plot.titleLabel.text.endswith("sample 3")
    assert not np.array_equal(panel.output_image.image, image)


def test_a_relu_shows_bars_and_its_dead_units(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "relu3")
    assert panel.output.values.shape == (64, 64)
    assert len(panel.bars.opts["height"]) == 64
    assert f"{panel.output.dead_fraction():.0%} dead units" in panel.caption.text()


def test_input_layers_say_they_have_nothing_to_show(trained_cnn: MainWindow, qtbot) -> None:
    _click_layer(trained_cnn, qtbot, "image")
    assert trained_cnn.activations.output is None and "no output of its own" in trained_cnn.activations.caption.text()


def test_live_redraws_after_epochs(trained_cnn: MainWindow, qtbot, monkeypatch) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "conv2")
    window.live_budget.share = float("inf")  # the budget's rule is tested on its own
    monkeypatch.setattr(activations_panel, "LIVE_HZ", 1e9)  # every epoch, however fast
    before = panel.draws
    window.project.training.epochs = 2
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000):
        window.training.start()
    assert panel.draws >= before + 2  # one redraw per epoch
    trainer = window.training.trainer
    x, _ = evaluation_batch(trainer.splits, "val", 64, 0)
    want = capture(trainer.module, trainer.snapshot(), x, ["conv2"])["conv2"].values
    np.testing.assert_allclose(panel.output.values, want, rtol=1e-5, atol=1e-6)


def test_live_redraws_at_most_a_few_times_a_second(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "conv2")
    before = panel.draws
    assert panel.epoch_ended()  # the first after a while draws
    assert not panel.epoch_ended()  # the next, right after, waits
    assert panel.draws == before + 1
