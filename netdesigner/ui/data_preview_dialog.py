"""A look at a data set before training on it: what it is, how big, and a few real samples.

The dialog only draws; choosing the samples and their form is ``data.preview`` (Qt-free), so
the CLI and the tests see the same samples. A data set that cannot be loaded (missing file, bad
option) is shown as one red message inside the dialog: the person is choosing data, and a
refused choice is information, not a crash.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netdesigner.core.errors import DataError
from netdesigner.core.layer_type import Category
from netdesigner.data.preview import Preview, preview
from netdesigner.data.registry import dataset_spec, load_dataset
from netdesigner.data.splits import Splits
from netdesigner.ui import theme

THUMB_PX = 72  # 8×8 digits become 9× bigger: readable without being blurry
GRID_COLUMNS = 4
MAX_SERIES = 6  # small multiples: more than this and each gets too small to read
SERIES_COLUMNS = 3
TITLE_CHARS = 18  # a longer title (a target per time step) widens its plot past the dialog
# class colours: the canvas's category hues, the grey of IO last, so classes match the app's look
CLASS_COLOURS = [theme.CATEGORY_COLOURS[c] for c in (
    Category.DENSE, Category.ACTIVATION, Category.CONVOLUTION, Category.RECURRENT,
    Category.NORMALISATION, Category.PROBABILISTIC, Category.REGULARISATION, Category.POOLING,
    Category.ATTENTION, Category.IO,
)]


class DataPreviewDialog(QDialog):
    """Data set ``name`` loaded with ``options`` (default split fractions) and previewed.

    After construction exactly one of ``error`` (the ``DataError`` text) or ``preview`` is set;
    the widget that shows the samples is ``thumbnails``, ``table`` or ``plots`` by kind.
    """

    def __init__(self, name: str, options: dict[str, Any] | None = None, parent: QWidget | None = None,
                 *, count: int = 16) -> None:
        super().__init__(parent)
        self.preview: Preview | None = None
        self.error = ""
        self.error_label: QLabel | None = None
        self.thumbnails: list[tuple[QLabel, QLabel]] = []  # (image, class label under it)
        self.table: QTableWidget | None = None
        self.plots: list[pg.PlotItem] = []  # the scatter's one, or one per series
        self.facts = QLabel(self)  # parented: on an error it stays hidden, not an orphan
        self.facts.hide()
        layout = QVBoxLayout(self)
        try:
            spec = dataset_spec(name)
            self.setWindowTitle(f"Preview — {spec.title}")
            layout.addWidget(_heading(spec.title))
            layout.addWidget(_wrapped(spec.description))
            splits = load_dataset(name, options)
            self.preview = preview(splits, count)
        except DataError as e:  # shown, not raised: the dialog is where the person learns why
            self.error = str(e)
            self.setWindowTitle(self.windowTitle() or f"Preview — {name}")
            self.error_label = _wrapped(f"Cannot load this data set: {self.error}")
            self.error_label.setStyleSheet(f"color: {theme.ERROR.name()}; font-weight: bold;")
            self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.error_label)
            layout.addStretch(1)
        else:
            self.facts.setText(_facts(splits, self.preview.kind))
            self.facts.setTextFormat(Qt.TextFormat.RichText)
            self.facts.setWordWrap(True)
            layout.addWidget(self.facts)
            self.facts.show()
            layout.addWidget(self._samples(self.preview), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(buttons)
        self.close_button.setFocus()  # not the table's first cell, which would look selected
        self.resize(620, 640 if self.preview is not None else 220)

    def _samples(self, p: Preview) -> QWidget:
        if p.kind == "image":
            return self._image_grid(p)
        if p.kind == "table":
            return self._table(p)
        if p.kind == "scatter":
            return self._scatter(p)
        return self._series(p)

    def _image_grid(self, p: Preview) -> QWidget:
        """Thumbnails with their class under each; scrolls when the images are large."""
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setSpacing(10)
        for i, (array, label) in enumerate(zip(p.images, p.labels, strict=False)):
            image = QLabel()
            image.setPixmap(_pixmap(array))
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(label)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell = QVBoxLayout()
            cell.addWidget(image)
            cell.addWidget(caption)
            grid.addLayout(cell, i // GRID_COLUMNS, i % GRID_COLUMNS)
            self.thumbnails.append((image, caption))
        grid.setRowStretch(grid.rowCount(), 1)  # few images: keep them together at the top
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        return scroll

    def _table(self, p: Preview) -> QTableWidget:
        table = QTableWidget(len(p.rows), len(p.columns))
        table.setHorizontalHeaderLabels(list(p.columns))
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(p.rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == len(row) - 1:  # the target: what the network must learn to say
                    item.setFont(bold)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().moveSection(len(p.columns) - 1, 0)  # target first: wide tables hide the end
        self.table = table
        return table

    def _scatter(self, p: Preview) -> pg.PlotWidget:
        assert p.points is not None
        widget = pg.PlotWidget(background=theme.colours().node_fill)
        plot = _style(widget.getPlotItem())
        self.plots = [plot]
        muted = theme.colours().muted_text.name()
        xy = p.points
        if p.point_classes is None:  # y = f(x): one colour, the axes say what is what
            plot.setLabel("bottom", "x", color=muted)
            plot.setLabel("left", "y", color=muted)
            plot.addItem(pg.ScatterPlotItem(xy[:, 0], xy[:, 1], size=5, pen=None,
                                            brush=pg.mkBrush(CLASS_COLOURS[0])))
            return widget
        plot.setLabel("bottom", "x₁", color=muted)
        plot.setLabel("left", "x₂", color=muted)
        plot.setAspectLocked(True)  # planar sets are shapes; do not squash them
        classes = p.point_classes.astype(int)
        for k in np.unique(classes):
            name = p.class_names[k] if k < len(p.class_names) else str(k)
            mask = classes == k
            colour = CLASS_COLOURS[int(k) % len(CLASS_COLOURS)]
            plot.addItem(pg.ScatterPlotItem(xy[mask, 0], xy[mask, 1], size=6, pen=None,
                                            brush=pg.mkBrush(colour), name=name))
        return widget

    def _series(self, p: Preview) -> pg.GraphicsLayoutWidget:
        """Small multiples, one sample each with its target as the title: overlaid windows
        (or bit strings) hide each other, side by side they can be compared."""
        c = theme.colours()
        widget = pg.GraphicsLayoutWidget()
        widget.setBackground(c.node_fill)
        shown = list(zip(p.series[:MAX_SERIES], p.labels or [""] * len(p.series), strict=False))
        for i, (array, label) in enumerate(shown):
            plot = _style(widget.addPlot(row=i // SERIES_COLUMNS, col=i % SERIES_COLUMNS), legend=False)
            title = f"→ {label}" if len(label) <= TITLE_CHARS else f"→ {label[:TITLE_CHARS - 1]}…"
            plot.setTitle(title if label else f"sample {i + 1}", color=c.text.name(), size="8pt")
            if self.plots:
                plot.setYLink(self.plots[0])  # one scale, so amplitudes compare
            values = array if array.ndim == 1 else array[:, 0]  # several features: the first
            plot.plot(np.arange(len(values)), values, pen=pg.mkPen(CLASS_COLOURS[0], width=2),
                      symbol="o", symbolSize=4, symbolBrush=CLASS_COLOURS[0], symbolPen=None)
            self.plots.append(plot)
        return widget


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _facts(splits: Splits, kind: str) -> str:
    """Task, input, classes and sizes: what the Input and Output nodes will have to match."""
    info = splits.info
    lines = [f"<b>Task:</b> {info.task.value}",
             f"<b>Input:</b> {_shape(info.input_shape)} per sample, {info.input_dtype}"]
    if info.target_shape:
        lines.append(f"<b>Target:</b> {_shape(info.target_shape)} per sample")
    if info.class_names or info.num_classes:
        names = ", ".join(info.class_names[:12]) + (", …" if len(info.class_names) > 12 else "")
        count = info.num_classes or len(info.class_names)
        lines.append(f"<b>Classes:</b> {count}" + (f" — {names}" if names else ""))
    lines.append(f"<b>Samples:</b> train {len(splits.train)} · validation {len(splits.val)} "
                 f"· test {len(splits.test)}")
    if "x_mean" in splits.extra and kind != "image":  # else the person wonders why negative
        lines.append("<i>Inputs are shown as the network gets them: standardised on the training part.</i>")
    if kind == "series":
        lines.append("<i>The first training samples, each titled with its target.</i>")
    return "<br>".join(lines)


def _shape(shape: tuple[int, ...]) -> str:
    size = "×".join(str(d) for d in shape) or "1"
    return f"{size} value" + ("" if size == "1" else "s")


def _pixmap(array: np.ndarray) -> QPixmap:
    """A [0, 1] grey (H, W) or colour (3, H, W) array as a pixmap about THUMB_PX wide; small
    images are enlarged pixel by pixel, since smoothing an 8×8 digit makes it a blur."""
    data = np.ascontiguousarray(np.clip(array, 0.0, 1.0) * 255).astype(np.uint8)
    if data.ndim == 3:
        data = np.ascontiguousarray(data.transpose(1, 2, 0))
        h, w = data.shape[:2]
        image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    else:
        h, w = data.shape
        image = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8)
    image = image.copy()  # own the pixels: ``data`` goes away with this frame
    mode = (Qt.TransformationMode.FastTransformation if max(h, w) <= THUMB_PX
            else Qt.TransformationMode.SmoothTransformation)
    scale = max(1, THUMB_PX // max(h, w)) if max(h, w) <= THUMB_PX else THUMB_PX / max(h, w)
    size = (round(w * scale), round(h * scale))
    return QPixmap.fromImage(image.scaled(*size, Qt.AspectRatioMode.KeepAspectRatio, mode))


def _style(plot: pg.PlotItem, legend: bool = True) -> pg.PlotItem:
    """The training plots' look (theme colours, faint grid), so the app reads as one."""
    c = theme.colours()
    plot.showGrid(x=True, y=True, alpha=0.15)
    if legend:
        plot.addLegend(offset=(-6, 6), labelTextColor=c.text.name(), brush=pg.mkBrush(c.node_fill),
                       pen=pg.mkPen(c.node_border)).setLabelTextSize("8pt")
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setTextPen(c.muted_text)
        plot.getAxis(axis).setPen(c.node_border)
    return plot
