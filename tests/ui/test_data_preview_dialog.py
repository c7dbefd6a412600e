"""The data preview dialog shows real samples of each kind, and a load error as a message."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QLabel

from netdesigner.data.preview import preview_dataset
from netdesigner.data.registry import dataset_spec, load_dataset
from netdesigner.ui.data_preview_dialog import MAX_SERIES, THUMB_PX, DataPreviewDialog


def open_dialog(qtbot, name: str, options: dict | None = None) -> DataPreviewDialog:
    dialog = DataPreviewDialog(name, options or {})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_digits_show_a_grid_of_readable_thumbnails_with_class_names(qtbot):
    dialog = open_dialog(qtbot, "digits")
    info = load_dataset("digits").info
    expected = preview_dataset("digits")
    assert dialog.error == "" and dialog.error_label is None
    assert len(dialog.thumbnails) == 16
    captions = [caption.text() for _, caption in dialog.thumbnails]
    assert captions == list(expected.labels)
    assert set(captions) <= set(info.class_names)
    image, _ = dialog.thumbnails[0]
    pixmap = image.pixmap()
    assert pixmap.width() == pixmap.height() >= THUMB_PX  # 8×8 enlarged, not left tiny
    # nearest-neighbour: one source pixel is a solid block, so the thumbnail has ≤ 64 grey levels
    grey = pixmap.toImage()
    levels = {grey.pixelColor(x, y).red() for x in range(pixmap.width()) for y in range(pixmap.height())}
    assert 2 < len(levels) <= 64
    header = dialog.facts.text()
    assert "classification" in header and "1×8×8" in header
    assert f"train {len(load_dataset('digits').train)}" in header
    titles = [w.text() for w in dialog.findChildren(QLabel)]
    assert dataset_spec("digits").title in titles


def test_colour_images_keep_their_colours(qtbot, tmp_path):
    from PIL import Image

    for name, rgb in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
        (tmp_path / name).mkdir()
        for i in range(5):
            Image.new("RGB", (12, 12), rgb).save(tmp_path / name / f"{i}.png")
    dialog = open_dialog(qtbot, "image_folder", {"path": str(tmp_path), "size": [12, 12]})
    assert dialog.error == ""
    assert {caption.text() for _, caption in dialog.thumbnails} <= {"red", "blue"}
    for image, caption in dialog.thumbnails:
        colour = image.pixmap().toImage().pixelColor(3, 3)
        strong = colour.red() if caption.text() == "red" else colour.blue()
        weak = colour.blue() if caption.text() == "red" else colour.red()
        assert strong > 200 and weak < 50


def test_iris_is_a_table_of_its_features_and_target(qtbot):
    dialog = open_dialog(qtbot, "iris")
    info = load_dataset("iris").info
    expected = preview_dataset("iris")
    table = dialog.table
    assert table is not None
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == [*info.feature_names, "target"]
    assert table.rowCount() == len(expected.rows) == 16
    target = table.columnCount() - 1
    assert table.horizontalHeader().visualIndex(target) == 0  # the target is seen first
    for r in range(table.rowCount()):
        assert table.item(r, target).text() in info.class_names
        assert [table.item(r, c).text() for c in range(table.columnCount())] == list(expected.rows[r])
    assert "standardised" in dialog.facts.text()


def test_spirals_are_a_scatter_coloured_by_class_with_a_legend(qtbot):
    dialog = open_dialog(qtbot, "spirals")
    expected = preview_dataset("spirals")
    (plot,) = dialog.plots
    scatters = [item for item in plot.listDataItems() if isinstance(item, pg.ScatterPlotItem)]
    assert len(scatters) == 2
    assert sum(len(s.data) for s in scatters) == len(expected.points) == 500
    brushes = {s.opts["brush"].color().name() for s in scatters}
    assert len(brushes) == 2  # one colour per class
    legend = [label.text for _, label in plot.legend.items]
    assert legend == list(load_dataset("spirals").info.class_names)
    shown = np.concatenate([np.column_stack([s.data["x"], s.data["y"]]) for s in scatters])
    assert np.allclose(np.sort(shown, axis=0), np.sort(expected.points, axis=0))


def test_a_function_is_drawn_as_its_points(qtbot):
    dialog = open_dialog(qtbot, "function")
    (plot,) = dialog.plots
    (scatter,) = plot.listDataItems()
    assert len(scatter.data) == len(preview_dataset("function").points)
    assert plot.getAxis("left").labelText == "y"


@pytest.mark.parametrize("name", ["sine_forecast", "parity"])
def test_series_are_plotted_one_per_small_plot_titled_with_the_target(qtbot, name):
    dialog = open_dialog(qtbot, name)
    expected = preview_dataset(name)
    assert len(dialog.plots) == MAX_SERIES
    for plot, series, label in zip(dialog.plots, expected.series, expected.labels, strict=False):
        (curve,) = plot.listDataItems()
        x, y = curve.getData()
        assert np.allclose(y, series) and len(x) == len(series)
        assert label in plot.titleLabel.text


def test_a_missing_file_is_one_clear_message_not_an_exception(qtbot, tmp_path):
    missing = tmp_path / "nowhere.csv"
    dialog = open_dialog(qtbot, "csv", {"path": str(missing)})
    assert dialog.preview is None
    assert dialog.error_label is not None and dialog.error_label.isVisible()
    assert str(missing) in dialog.error_label.text() and "no such file" in dialog.error_label.text()
    assert dialog.table is None and not dialog.plots and not dialog.thumbnails
    assert dialog.close_button.isVisible() and not dialog.facts.isVisible()


@pytest.mark.parametrize(("name", "options", "words"), [
    ("spirals", {"noise": -3}, "noise"),
    ("spirals", {"bogus": 1}, "bogus"),
    ("no_such_set", {}, "no_such_set"),
])
def test_bad_options_and_names_are_shown_in_the_dialog(qtbot, name, options, words):
    dialog = open_dialog(qtbot, name, options)
    assert words in dialog.error and words in dialog.error_label.text()


def test_close_closes(qtbot):
    dialog = open_dialog(qtbot, "moons")
    dialog.close_button.click()
    assert not dialog.isVisible()
