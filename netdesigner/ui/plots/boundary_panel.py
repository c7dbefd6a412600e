"""What the model draws over its input, redrawn while it trains: the decision boundary of a
two-feature classifier, or the curve a one-input regression model has learned.

For a classifier each class gets a hue; the stronger the model's confidence, the deeper the
colour; the training points are drawn on top in their class's hue, so a person sees the
regions form. For a regression model the curve is drawn over the training points.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netdesigner.ui import theme

CLASS_HUES = ("#2f6fde", "#d9822b", "#2a9d8f", "#c0506a", "#8e6cc9", "#56a86b", "#c4a000", "#5b6b7f", "#a7489b", "#b07d48")


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


class BoundaryPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        c = theme.colours()
        self.plot = pg.PlotWidget(background=c.node_fill)
        self.plot.setTitle("Decision boundary (class regions over the input plane)", color=c.text.name(), size="9pt")
        self.plot.setLabel("bottom", "feature 1", color=c.muted_text.name())
        self.plot.setLabel("left", "feature 2", color=c.muted_text.name())
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=1.0))
        self.plot.addItem(self.points)
        self.curve = self.plot.plot(pen=pg.mkPen(CLASS_HUES[1], width=2.5))
        self.message = QLabel("Shown for classifiers with two input features (spirals, moons, circles, xor, blobs).")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        self.boundary = None
        self.updates = 0

    def show_boundary(self, boundary, points: np.ndarray, labels: np.ndarray, epoch: int | None = None) -> None:
        """Draws ``boundary`` (an ``analysis.boundary.Boundary``) with the data points on top."""
        self.boundary = boundary
        self.updates += 1
        self.curve.setData([], [])
        self.image.show()
        self.plot.getViewBox().setAspectLocked(False)
        self.plot.setTitle("Decision boundary (class regions over the input plane)")
        self._axes(True)
        hues = np.stack([_rgb(CLASS_HUES[k % len(CLASS_HUES)]) for k in range(int(boundary.classes.max()) + 1)])
        n_classes = max(2, len(hues))
        strength = (boundary.confidence - 1 / n_classes) / (1 - 1 / n_classes)  # 0 at a tie, 1 when sure
        white = np.full(3, 255.0, dtype=np.float32)
        mix = 0.15 + 0.4 * np.clip(strength, 0, 1)[..., None]
        rgb = white * (1 - mix) + hues[boundary.classes] * mix
        self.image.setImage(rgb.astype(np.uint8), levels=(0, 255))
        xs, ys = boundary.xs, boundary.ys
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(pg.QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
        # full-strength hues with a white rim stand out on the paler regions (as in TensorFlow Playground)
        brushes = [pg.mkBrush(CLASS_HUES[int(k) % len(CLASS_HUES)]) for k in labels]
        self.points.setData(points[:, 0], points[:, 1], brush=brushes)
        when = f" after epoch {epoch}" if epoch else ""
        self.message.setText(f"{len(points)} training points{when}; deeper colour = more confident")

    def show_curve(self, xs: np.ndarray, ys: np.ndarray, points_x: np.ndarray, points_y: np.ndarray,
                   epoch: int | None = None) -> None:
        """The function a one-input regression model has learned, over its training points."""
        self.updates += 1
        self.image.hide()
        self.plot.setTitle("The function the model has learned, over the training data")
        self.plot.getViewBox().setAspectLocked(False)
        self._axes(True)
        self.points.setData(points_x, points_y, brush=pg.mkBrush(CLASS_HUES[0]), size=4)
        self.curve.setData(xs, ys)
        when = f" after epoch {epoch}" if epoch else ""
        self.message.setText(f"{len(points_x)} training points{when}")

    def show_filters(self, layer: str, mosaic: np.ndarray, epoch: int | None = None) -> None:
        """The first convolution's filters as grey images (light = positive weights)."""
        when = f" after epoch {epoch}" if epoch else ""
        self.show_images(f"Filters of {layer}: what the first convolution looks for", mosaic,
                         f"{layer}: filters averaged over input channels, each scaled to its own range{when}")

    def show_images(self, title: str, mosaic: np.ndarray, caption: str) -> None:
        """A mosaic (values in [0, 1], NaN for gaps, row 0 at the top) as grey images."""
        self.updates += 1
        self.curve.setData([], [])
        self.points.setData([], [])
        self.image.show()
        shown = np.where(np.isnan(mosaic), 1.0, mosaic)[::-1]  # row 0 at the top; gaps white
        self.image.setImage((shown * 255).astype(np.uint8), levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(0, 0, mosaic.shape[1], mosaic.shape[0]))
        self.plot.setTitle(title)
        self._axes(False)
        self.plot.getViewBox().setAspectLocked(True)
        self.plot.autoRange(padding=0.02)
        self.message.setText(caption)

    def _axes(self, shown: bool) -> None:
        for axis in ("left", "bottom"):
            self.plot.showAxis(axis, shown)
