"""The Text sample tab: shown for projects that train on text; Generate writes the prompt and
its continuation with the latest weights, off the GUI thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from ui_gestures import PROJECTS, answer_next_dialog

from netdesigner.analysis.text_sampling import character_model, sample_text
from netdesigner.ui.main_window import MainWindow


@pytest.fixture
def char_lm(window: MainWindow, tmp_path) -> MainWindow:
    copy = tmp_path / "char_lm.ndproj"
    copy.write_bytes((PROJECTS / "char_lm.ndproj").read_bytes())
    window.open_file(copy)
    return window


def _tab_shown(window: MainWindow) -> bool:
    return window.plot_tabs.isTabVisible(window.plot_tabs.indexOf(window.text_sample))


def test_the_tab_is_shown_only_while_the_project_trains_on_text(window: MainWindow, qtbot) -> None:
    window.open_file(PROJECTS / "spirals_mlp.ndproj")
    assert not _tab_shown(window)
    window.open_file(PROJECTS / "char_lm.ndproj")
    assert _tab_shown(window)
    dock = window.train_dock
    seen = answer_next_dialog(QMessageBox.StandardButton.No)  # "Fit the graph to the data?" not now
    dock.dataset.activated.emit(dock.dataset.findData("parity"))  # the person picks another data set
    assert seen and window.project.data.dataset == "parity"
    assert not _tab_shown(window)
    window.stack.undo()  # and takes it back
    assert window.project.data.dataset == "text" and _tab_shown(window)


def test_generate_writes_a_continuation_of_the_prompt_with_the_trained_weights(char_lm: MainWindow, qtbot) -> None:
    window, panel = char_lm, char_lm.text_sample
    window.project.training.epochs = 1
    with qtbot.waitSignal(window.training.run_ended, timeout=300_000) as ended:
        window.training.start()
    assert ended.args[0].ok
    window.plot_tabs.setCurrentWidget(panel)
    panel.prompt_edit.clear()
    qtbot.keyClicks(panel.prompt_edit, "Return the ")
    panel.length_spin.setValue(60)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    assert panel.running and not panel.generate_button.isEnabled()
    qtbot.waitUntil(lambda: panel.generations == 1, timeout=120_000)

    text = panel.result.toPlainText()
    trainer = window.training.trainer
    model = character_model(trainer.splits)
    assert text.startswith("Return the ") and len(text) == len("Return the ") + 60
    assert set(text) <= set(model.vocabulary)
    assert text == sample_text(trainer.module, trainer.snapshot(), model, "Return the ", length=60, temperature=0.8, seed=0)
    cursor = panel.result.textCursor()
    cursor.setPosition(3)
    assert cursor.charFormat().fontWeight() > 500  # the prompt in bold
    cursor.setPosition(len("Return the ") + 3)
    assert cursor.charFormat().fontWeight() < 600  # what the model wrote is not
    assert "60 characters in" in panel.message.text() and panel.generate_button.isEnabled()

    panel.prompt_edit.setText("naïve")
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    assert not panel.running and "'ï'" in panel.message.text() and panel.generations == 1


def test_without_weights_it_asks_to_train_first(char_lm: MainWindow, qtbot) -> None:
    panel = char_lm.text_sample
    char_lm.plot_tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    assert not panel.running and "Train the model first" in panel.message.text()
