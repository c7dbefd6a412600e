"""What a trained model draws, chosen from its task and data: the window's Model view and the
``netdesigner picture`` command show the same thing from the same code.

- a classifier of two input features: its decision boundary over the input plane, with the
  training points (as TensorFlow Playground draws it);
- a regression of one input onto one output: the function it has learned, over the points;
- an autoencoder or VAE of images: validation inputs beside their reconstructions (and, for a
  VAE, samples from the prior and a walk through a 2-D latent space);
- any other model of images: the first convolution's filters;
- a GAN: its generator's samples from fixed noise, as points over the data in the plane (with
  the modes covered, for a mixture of Gaussians) or as a mosaic of images.

Other models have no picture of this kind (``picture_kind`` is None); their layers are seen
in the activations views instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

    from netdesigner.analysis.boundary import Boundary
    from netdesigner.data.splits import Splits

BOUNDARY_RESOLUTION = 90  # grid points per side of the input plane


class PictureKind(Enum):
    BOUNDARY = "decision boundary"
    CURVE = "fitted curve"
    RECONSTRUCTIONS = "reconstructions"
    FILTERS = "first-layer filters"
    GAN_SAMPLES = "generator samples"


@dataclass
class ModelPicture:
    """One picture and what to say under it; only the fields of its ``kind`` are set."""

    kind: PictureKind
    title: str
    caption: str
    boundary: Boundary | None = None
    points: np.ndarray | None = None  # N × 2 (boundary) or N (curve) training inputs
    targets: np.ndarray | None = None  # their class ids (boundary) or targets (curve)
    curve: tuple[np.ndarray, np.ndarray] | None = None  # xs, ys of the learned function
    mosaic: np.ndarray | None = None  # grey images in [0, 1], NaN gaps, row 0 at the top
    samples: np.ndarray | None = None  # N × 2 points a GAN's generator made (drawn over ``points``)


def picture_kind(task: str, classifies: bool, x: torch.Tensor, y: torch.Tensor) -> PictureKind | None:
    """Which picture a model of ``task`` trained on inputs ``x`` and targets ``y`` gets."""
    if task == "gan":
        from netdesigner.analysis.gan_samples import has_picture

        return PictureKind.GAN_SAMPLES if has_picture(tuple(x.shape[1:])) else None
    if x.dim() == 4:
        return PictureKind.RECONSTRUCTIONS if task in ("autoencoding", "variational") else PictureKind.FILTERS
    if x.dim() == 2 and x.shape[1] == 2 and classifies:
        return PictureKind.BOUNDARY
    if x.dim() == 2 and x.shape[1] == 1 and not classifies and y.numel() == len(y):
        return PictureKind.CURVE
    return None


def model_picture(module: torch.nn.Module, state: dict[str, Any] | None, task: str, classifies: bool,
                  splits: Splits, epoch: int | None = None) -> ModelPicture | None:
    """The picture of ``module`` with ``state`` (a snapshot; a private copy runs it), or None
    when its task and data have none. ``epoch`` only goes into the caption."""
    x, y = splits.train.x, splits.train.y
    kind = picture_kind(task, classifies, x, y)
    when = f" after epoch {epoch}" if epoch else ""
    if kind is PictureKind.GAN_SAMPLES:
        from netdesigner.analysis.gan_samples import gan_picture

        return gan_picture(module, state, splits, epoch)
    if kind is PictureKind.RECONSTRUCTIONS:
        from netdesigner.analysis.generative import reconstruction_picture

        split = splits.val if len(splits.val) else splits.train
        mosaic, caption = reconstruction_picture(module, state, split.x[:8])
        model = "VAE" if task == "variational" else "autoencoder"
        return ModelPicture(kind, f"What the {model} makes of its inputs{when}", caption, mosaic=mosaic)
    if kind is PictureKind.FILTERS:
        from netdesigner.analysis.filters import filter_mosaic, first_conv_weight

        found = first_conv_weight(module, state)
        if found is None:
            return None
        layer, weight = found
        return ModelPicture(kind, f"Filters of {layer}: what the first convolution looks for",
                            f"{layer}: filters averaged over input channels, each scaled to its own range{when}",
                            mosaic=filter_mosaic(weight))
    points = x.detach().cpu().numpy()
    targets = y.detach().cpu().numpy()
    if kind is PictureKind.CURVE:
        from netdesigner.analysis.boundary import fitted_curve

        curve = fitted_curve(module, state, (float(points.min()), float(points.max())))
        return ModelPicture(kind, "The function the model has learned, over the training data",
                            f"{len(points)} training points{when}", points=points[:, 0], targets=targets.reshape(-1),
                            curve=curve)
    if kind is PictureKind.BOUNDARY:
        from netdesigner.analysis.boundary import decision_boundary, plane_of

        found = decision_boundary(module, state, plane_of(points), resolution=BOUNDARY_RESOLUTION)
        return ModelPicture(kind, "Decision boundary (class regions over the input plane)",
                            f"{len(points)} training points{when}; deeper colour = more confident",
                            boundary=found, points=points, targets=targets.reshape(-1))
    return None
