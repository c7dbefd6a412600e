"""What a GAN's generator makes: mode coverage of 2-D mixtures on hand-made samples, the class
judge, samples from fixed noise, and the Model view's picture."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from netdesigner.analysis.gan_samples import (
    SampleJudge,
    generator_samples,
    image_shape,
    mode_coverage,
)
from netdesigner.analysis.model_picture import PictureKind, model_picture
from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.data.registry import load_dataset

ANGLES = 2 * np.pi * np.arange(8) / 8
RING = np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1)
SIGMA = 0.05


def around(centres: np.ndarray, per_mode: int, spread: float = SIGMA, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([c + rng.normal(0, spread, (per_mode, 2)) for c in centres])


def test_samples_on_every_mode_cover_them_all() -> None:
    found = mode_coverage(around(RING, 250), RING, SIGMA)
    assert found.covered == found.modes == 8
    assert found.high_quality > 0.98  # a 2-D Gaussian puts 98.9 % within 3σ
    assert sum(found.counts) == pytest.approx(found.high_quality * 2000)


def test_a_collapsed_generator_covers_one_mode() -> None:
    found = mode_coverage(around(RING[:1], 2000), RING, SIGMA)
    assert found.covered == 1 and found.counts[0] > 1950 and sum(found.counts[1:]) == 0
    assert "1 of 8 modes covered" in found.describe()


def test_noise_over_the_plane_covers_little_and_is_rarely_high_quality() -> None:
    noise = np.random.default_rng(1).uniform(-1.5, 1.5, (2000, 2))
    found = mode_coverage(noise, RING, SIGMA)
    assert found.high_quality < 0.1
    assert found.covered <= 2


def test_a_mode_needs_a_fifth_of_its_even_share() -> None:
    samples = np.concatenate([around(RING[:7], 280), around(RING[7:], 30)])  # the last mode gets 30 of 2,000
    assert mode_coverage(samples, RING, SIGMA).covered == 7  # 30 < 2000 / 8 / 5 = 50
    samples = np.concatenate([around(RING[:7], 280), around(RING[7:], 60)])
    assert mode_coverage(samples, RING, SIGMA).covered == 8


def test_samples_far_from_every_mode_count_for_none() -> None:
    found = mode_coverage(RING * 1.5, RING, SIGMA)  # right direction, wrong radius
    assert found.covered == 0 and found.high_quality == 0.0
    assert mode_coverage(np.full((10, 2), math.nan), RING, SIGMA).covered == 0


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", {"layout": "flat"})


def test_the_judge_names_real_digits_and_is_not_fooled_by_one_repeated(digits) -> None:
    judge = SampleJudge(digits.train.x, digits.train.y, 10)
    assert judge.accuracy(digits.test.x, digits.test.y) > 0.9
    assert judge.classes_found(digits.test.x)[0] == 10
    ones = digits.test.x[digits.test.y == 1][:1].repeat(1000, 1)
    assert judge.classes_found(ones)[0] == 1
    grey = torch.full((1000, 64), 0.3)
    assert judge.classes_found(grey)[0] <= 1


def gan(noise: int, sample: tuple[int, ...]) -> torch.fx.GraphModule:
    g = Graph()
    width = math.prod(sample)
    h = g.add("Linear", g.input((noise,), name="noise"), name="g_fc", out_features=width)
    g.output(g.add("Sigmoid", h, name="g_pixels"), "none", name="sample")
    h = g.add("Flatten", g.input(sample, name="real"), name="d_flat")
    g.output(g.add("Linear", h, name="d_fc", out_features=1), "gan", name="judge")
    return compile_graph(g)


def test_generator_samples_come_from_fixed_noise_on_a_private_copy() -> None:
    module = gan(3, (2,))
    module.train()
    first = generator_samples(module, None, 50)
    assert first.shape == (50, 2)
    np.testing.assert_array_equal(first, generator_samples(module, None, 50))
    state = {k: torch.zeros_like(v) for k, v in module.state_dict().items()}
    np.testing.assert_allclose(generator_samples(module, state, 5), 0.5)  # sigmoid(0): the snapshot is used …
    assert module.training and module.g_fc.weight.abs().sum() > 0  # … and the module itself is untouched


def test_the_model_view_draws_points_over_a_mixture_and_images_for_digits(digits) -> None:
    ring = load_dataset("gaussian_ring", {"samples": 400})
    picture = model_picture(gan(2, (2,)), None, "gan", False, ring, epoch=3)
    assert picture.kind is PictureKind.GAN_SAMPLES and picture.samples.shape == (1000, 2)
    assert picture.points.shape == (240, 2) and "after epoch 3" in picture.caption and "modes covered" in picture.caption
    picture = model_picture(gan(8, (64,)), None, "gan", False, digits)
    assert picture.kind is PictureKind.GAN_SAMPLES and picture.samples is None
    assert picture.mosaic.shape == (6 * 9 - 1, 8 * 9 - 1)  # 48 images of 8 × 8 with one-pixel gaps
    assert image_shape((64,)) == (8, 8) and image_shape((1, 8, 8)) == (8, 8) and image_shape((3,)) is None


def test_netdesigner_picture_draws_a_gan(tmp_path, digits) -> None:
    from netdesigner.analysis.picture_png import picture_png

    ring = load_dataset("gaussian_ring", {"samples": 400})
    for module, splits, name in ((gan(2, (2,)), ring, "ring.png"), (gan(8, (64,)), digits, "digits.png")):
        picture_png(tmp_path / name, model_picture(module, None, "gan", False, splits))
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
