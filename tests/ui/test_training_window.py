"""Training from the window: real runs on tiny data, on the worker thread, seen through the bridge."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QMessageBox
from ui_gestures import PROJECTS, answer_next_dialog, forget_changes

from netdesigner.core.edits import SetParam
from netdesigner.core.errors import GraphError
from netdesigner.ui.commands import push_edit
from netdesigner.ui.main_window import MainWindow


def _training_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "netdesigner-training" and t.is_alive()]


def _wait_end(qtbot, window: MainWindow, timeout_ms: int = 60_000) -> object:
    with qtbot.waitSignal(window.training.run_ended, timeout=timeout_ms) as blocker:
        pass
    return blocker.args[0]


def test_start_trains_and_the_curves_follow_coalesced(spirals: MainWindow, qtbot) -> None:
    window = spirals
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000) as ended:
        qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
        assert window.training.running
    end = ended.args[0]
    assert end.ok and end.epochs_run == 3
    counts = window.plots.point_counts()
    batches = 3 * len(window.training.trainer.splits.train) // 16
    assert abs(counts["batches"] - batches) <= 3 and counts["epochs"] == 3 and counts["val"] == 3
    assert window.training.bridge.redraws < counts["batches"]  # many batches per redraw
    assert window.project.weights and "fc1.weight" in window.project.weights
    assert window.isWindowModified() and window.train_dock.start_button.text() == "Continue"
    assert "test accuracy" in window.train_dock.message.text()
    assert not _training_threads()


def test_the_dock_plots_every_curve_at_most_twenty_times_a_second(spirals: MainWindow, qtbot) -> None:
    """Loss, the metric for training and validation, the learning rate and each layer's
    gradient norm per epoch; the progress bar's ETA; batches handed on ≤ 20 times a second."""
    window = spirals
    progress: list[str] = []
    window.training.bridge.batches.connect(lambda _run: progress.append(window.train_dock.progress.format()))
    started = time.perf_counter()
    with qtbot.waitSignal(window.training.run_ended, timeout=60_000):
        qtbot.mouseClick(window.train_dock.start_button, Qt.MouseButton.LeftButton)
    seconds = time.perf_counter() - started
    plots = window.plots
    qtbot.waitUntil(lambda: len(plots.metric_curve.getData()[0] if plots.metric_curve.getData()[0] is not None else []) == 3)
    assert list(plots.train_metric_curve.getData()[0]) == [1, 2, 3]
    train_accuracy = [h.metrics["train_accuracy"] for h in window.training.trainer.history]
    assert list(plots.train_metric_curve.getData()[1]) == pytest.approx(train_accuracy)
    assert plots.metric_plot.plotItem.titleLabel.text == "Accuracy"
    assert len(plots.lr_curve.getData()[0]) > 0
    assert sorted(plots.grad_curves) == ["fc1", "fc2", "fc3"]
    assert all(len(c.getData()[0]) == 3 for c in plots.grad_curves.values())
    assert progress and all("ETA" in text and "samples/s" in text for text in progress)
    assert window.training.bridge.redraws <= 20 * seconds + 2
    assert not plots.loss_plot.plotItem.ctrl.logYCheck.isChecked()
    qtbot.mouseClick(plots.log_scale, Qt.MouseButton.LeftButton, pos=plots.log_scale.rect().bottomLeft() + QPoint(6, -4))
    assert plots.log_scale.isChecked() and plots.loss_plot.plotItem.ctrl.logYCheck.isChecked()


def test_continue_trains_the_same_weights_further(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.training.start()
    first = _wait_end(qtbot, window)
    weights = {k: v.clone() for k, v in window.project.weights.items()}
    trainer = window.training.trainer
    window.training.start()
    _wait_end(qtbot, window)
    assert window.training.trainer is trainer and trainer.epoch == 2 * first.epochs_run
    assert any(not (weights[k] == v).all() for k, v in window.project.weights.items())
    assert window.plots.point_counts()["epochs"] == 6  # one continuous curve


def test_the_graph_is_locked_while_training_and_unlocked_after(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.project.training.epochs = 200
    graph = window.project.graph
    fc1 = graph.find("fc1")
    window.training.start()
    try:
        with pytest.raises(GraphError, match="stop the run first"):
            push_edit(window.stack, graph, SetParam(fc1.id, "out_features", 8), "x")
        window.scene.select_nodes([fc1.id])
        window.delete_selection()
        assert graph.has_name("fc1") and "stop the run first" in window.statusBar().currentMessage()
        assert not window.scene.node_items[fc1.id].flags() & window.scene.node_items[fc1.id].GraphicsItemFlag.ItemIsMovable
    finally:
        started = time.perf_counter()
        assert window.training.stop(wait_s=2.0)
        assert time.perf_counter() - started < 2.0
    qtbot.waitUntil(lambda: window.training.last_end is not None)
    assert window.training.last_end.reason == "stopped"
    push_edit(window.stack, graph, SetParam(fc1.id, "out_features", 8), "x")
    assert graph.node(fc1.id).params["out_features"] == 8


def test_pause_holds_the_run_and_resume_goes_on(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.project.training.epochs = 200
    window.training.start()
    qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > 0, timeout=20_000)
    qtbot.mouseClick(window.train_dock.pause_button, Qt.MouseButton.LeftButton)
    assert window.train_dock.pause_button.text() == "Resume"
    qtbot.wait(300)
    step = window.training.trainer.step
    qtbot.wait(300)
    assert window.training.trainer.step == step  # nothing trains while paused
    qtbot.mouseClick(window.train_dock.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.training.trainer.step > step + 5, timeout=10_000)
    qtbot.mouseClick(window.train_dock.stop_button, Qt.MouseButton.LeftButton)
    end = _wait_end(qtbot, window)
    assert end.reason == "stopped"


def test_closing_the_window_during_training_stops_the_run_in_two_seconds(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=forget_changes)
    window.show()
    window.new_from_example(PROJECTS / "spirals_mlp.ndproj")
    window.project.training.epochs = 500
    window.training.start()
    qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > 0, timeout=20_000)
    window.weights_changed = False
    started = time.perf_counter()
    answer_next_dialog(QMessageBox.StandardButton.Yes)  # "Stop the training run?"
    unsaved = answer_next_dialog(QMessageBox.StandardButton.Discard)  # the weights it trained
    assert window.close()
    assert unsaved and unsaved[0].startswith("Save the changes")
    assert time.perf_counter() - started < 2.5
    assert not _training_threads()


def test_settings_changes_are_undoable_commands(spirals: MainWindow, qtbot) -> None:
    window = spirals
    dock = window.train_dock
    combo = dock.training_editors["optimizer"].control
    assert isinstance(combo, QComboBox)
    combo.activated.emit(combo.findText("sgd"))
    assert window.project.training.optimizer == "sgd" and window.isWindowModified()
    lr = dock.training_editors["learning_rate"].control
    lr.selectAll()
    qtbot.keyClicks(lr, "-1")
    qtbot.keyClick(lr, Qt.Key.Key_Return)
    assert window.project.training.learning_rate == 0.01 and "learning_rate must be" in dock.message.text()
    window.stack.undo()
    assert window.project.training.optimizer == "adam" and combo.currentText() == "adam"


def test_choosing_another_data_set_rebuilds_its_options(spirals: MainWindow, qtbot) -> None:
    window = spirals
    dock = window.train_dock
    index = dock.dataset.findData("digits")
    dock.dataset.setCurrentIndex(index)
    asked = answer_next_dialog(QMessageBox.StandardButton.No)  # the MLP does not fit 1×8×8 images
    dock.dataset.activated.emit(index)
    assert asked and "point.shape: (2,) → (1, 8, 8)" in asked[0]
    assert window.project.data.dataset == "digits" and "layout" in dock.data_editors
    assert window.project.graph.find("point").params["shape"] == (2,)  # declined: unchanged
    window.stack.undo()
    assert window.project.data.dataset == "spirals" and "turns" in dock.data_editors
    index = dock.dataset.findData("moons")
    dock.dataset.activated.emit(index)  # fits already: nothing to ask
    assert window.project.data.dataset == "moons"


def test_a_model_that_does_not_fit_its_data_says_so_before_starting(spirals: MainWindow) -> None:
    window = spirals
    window.project.data.dataset = "digits"
    window.project.data.options = {"layout": "image"}
    window.training.start()
    assert not window.training.running
    assert "(2,)" in window.train_dock.message.text() or "shape" in window.train_dock.message.text()


def test_fit_graph_to_data_asks_and_applies_one_undoable_edit(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.project.data.dataset = "iris"
    window.project.data.options = {}
    answered = answer_next_dialog(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(window.train_dock.fit_button, Qt.MouseButton.LeftButton)
    graph = window.project.graph
    assert answered and "point.shape: (2,) → (4,)" in answered[0]
    assert graph.find("point").params["shape"] == (4,) and graph.find("fc3").params["out_features"] == 3
    assert not window.scene.problems
    window.stack.undo()
    assert graph.find("point").params["shape"] == (2,) and graph.find("fc3").params["out_features"] == 2


def test_the_window_and_the_command_line_train_to_the_same_weights(spirals: MainWindow, qtbot, tmp_path) -> None:
    """Same project, same seed, CPU: the worker thread's run equals `netdesigner train`'s."""
    import torch

    from netdesigner.cli import main
    from netdesigner.core.project import Project

    window = spirals
    window.project.training.device = "cpu"
    path = tmp_path / "spirals.ndproj"
    window.save(path)
    window.training.start()
    end = _wait_end(qtbot, window)
    assert end.ok
    assert main(["train", str(path), "--device", "cpu"]) == 0
    from_cli = Project.load(path).weights
    assert from_cli.keys() == window.project.weights.keys()
    for key, value in window.project.weights.items():
        assert torch.equal(value, from_cli[key]), key


def test_a_run_is_remembered_in_the_project_with_checkpoints_beside_it(spirals: MainWindow, qtbot, tmp_path) -> None:
    from netdesigner.core.project import Project

    window = spirals
    path = tmp_path / "spirals.ndproj"
    window.save(path)
    window.training.start()
    end = _wait_end(qtbot, window)
    assert window.train_dock.confusion.isVisible() and window.train_dock.confusion.rowCount() == 2
    total = sum(int(window.train_dock.confusion.item(i, j).text()) for i in range(2) for j in range(2))
    assert total == len(window.training.trainer.splits.test)
    window.save()
    again = Project.load(path)
    (run,) = again.runs
    assert run["reason"] == "completed" and run["epochs"] == 3 and run["test"]["accuracy"] == round(end.test_metrics["accuracy"], 6)
    assert (tmp_path / "spirals-checkpoints").is_dir() and any((tmp_path / "spirals-checkpoints").glob("*.safetensors"))
    assert again.weights.keys() == window.project.weights.keys()


def test_the_canvas_pans_and_selects_while_training_runs(spirals: MainWindow, qtbot) -> None:
    from PySide6.QtCore import QPoint

    window = spirals
    window.project.training.epochs = 200
    window.training.start()
    qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > 0, timeout=20_000)
    view, viewport = window.view, window.view.viewport()
    before = view.mapToScene(viewport.rect().center())
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(300, 300))
    qtbot.mouseMove(viewport, QPoint(300, 240))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(300, 240))
    assert view.mapToScene(viewport.rect().center()).y() > before.y() + 30
    window.scene.select_nodes([window.project.graph.find("fc2").id])
    assert window.inspector.title.text().startswith("<b>fc2</b>")
    assert window.training.running
    points = window.plots.point_counts()["batches"]
    qtbot.waitUntil(lambda: window.plots.point_counts()["batches"] > points, timeout=10_000)  # curves still move


def test_preview_button_shows_the_chosen_data_set(spirals: MainWindow, qtbot) -> None:
    window = spirals
    qtbot.mouseClick(window.train_dock.preview_button, Qt.MouseButton.LeftButton)
    dialog = window.train_dock.preview_dialog
    qtbot.waitExposed(dialog)
    assert dialog.preview is not None and dialog.preview.kind == "scatter" and not dialog.error
    dialog.close()


def test_a_diverging_run_says_so_and_keeps_finite_weights(window: MainWindow, qtbot) -> None:
    import torch

    window.new_from_example(PROJECTS / "sine_mlp.ndproj")  # mse on a linear output: SGD at 1e3 overflows
    training = window.project.training
    training.optimizer, training.momentum, training.learning_rate, training.epochs = "sgd", 0.0, 1e3, 20
    window.training.start()
    end = _wait_end(qtbot, window)
    assert not end.ok and end.kind == "nan", end
    assert "learning rate" in window.train_dock.message.text()
    assert all(torch.isfinite(v).all() for v in window.project.weights.values())
    assert not window.training.running and window.train_dock.start_button.isEnabled()
    assert window.project.runs[-1]["reason"] == "failed"


def test_the_device_is_shown_before_a_run(spirals: MainWindow) -> None:
    text = spirals.train_dock.device_label.text()
    assert "<b>cpu</b>" in text and "small model" in text


def test_the_landscape_of_the_trained_weights_from_the_train_menu(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.training.start()
    _wait_end(qtbot, window)
    panel = window.landscape
    panel.grid_spin.setValue(7)
    with qtbot.waitSignal(panel.worker.finished, timeout=30_000):
        window.actions["landscape"].trigger()
    assert window.plot_tabs.currentWidget() is panel
    assert panel.surface is not None and panel.surface.losses.shape == (7, 7)


def test_the_decision_boundary_forms_while_the_spirals_train(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.project.training.epochs = 20
    window.training.start()
    _wait_end(qtbot, window)
    panel = window.boundary
    assert panel.updates >= 2  # during the run (at most 4 a second) and once at its end
    found = panel.boundary
    assert found is not None and found.classes.shape == (90, 90) and set(found.classes.ravel()) == {0, 1}
    assert panel.image.image.shape == (90, 90, 3)
    assert len(panel.points.data) == len(window.training.trainer.splits.train)


def test_a_cnn_shows_its_first_layer_filters(window: MainWindow, qtbot, tmp_path) -> None:
    copy = tmp_path / "digits_cnn.ndproj"
    copy.write_bytes((PROJECTS / "digits_cnn.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = 1
    window.training.start()
    _wait_end(qtbot, window)
    panel = window.boundary
    assert panel.updates >= 1 and "conv1" in panel.message.text()
    assert panel.image.image.shape == (4 * 4 - 1, 4 * 4 - 1)  # 16 filters of 3×3 in a 4×4 grid


def test_a_vae_shows_its_reconstructions_and_its_latent_map(window: MainWindow, qtbot, tmp_path) -> None:
    import numpy as np

    from netdesigner.analysis.generative import reconstruction_picture

    copy = tmp_path / "vae.ndproj"
    copy.write_bytes((PROJECTS / "vae.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = 2
    window.training.start()
    _wait_end(qtbot, window)
    panel = window.boundary
    assert panel.updates >= 1 and "2-D latent space" in panel.message.text() and "VAE" in panel.plot.plotItem.titleLabel.text
    # inputs and reconstructions: 2 rows of 8 digits; a gap of 2; the 8×8 latent map
    height = 2 * 9 - 1 + 2 + 8 * 9 - 1
    assert panel.image.image.shape == (height, 8 * 9 - 1)
    trainer = window.training.trainer
    mosaic, _ = reconstruction_picture(trainer.module, trainer.snapshot(), trainer.splits.val.x[:8])
    np.testing.assert_array_equal(panel.image.image, (np.where(np.isnan(mosaic), 1.0, mosaic)[::-1] * 255).astype(np.uint8))


def test_no_model_view_for_a_sequence_model(window: MainWindow, qtbot, tmp_path) -> None:
    copy = tmp_path / "lstm_sequence.ndproj"
    copy.write_bytes((PROJECTS / "lstm_sequence.ndproj").read_bytes())
    window.open_file(copy)
    window.project.training.epochs = 1
    window.training.start()
    _wait_end(qtbot, window)
    assert window.boundary.updates == 0 and not window.training.draw_boundary(force=True)


def test_the_learned_function_of_a_one_input_regression_is_drawn(window: MainWindow, qtbot) -> None:
    import numpy as np

    window.new_from_example(PROJECTS / "sine_mlp.ndproj")
    window.project.training.epochs = 40
    window.training.start()
    _wait_end(qtbot, window)
    xs, ys = window.boundary.curve.getData()
    assert len(xs) == 400 and not window.boundary.image.isVisible()
    assert np.abs(ys - np.sin(xs)).max() < 0.25  # the curve follows sin(x)


def test_a_fresh_run_draws_the_earlier_runs_under_it_and_the_file_keeps_them(spirals: MainWindow, qtbot) -> None:
    window = spirals
    window.training.start()
    first = _wait_end(qtbot, window)
    first_losses = [e.val_loss for e in window.training.trainer.history]
    assert window.plots.shown_earlier_runs() == []
    qtbot.mouseClick(window.train_dock.reset_button, Qt.MouseButton.LeftButton)
    window.project.training.optimizer = "sgd"
    window.train_dock.refresh()
    window.training.start()
    assert window.plots.shown_earlier_runs() == [("run 1: adam, lr 0.01", first.epochs_run)]
    _wait_end(qtbot, window)
    record = window.project.runs[0]["curves"]
    assert record["epoch"] == [1, 2, 3] and len(record["val_loss"]) == 3
    assert record["val_loss"] == pytest.approx(first_losses, rel=1e-5)
    assert window.save()
    window.open_file(window.project.path)
    labels = [label for label, points in window.plots.shown_earlier_runs() if points == 3]
    assert labels == ["run 1: adam, lr 0.01", "run 2: sgd, momentum 0.9, lr 0.01"]
    qtbot.mouseClick(window.plots.earlier, Qt.MouseButton.LeftButton)
    assert not any(c.isVisible() for c in window.plots.earlier_curves)
