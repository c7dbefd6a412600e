"""Autoencoder reconstructions and a VAE's decoder driven from its latent space."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from netdesigner.analysis.generative import (
    decode,
    latent_layer,
    latent_size,
    latent_traversal,
    prior_samples,
    reconstructions,
)
from netdesigner.core.project import Project
from netdesigner.data.registry import load_project_data
from netdesigner.train.trainer import Trainer

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


@pytest.fixture(scope="module")
def vae():
    project = Project.load(PROJECTS / "vae.ndproj")
    project.training.epochs = 3
    splits = load_project_data(project)
    module = project.compile()
    trainer = Trainer(module, splits, project.training, graph=project.graph)
    assert trainer.run().ok
    return trainer


def test_decoding_the_mean_latent_gives_the_reconstruction(vae) -> None:
    x = vae.splits.val.x[:12]
    state = vae.snapshot()
    inputs, outputs = reconstructions(vae.module, state, x)
    assert inputs.shape == outputs.shape == (12, 1, 8, 8)
    # in eval mode the latent layer passes the mean on: catch it, decode it, compare
    name, _ = latent_layer(vae.module)
    means = []
    handle = dict(vae.module.named_modules())[name].register_forward_hook(lambda _m, _i, out: means.append(out.detach().clone()))
    vae.module.eval()
    with torch.no_grad():
        vae.module(x)
    handle.remove()
    decoded = decode(vae.module, state, means[0].numpy(), torch.zeros(1, 1, 8, 8))
    np.testing.assert_allclose(decoded, outputs, atol=1e-5)


def test_the_decoder_never_sees_the_input(vae) -> None:
    state = vae.snapshot()
    z = np.array([[0.5, -1.0], [2.0, 0.0]], dtype=np.float32)
    a = decode(vae.module, state, z, torch.zeros(1, 1, 8, 8))
    b = decode(vae.module, state, z, torch.rand(5, 1, 8, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[0], a[1])  # different latents, different pictures


def test_prior_samples_and_traversal(vae) -> None:
    state = vae.snapshot()
    x_like = vae.splits.train.x[:1]
    assert latent_size(vae.module, state, x_like) == 2
    z, images = prior_samples(vae.module, state, x_like, count=9, seed=3)
    z2, images2 = prior_samples(vae.module, state, x_like, count=9, seed=3)
    assert z.shape == (9, 2) and images.shape == (9, 1, 8, 8)
    np.testing.assert_array_equal(images, images2)
    assert ((images >= 0) & (images <= 1)).all()  # the decoder ends in a sigmoid
    values, grid = latent_traversal(vae.module, state, x_like, steps=5, span=2.0)
    assert grid.shape == (5, 5, 1, 8, 8)
    np.testing.assert_allclose(values, [-2, -1, 0, 1, 2])
    # the centre of the map is z = 0; the top-left corner z = (−2, +2)
    np.testing.assert_allclose(grid[2, 2], decode(vae.module, state, np.zeros((1, 2), np.float32), x_like)[0], atol=1e-6)
    np.testing.assert_allclose(grid[0, 0], decode(vae.module, state, np.array([[-2.0, 2.0]], np.float32), x_like)[0], atol=1e-6)


def test_the_callers_weights_are_untouched(vae) -> None:
    before = {k: v.clone() for k, v in vae.module.state_dict().items()}
    training = vae.module.training
    prior_samples(vae.module, vae.snapshot(), vae.splits.train.x[:1], count=4)
    assert vae.module.training == training
    for k, v in vae.module.state_dict().items():
        assert torch.equal(v, before[k])


def test_a_model_without_a_latent_layer_says_so() -> None:
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 64))
    assert latent_layer(module) is None
    with pytest.raises(ValueError, match="no Reparameterize layer"):
        decode(module, None, np.zeros((1, 2), np.float32), torch.zeros(1, 1, 8, 8))
    inputs, outputs = reconstructions(module, None, torch.rand(3, 1, 8, 8))
    assert outputs.shape == inputs.shape == (3, 1, 8, 8)
