"""Decision boundaries: the regions a trained classifier draws over its input plane."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from netdesigner.analysis.boundary import decision_boundary, plane_of
from netdesigner.core.project import Project
from netdesigner.data.registry import load_dataset
from netdesigner.train.trainer import Trainer

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def test_the_boundary_of_a_trained_spirals_mlp_agrees_with_its_predictions() -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    project.training.device, project.training.epochs = "cpu", 60
    data = project.data
    splits = load_dataset(data.dataset, data.options, validation_fraction=0.2, test_fraction=0.2, seed=0)
    trainer = Trainer(project.compile(), splits, project.training, graph=project.graph)
    trainer.run()
    points = splits.train.x.numpy()
    plane = plane_of(points)
    found = decision_boundary(trainer.module, trainer.snapshot(), plane, resolution=60)
    assert found.classes.shape == (60, 60) and set(np.unique(found.classes)) == {0, 1}
    assert found.confidence.min() >= 0.5 - 1e-6 and found.confidence.max() <= 1 + 1e-6
    # each training point's class at the nearest grid cell is mostly its true class
    ix = np.clip(np.searchsorted(found.xs, points[:, 0]), 0, 59)
    iy = np.clip(np.searchsorted(found.ys, points[:, 1]), 0, 59)
    agree = (found.classes[iy, ix] == splits.train.y.numpy()).mean()
    assert agree > 0.85
    # the caller's weights were not touched
    assert all(torch.equal(v, trainer.module.state_dict()[k]) for k, v in trainer.snapshot().items())


def test_a_single_logit_is_read_as_a_binary_score() -> None:
    module = torch.nn.Linear(2, 1)
    with torch.no_grad():
        module.weight.copy_(torch.tensor([[1.0, 0.0]]))
        module.bias.zero_()
    found = decision_boundary(module, None, (-1, 1, -1, 1), resolution=21)
    assert (found.classes[:, :10] == 0).all() and (found.classes[:, 11:] == 1).all()
