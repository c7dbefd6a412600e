"""What a GAN's generator makes, and how much of the data it covers.

- ``generator_samples``: the generator's outputs for fixed, seeded noise, from a weight
  snapshot (a private copy runs it, DESIGN rule 6). The same noise every epoch, so pictures
  taken across a run show the same points moving, not a new draw each time.
- ``mode_coverage``: for a mixture of Gaussians in the plane (the ring of 8 and the grid of 25
  made popular by Metz et al., "Unrolled Generative Adversarial Networks", 2017), each sample is
  given to its nearest mode; it is *high quality* when it lies within 3σ of that mode, and a
  mode is *covered* when it has at least ``share`` of the high-quality samples it would get if
  the samples were spread evenly over the modes (N/K). This is the counting of the 2-D mixture
  experiments in that line of work (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018,
  where a mode counts as lost with fewer than 1/5 of its expected share, as here).
- ``SampleJudge``: for data with classes but no known modes (digits), a softmax regression
  trained on the real training samples names the class of each generated one; ``classes_found``
  counts the classes it sees often and confidently (mode counting with a classifier, as Metz et
  al. count the modes of stacked MNIST). ``accuracy`` says how far the judge can be trusted.
- ``gan_picture``: what the Model view and ``netdesigner picture`` show for a GAN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

    from netdesigner.analysis.model_picture import ModelPicture
    from netdesigner.data.splits import Splits

State = dict[str, "torch.Tensor"]
COVERAGE_SAMPLES = 2000  # generated points the coverage of a 2-D mixture is counted over
PICTURE_POINTS = 1000  # generated points drawn over the data in the Model view
PICTURE_IMAGES = 48  # generated images in the mosaic (6 rows of 8)
SHARE = 0.2  # a mode is covered with ≥ this share of its even share of the samples
NOISE_SEED = 1234  # the fixed noise of the pictures


@dataclass(frozen=True)
class ModeCoverage:
    covered: int  # modes with enough high-quality samples
    modes: int
    high_quality: float  # share of the samples within 3σ of their nearest mode
    counts: tuple[int, ...]  # high-quality samples per mode

    def describe(self) -> str:
        return (f"{self.covered} of {self.modes} modes covered, {100 * self.high_quality:.0f}% of samples "
                "within 3σ of a mode")


def mode_coverage(samples: np.ndarray, centres: np.ndarray, sigma: float, *, share: float = SHARE) -> ModeCoverage:
    """How many of the mixture's modes (``centres``, K × 2, each of deviation ``sigma``) the
    ``samples`` (N × 2) cover; see the module docstring."""
    samples = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    centres = np.asarray(centres, dtype=np.float64)
    k = len(centres)
    if not len(samples):
        return ModeCoverage(0, k, 0.0, (0,) * k)
    finite = np.isfinite(samples).all(axis=1)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    good = finite & (distances.min(axis=1) <= 3 * sigma)
    counts = np.bincount(nearest[good], minlength=k)
    needed = max(1.0, share * len(samples) / k)
    return ModeCoverage(int((counts >= needed).sum()), k, float(good.mean()), tuple(int(c) for c in counts))


def mixture_of(splits: Splits) -> tuple[np.ndarray, float] | None:
    """(centres, σ) of a 2-D mixture data set (``gaussian_ring``, ``gaussian_grid``), else None."""
    centres, sigma = splits.extra.get("mixture_centres"), splits.extra.get("mixture_sigma")
    if centres is None or sigma is None:
        return None
    return np.asarray(centres, dtype=np.float64), float(sigma)


def fixed_noise(shape: tuple[int, ...], count: int, seed: int = NOISE_SEED) -> torch.Tensor:
    """``count`` draws of N(0, I) noise of one sample's ``shape``, the same for the same seed."""
    import torch

    return torch.randn(count, *shape, generator=torch.Generator().manual_seed(seed))


def generator_samples(module: torch.nn.Module, state: State | None, count: int, seed: int = NOISE_SEED) -> np.ndarray:
    """The generator's outputs for ``count`` draws of fixed noise, from a private copy of the
    GAN ``module`` with ``state`` (eval mode: BatchNorm on its running statistics)."""
    import torch

    from netdesigner.analysis.landscape import private_copy
    from netdesigner.core.gan import gan_halves

    copy = private_copy(module, state, device="cpu")
    generator, _ = gan_halves(copy)
    parts = copy.meta["netdesigner"].gan
    with torch.no_grad():
        return generator(fixed_noise(parts.noise_shape, count, seed)).float().numpy()


# ---- a judge for data with classes ------------------------------------------------------------
class SampleJudge:
    """A softmax regression of the real training samples' classes (L-BFGS, weight decay, from
    zero weights: the same judge for the same data), that names the class of generated ones."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, classes: int, *, decay: float = 1e-3, steps: int = 100) -> None:
        import torch

        x = x.detach().float().cpu().reshape(len(x), -1)
        y = y.detach().cpu().long().reshape(-1)
        self.mean, self.std = x.mean(0), x.std(0).clamp_min(1e-3)
        self.classes = classes
        self.linear = torch.nn.Linear(x.shape[1], classes)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.zeros_(self.linear.bias)
        features = (x - self.mean) / self.std
        optimizer = torch.optim.LBFGS(self.linear.parameters(), lr=1.0, max_iter=steps, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.linear(features), y) + decay * self.linear.weight.square().sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        self.linear.requires_grad_(False)

    def probabilities(self, samples: torch.Tensor) -> torch.Tensor:
        import torch

        x = samples.detach().float().cpu().reshape(len(samples), -1)
        with torch.no_grad():
            return torch.softmax(self.linear((x - self.mean) / self.std), dim=1)

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """The share of real samples ``x`` it names right: how far to trust it on fakes."""
        if not len(x):
            return math.nan
        return float((self.probabilities(x).argmax(1) == y.detach().cpu().reshape(-1)).float().mean())

    def classes_found(self, samples: torch.Tensor, *, share: float = SHARE, confidence: float = 0.5) -> tuple[int, tuple[int, ...]]:
        """(how many classes, samples per class): a class is found when at least ``share`` of
        its even share of the samples are given to it with probability ≥ ``confidence``."""
        import torch

        probabilities = self.probabilities(samples)
        sure, named = probabilities.max(dim=1)
        finite = torch.isfinite(probabilities).all(dim=1)
        counts = torch.bincount(named[(sure >= confidence) & finite], minlength=self.classes)
        needed = max(1.0, share * len(samples) / self.classes)
        return int((counts >= needed).sum()), tuple(int(c) for c in counts.tolist())


# ---- the picture ------------------------------------------------------------------------------
def image_shape(sample_shape: tuple[int, ...]) -> tuple[int, int] | None:
    """(height, width) to draw one sample of ``sample_shape`` as a grey image, or None:
    (C, H, W) and (H, W) as they are, a flat vector of a square count (64 → 8 × 8) as a square."""
    if len(sample_shape) == 3:
        return sample_shape[1], sample_shape[2]
    if len(sample_shape) == 2 and min(sample_shape) > 1:
        return sample_shape
    if len(sample_shape) == 1 and sample_shape[0] >= 16 and math.isqrt(sample_shape[0]) ** 2 == sample_shape[0]:
        side = math.isqrt(sample_shape[0])
        return side, side
    return None


def has_picture(sample_shape: tuple[int, ...]) -> bool:
    """Whether a GAN of samples shaped so has a picture: points in the plane, or images."""
    return tuple(sample_shape) == (2,) or image_shape(tuple(sample_shape)) is not None


def gan_picture(module: torch.nn.Module, state: State | None, splits: Splits, epoch: int | None = None) -> ModelPicture | None:
    """Generated points over the training data (2-D samples, with the modes covered for a
    mixture) or a mosaic of generated images; None for samples of another shape."""
    from netdesigner.analysis.model_picture import ModelPicture, PictureKind

    x = splits.train.x
    shape = tuple(x.shape[1:])
    when = f" after epoch {epoch}" if epoch else ""
    if shape == (2,):
        mixture = mixture_of(splits)
        drawn = generator_samples(module, state, COVERAGE_SAMPLES if mixture else PICTURE_POINTS).reshape(-1, 2)
        samples = drawn[:PICTURE_POINTS]
        caption = f"{len(samples)} generator samples (orange) from fixed noise{when}, over {len(x)} training points (grey)"
        if mixture is not None:
            caption += f"; {mode_coverage(drawn, *mixture).describe()} (of {len(drawn)} samples)"
        return ModelPicture(PictureKind.GAN_SAMPLES, "Generator samples over the real data", caption,
                            points=x.detach().cpu().numpy(), targets=splits.train.y.detach().cpu().numpy().reshape(-1),
                            samples=samples)
    side = image_shape(shape)
    if side is None:
        return None
    from netdesigner.analysis.mosaic import tile

    samples = generator_samples(module, state, PICTURE_IMAGES)
    images = samples.reshape(len(samples), -1, *side).mean(axis=1)
    real = x.detach().cpu().float().numpy()
    shown = (float(real.min()), float(real.max()))
    mosaic = tile(images, 8, each_own_range=False, value_range=shown)
    caption = (f"{len(samples)} generator samples from fixed noise{when} (the same noise every epoch), "
               f"on the data's grey scale {shown[0]:.3g} … {shown[1]:.3g}")
    return ModelPicture(PictureKind.GAN_SAMPLES, "What the generator draws", caption, mosaic=mosaic)

