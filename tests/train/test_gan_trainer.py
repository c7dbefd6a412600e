"""The GAN trainer: two networks take turns, each moved by its own loss only, in the ordinary
training loop (events, stop, NaN handling, checkpoints), and the ring example keeps its promise."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from tiny_training import collect, of, settings

from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.data.registry import load_dataset
from netdesigner.data.splits import Split, Splits
from netdesigner.train.events import BatchEnd, EpochEnd, RunFailed, RunFinished, RunStarted
from netdesigner.train.gan_trainer import GAN_BETAS, GanTrainer, trainer_class
from netdesigner.train.project_trainer import cpu_trainer_for
from netdesigner.train.trainer import Trainer

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def ring_gan(hidden: int = 16, noise: int = 2) -> Graph:
    g = Graph()
    h = g.add("LeakyReLU", g.add("Linear", g.input((noise,), name="noise"), name="g_fc1", out_features=hidden),
              name="g_act", negative_slope=0.2)
    g.output(g.add("Linear", h, name="g_fc2", out_features=2), "none", name="sample")
    h = g.add("LeakyReLU", g.add("Linear", g.input((2,), name="point"), name="d_fc1", out_features=hidden),
              name="d_act", negative_slope=0.2)
    g.output(g.add("Linear", h, name="d_fc2", out_features=1), "gan", name="judge")
    return g


@pytest.fixture(scope="module")
def ring() -> Splits:
    return load_dataset("gaussian_ring", {"samples": 400})


def gan_trainer(splits: Splits, **changes) -> GanTrainer:
    graph = ring_gan()
    return GanTrainer(compile_graph(graph), splits, settings(**{"epochs": 2, "batch_size": 32, **changes}), graph=graph)


def names_of(module: torch.nn.Module, prefix: str) -> set[str]:
    return {n for n, _ in module.named_parameters() if n.startswith(prefix)}


def test_each_step_moves_one_network_with_gradients_of_its_own_loss_only(ring: Splits) -> None:
    trainer = gan_trainer(ring, epochs=1)
    module = trainer.module
    steps: list[tuple[set[str], set[str]]] = []  # (parameters with a gradient, parameters the step changed)
    step = trainer.optimizer.step

    def spy(*args, **kwargs):
        with_grad = {n for n, p in module.named_parameters() if p.grad is not None}
        before = {n: p.detach().clone() for n, p in module.named_parameters()}
        out = step(*args, **kwargs)
        moved = {n for n, p in module.named_parameters() if not torch.equal(before[n], p)}
        steps.append((with_grad, moved))
        return out

    trainer.optimizer.step = spy
    trainer.run()
    generator, discriminator = names_of(module, "g_"), names_of(module, "d_")
    assert len(steps) == 2 * math.ceil(len(ring.train) / 32)
    for i, (with_grad, moved) in enumerate(steps):
        network = discriminator if i % 2 == 0 else generator  # the discriminator's step first, then the generator's
        assert with_grad == network, f"step {i}: gradients reached {sorted(with_grad)}"
        assert moved == network, f"step {i}: the step changed {sorted(moved)}"
    assert all(p.requires_grad for p in module.parameters())  # the discriminator is frozen only for the generator's step


def test_one_optimiser_kind_with_a_parameter_group_per_network(ring: Splits) -> None:
    trainer = gan_trainer(ring)
    groups = trainer.optimizer.param_groups
    assert isinstance(trainer.optimizer, torch.optim.Adam) and len(groups) == 2
    ids = [{id(p) for p in g["params"]} for g in groups]
    assert ids == [{id(p) for p in trainer.generator_net.parameters()}, {id(p) for p in trainer.discriminator_net.parameters()}]
    assert all(g["betas"] == GAN_BETAS for g in groups)
    trainer.settings = replace(trainer.settings, optimizer="sgd", momentum=0.5)
    assert isinstance(trainer.optimizer, torch.optim.SGD) and len(trainer.optimizer.param_groups) == 2
    assert trainer.run().ok


def test_a_run_reports_both_losses_and_the_modes_covered(ring: Splits) -> None:
    events, listen = collect()
    trainer = gan_trainer(ring)
    trainer.add_listener(listen)
    end = trainer.run()
    assert isinstance(end, RunFinished) and end.reason == "completed" and end.confusion is None
    assert of(events, RunStarted)[0].task == "gan"
    epoch = of(events, EpochEnd)[-1]
    for name in ("generator_loss", "discriminator_loss", "d_real", "d_fake"):
        assert math.isfinite(epoch.metrics[name]) and math.isfinite(epoch.metrics[f"train_{name}"])
        assert name in end.test_metrics
    assert 0 <= epoch.metrics["d_real"] <= 1 and 0 <= epoch.metrics["d_fake"] <= 1
    assert epoch.train_loss == pytest.approx(epoch.metrics["train_generator_loss"] + epoch.metrics["train_discriminator_loss"])
    assert epoch.val_loss == pytest.approx(epoch.metrics["generator_loss"] + epoch.metrics["discriminator_loss"])
    assert 0 <= end.test_metrics["modes_covered"] <= 8 and 0 <= end.test_metrics["high_quality"] <= 1
    assert set(epoch.grad_norms) == {"g_fc1", "g_fc2", "d_fc1", "d_fc2"}  # both networks' layers
    assert trainer.step == len(of(events, BatchEnd))  # one step counts one batch: a discriminator and a generator update


def test_validation_uses_fixed_noise_so_the_same_weights_measure_the_same(ring: Splits) -> None:
    trainer = gan_trainer(ring)
    first, again = trainer.evaluate("val"), trainer.evaluate("val")
    assert first[:2] == again[:2]


def test_stop_ends_the_run_before_the_next_batch(ring: Splits) -> None:
    trainer = gan_trainer(ring, epochs=50)
    trainer.add_listener(lambda e: trainer.stop() if isinstance(e, BatchEnd) else None)
    end = trainer.run()
    assert isinstance(end, RunFinished) and end.reason == "stopped" and trainer.step == 1


def test_a_nan_loss_fails_the_run_and_leaves_finite_weights(ring: Splits) -> None:
    x = ring.train.x.clone()
    x[5] = math.nan
    poisoned = Splits(Split(x, ring.train.y), ring.val, ring.test, ring.info, ring.extra)
    trainer = gan_trainer(poisoned, batch_size=400)  # one batch per epoch: the first step meets the NaN
    before = {k: v.clone() for k, v in trainer.module.state_dict().items()}
    end = trainer.run()
    assert isinstance(end, RunFailed) and end.kind == "nan"
    assert "discriminator's loss" in end.message and "learning rate" in end.message
    for key, value in trainer.module.state_dict().items():
        assert torch.equal(value, before[key]), key  # checked before any step: nothing moved


def test_continuing_and_checkpoints_keep_one_state_dict(ring: Splits, tmp_path: Path) -> None:
    graph = ring_gan()
    trainer = GanTrainer(compile_graph(graph), ring, settings(epochs=1, batch_size=64), graph=graph,
                         checkpoint_dir=tmp_path, checkpoint_stem="ring")
    assert trainer.run().ok and trainer.run().ok
    assert trainer.epoch == 2 and len(trainer.history) == 2
    from netdesigner.train.checkpoint import load_weights

    saved = load_weights(tmp_path / "ring.last.safetensors")
    assert set(saved) == set(trainer.module.state_dict())


def test_the_trainer_is_chosen_by_the_graph() -> None:
    plain = Graph()
    plain.output(plain.add("Linear", plain.input((2,)), out_features=2))
    assert trainer_class(ring_gan()) is GanTrainer and trainer_class(plain) is Trainer and trainer_class(None) is Trainer
    assert isinstance(cpu_trainer_for(Project.load(PROJECTS / "gan_ring.ndproj"), initialize=True), GanTrainer)


def test_the_ring_example_covers_the_modes_it_promises() -> None:
    project = Project.load(PROJECTS / "gan_ring.ndproj")
    (claim, *_) = [c for c in project.lesson.claims if c.metric == "modes_covered"]
    trainer = cpu_trainer_for(project, initialize=True)
    end = trainer.run()
    assert end.ok and end.epochs_run == project.training.epochs
    assert end.test_metrics["modes_covered"] >= claim.value
    history = [e.metrics["modes_covered"] for e in trainer.history]
    assert history[0] < claim.value  # it was learnt, not there from the start


def test_netdesigner_train_trains_the_ring_example_and_saves_weights_that_load(tmp_path: Path, capsys) -> None:
    from netdesigner.cli import main

    copy = tmp_path / "gan_ring.ndproj"
    shutil.copy(PROJECTS / "gan_ring.ndproj", copy)
    assert main(["train", str(copy), "--epochs", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["task"] == "gan" and report["epochs"] == 3
    assert {"generator_loss", "discriminator_loss", "modes_covered", "high_quality"} <= set(report["test"])
    project = Project.load(copy)
    assert project.weights and {"g_fc1.weight", "d_fc1.weight"} <= set(project.weights)
    module = project.compile()
    torch.testing.assert_close(module.state_dict()["g_fc1.weight"], project.weights["g_fc1.weight"])
