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


def _choose_view(panel, qtbot, index: int) -> None:
    """Down / Up on the view combo, as a person picks from it with the keyboard."""
    panel.view_combo.setFocus()
    while panel.view_combo.currentIndex() != index:
        key = Qt.Key.Key_Down if panel.view_combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(panel.view_combo, key)


def test_over_epochs_shows_the_runs_histograms_and_gradient_norm(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "fc1")
    _choose_view(panel, qtbot, 1)
    trainer = window.training.trainer
    history = panel.history
    outputs = history.outputs["fc1"]
    assert outputs.epochs[0] == 0 and outputs.epochs[-1] == 2  # the start and the end are always recorded
    assert (outputs.counts.sum(axis=1) == 64 * 64).all()  # the fixed batch: 64 samples × 64 units, each binned
    assert not np.array_equal(outputs.counts[0], outputs.counts[-1])  # training moved them
    assert panel.history_view.shown == {"outputs": 3, "weights": 3, "grad_norms": 2}  # a column per epoch 0–2
    assert panel.history_view.output_image.image.shape == (outputs.counts.shape[1], 3)
    assert history.grad_norms["fc1"] == {e.epoch: e.grad_norms["fc1"] for e in trainer.history}
    # the last row is the final weights: the weight histogram counts fc1.weight whole
    assert history.weights["fc1.weight"].counts[-1].sum() == trainer.module.fc1.weight.numel()
    assert len(panel.history_view.ci.items) == 3
    assert "gradient norm" in panel.caption.text()


def test_a_layer_without_weights_shows_only_its_outputs_over_epochs(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    _choose_view(panel, qtbot, 1)
    _click_layer(window, qtbot, "relu3")
    assert list(panel.history_view.ci.items) == [panel.history_view.output_plot]
    assert "no weights of its own" in panel.caption.text()


def test_the_history_records_every_epoch_when_the_budget_allows(trained_cnn: MainWindow, qtbot) -> None:
    window, panel = trained_cnn, trained_cnn.activations
    window.live_budget.share = float("inf")
    window.project.training.epochs = 3
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000):
        window.training.start()
    last = window.training.trainer.epoch
    assert set(range(last - 2, last + 1)) <= set(panel.history.outputs["conv1"].epochs)


def test_the_embedding_view_projects_the_layers_outputs_by_class(trained_cnn: MainWindow, qtbot) -> None:
    from netdesigner.analysis.layer_outputs import embedding_pca

    window, panel = trained_cnn, trained_cnn.activations
    _click_layer(window, qtbot, "relu3")
    _choose_view(panel, qtbot, 2)
    trainer = window.training.trainer
    x, y = evaluation_batch(trainer.splits, "val", activations_panel.EMBEDDING_BATCH, 0)
    want, explained = embedding_pca(capture(trainer.module, trainer.snapshot(), x, ["relu3"])["relu3"].values)
    view = panel.embedding_view
    assert view.points == len(x)
    assert len(view.groups) == len(np.unique(y.numpy()))  # one colour per class present
    drawn = np.concatenate([np.column_stack(group.getData()) for group in view.groups])
    order = np.lexsort(drawn.T)
    np.testing.assert_allclose(drawn[order], want[np.lexsort(want.T)], rtol=1e-5, atol=1e-5)
    assert f"{explained.sum():.0%} of the spread" in panel.caption.text()
    assert not panel.sample_spin.isVisible()  # one sample's picker means nothing here


def test_a_recurrent_layer_shows_a_time_by_unit_heat_map(window: MainWindow, tmp_path, qtbot) -> None:
    copy = tmp_path / "char_lm.ndproj"
    copy.write_bytes((PROJECTS / "char_lm.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = 1
    window.project.data.options["max_chars"] = 20_000  # a short text: one quick epoch
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as ended:
        window.training.start()
    assert ended.args[0].ok
    window.plot_tabs.setCurrentWidget(window.activations)
    panel = window.activations
    _click_layer(window, qtbot, "lstm")
    assert panel.output.kind.value == "sequence" and panel.output.values.shape[1:] == (64, 128)
    sample = panel.output.values[panel.sample_spin.value()]
    np.testing.assert_array_equal(panel.output_image.image, sample)  # rows are time steps, columns units
    rect = panel.output_image.mapRectToParent(panel.output_image.boundingRect())
    assert (round(rect.width()), round(rect.height())) == (128, 64)
    assert "64 steps × 128 units" in panel.caption.text()
    assert panel.output_plot.getAxis("left").labelText == "time step"
