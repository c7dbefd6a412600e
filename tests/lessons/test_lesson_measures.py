"""The lesson measures computed from a finished run's trainer, checked on weights whose answer
is known: a reconstruction that copies its input, and one that always gives the mean."""

import pytest
import torch

from netdesigner.core.graph import Graph
from netdesigner.core.project import DataSettings, Project, TrainingSettings
from netdesigner.lessons.measures import RunMeasures, UnknownMeasure
from netdesigner.train.project_trainer import cpu_trainer_for


def _reconstruction(input_noise: float) -> Project:
    """A single Linear layer 64 → 64 on the flat digits, whose target is the input."""
    g = Graph()
    x = g.input((64,), name="pixels")
    g.output(g.add("Linear", x, name="fc", out_features=64), loss="mse", name="reconstruction")
    return Project(graph=g, data=DataSettings("digits", {"layout": "flat", "target": "input"}),
                   training=TrainingSettings(epochs=1, input_noise=input_noise))


def _measures(project: Project, weight: torch.Tensor, bias: torch.Tensor) -> RunMeasures:
    trainer = cpu_trainer_for(project, initialize=True)
    with torch.no_grad():
        trainer.module.get_submodule("fc").weight.copy_(weight)
        trainer.module.get_submodule("fc").bias.copy_(bias)
    _, metrics, _ = trainer.evaluate("test")
    return RunMeasures(trainer, metrics, 0.0, 0)


def test_a_copy_of_the_input_explains_all_its_variance_and_removes_no_noise():
    m = _measures(_reconstruction(0.3), torch.eye(64), torch.zeros(64))
    assert m.get("test_mse") == pytest.approx(0.0, abs=1e-12)
    assert m.get("test_r2") == pytest.approx(1.0)
    # the copy gives the noisy input back: its error is the noise's own
    assert m.get("denoising_ratio") == pytest.approx(1.0, rel=1e-5)


def test_always_answering_the_mean_explains_nothing():
    project = _reconstruction(0.3)
    test_x = cpu_trainer_for(project, initialize=True).splits.test.x
    m = _measures(project, torch.zeros(64, 64), test_x.mean(dim=0))
    assert m.get("test_r2") == pytest.approx(0.0, abs=1e-5)
    # it ignores its input, so the noise costs it nothing: its error is the pixels' variance
    assert m.get("denoising_ratio") == pytest.approx(test_x.var(dim=0, unbiased=False).mean().item() / 0.3**2, rel=0.05)


def test_the_measures_need_their_kind_of_run():
    clean = _measures(_reconstruction(0.0), torch.eye(64), torch.zeros(64))
    with pytest.raises(UnknownMeasure):
        clean.get("denoising_ratio")  # nothing to denoise without input noise

    g = Graph()
    g.output(g.add("Linear", g.input((64,), name="pixels"), name="fc", out_features=10), name="logits")
    trainer = cpu_trainer_for(Project(graph=g, data=DataSettings("digits", {"layout": "flat"}),
                                      training=TrainingSettings(epochs=1, input_noise=0.3)), initialize=True)
    _, metrics, _ = trainer.evaluate("test")
    classifier = RunMeasures(trainer, metrics, 0.0, 0)
    for name in ("test_r2", "denoising_ratio"):
        with pytest.raises(UnknownMeasure):
            classifier.get(name)
