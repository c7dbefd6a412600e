"""What the model draws over its input, redrawn while it trains: the decision boundary of a
two-feature classifier, the curve a one-input regression model has learned, a GAN's samples
over the real data, or a mosaic of images (reconstructions, filters, generated images).

For a classifier each class gets a hue; the stronger the model's confidence, the deeper the
colour; the training points are drawn on top in their class's hue, so a person sees the
regions form. For a regression model the curve is drawn over the training points. For a GAN
the generator's samples (orange) are drawn over the real points (faint grey) on a fixed square
plane, so the same points can be watched moving towards the modes from epoch to epoch.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netdesigner.analysis.boundary import CLASS_HUES, plane_of
from netdesigner.analysis.model_picture import ModelPicture, PictureKind
from netdesigner.ui import theme


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
        self.real_points = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(140, 140, 140, 70))
        self.samples = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(CLASS_HUES[1]))
        self.plot.addItem(self.real_points)
        self.plot.addItem(self.samples)
        self.message = QLabel("Shown for classifiers with two input features (spirals, moons, circles, xor, blobs), "
                              "one-input regressions, image autoencoders and CNNs, and GANs.")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        self.boundary = None
        self.updates = 0

    def show_picture(self, picture: ModelPicture) -> None:
        """Draws an ``analysis.model_picture.ModelPicture`` of any kind."""
        if picture.kind is PictureKind.BOUNDARY:
            self.show_boundary(picture.boundary, picture.points, picture.targets, caption=picture.caption)
        elif picture.samples is not None:
            self.show_samples(picture.points, picture.samples, picture.title, picture.caption)
        elif picture.kind is PictureKind.CURVE:
            self.show_curve(*picture.curve, picture.points, picture.targets, caption=picture.caption)
        else:
            self.show_images(picture.title, picture.mosaic, picture.caption)

    def show_boundary(self, boundary, points: np.ndarray, labels: np.ndarray, caption: str = "") -> None:
        """Draws ``boundary`` (an ``analysis.boundary.Boundary``) with the data points on top."""
        self.boundary = boundary
        self.updates += 1
        self._clear_samples()
        self.curve.setData([], [])
        self.image.show()
        self.plot.getViewBox().setAspectLocked(False)
        self.plot.setTitle("Decision boundary (class regions over the input plane)")
        self._axes(True)
        self.image.setImage(boundary.colours(), levels=(0, 255))
        xs, ys = boundary.xs, boundary.ys
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(pg.QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
        # the plane, whatever was shown before (a mosaic's or a GAN's range would otherwise stay)
        # (as Python floats: pyqtgraph compares them with limits of 1e307, which float32 cannot hold)
        self.plot.setRange(xRange=(float(xs[0] - dx / 2), float(xs[-1] + dx / 2)),
                           yRange=(float(ys[0] - dy / 2), float(ys[-1] + dy / 2)), padding=0.02)
        # full-strength hues with a white rim stand out on the paler regions (as in TensorFlow Playground)
        brushes = [pg.mkBrush(CLASS_HUES[int(k) % len(CLASS_HUES)]) for k in labels]
        self.points.setData(points[:, 0], points[:, 1], brush=brushes)
        self.message.setText(caption)

    def show_curve(self, xs: np.ndarray, ys: np.ndarray, points_x: np.ndarray, points_y: np.ndarray,
                   caption: str = "") -> None:
        """The function a one-input regression model has learned, over its training points."""
        self.updates += 1
        self._clear_samples()
        self.image.hide()
        self.plot.setTitle("The function the model has learned, over the training data")
        self.plot.getViewBox().setAspectLocked(False)
        self._axes(True)
        self.points.setData(points_x, points_y, brush=pg.mkBrush(CLASS_HUES[0]), size=4)
        self.curve.setData(xs, ys)
        self.plot.enableAutoRange()  # a mosaic or a GAN's plane before set a fixed range
        self.message.setText(caption)

    def show_images(self, title: str, mosaic: np.ndarray, caption: str) -> None:
        """A mosaic (values in [0, 1], NaN for gaps, row 0 at the top) as grey images."""
        self.updates += 1
        self._clear_samples()
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

    def show_samples(self, real: np.ndarray, samples: np.ndarray, title: str, caption: str) -> None:
        """A GAN's generated points over the real ones, on the square around the real data (kept
        still, so samples flung far away leave the view rather than shrink the data)."""
        self.updates += 1
        self.boundary = None
        self.curve.setData([], [])
        self.points.setData([], [])
        self.image.hide()
        self.plot.setTitle(title)
        self._axes(True)
        self.real_points.setData(real[:, 0], real[:, 1])
        finite = samples[np.isfinite(samples).all(axis=1)]
        self.samples.setData(finite[:, 0], finite[:, 1])
        x0, x1, y0, y1 = plane_of(real, margin=0.1)
        self.plot.getViewBox().setAspectLocked(True)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.message.setText(caption)

    def _clear_samples(self) -> None:
        self.real_points.setData([], [])
        self.samples.setData([], [])

    def _axes(self, shown: bool) -> None:
        for axis in ("left", "bottom"):
            self.plot.showAxis(axis, shown)
