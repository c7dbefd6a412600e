"""The task follows from the Output nodes and the data: classification, regression,
(denoising) autoencoding, variational; several outputs add their weighted losses."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_training import mlp, settings

from netdesigner.core.compiler import compile_graph
from netdesigner.core.errors import TrainingError
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.train.trainer import Trainer

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def initial_and_final_val_loss(trainer: Trainer) -> tuple[float, float]:
    before = trainer.evaluate("val")[0]
    trainer.run()
    return before, trainer.history[-1].val_loss


def test_regression_reports_mse_and_mae_and_fits_a_sine(sine) -> None:
    module, graph = mlp(inputs=1, classes=1, hidden=32, loss="mse")
    trainer = Trainer(module, sine, settings(epochs=40, learning_rate=0.02, batch_size=32), graph=graph)
    before, after = initial_and_final_val_loss(trainer)
    assert trainer.objective.task == "regression" and trainer.objective.heads[0].target == "values"
    metrics = trainer.history[-1].metrics
    assert set(metrics) == {"mse", "mae", "train_mse", "train_mae"}
    assert metrics["mse"] == pytest.approx(after, rel=1e-5) and after < 0.1 * before


def autoencoder(loss: str = "mse") -> tuple[torch.fx.GraphModule, Graph]:
    g = Graph()
    h = g.add("Flatten", g.input((1, 8, 8), name="image"))
    h = g.add("ReLU", g.add("Linear", h, name="encode", out_features=16))
    h = g.add("Reshape", g.add("Linear", h, name="decode", out_features=64), shape=(1, 8, 8))
    g.output(h, loss, name="reconstruction")
    return compile_graph(g), g


def test_an_output_shaped_like_the_input_reconstructs_it(digits) -> None:
    module, graph = autoencoder()
    trainer = Trainer(module, digits, settings(epochs=6, learning_rate=3e-3), graph=graph)
    before, after = initial_and_final_val_loss(trainer)
    assert trainer.objective.task == "autoencoding" and trainer.objective.heads[0].target == "input"
    assert after < 0.5 * before
    assert trainer.run().confusion is None


def test_denoising_trains_on_noisy_inputs_against_clean_targets(digits) -> None:
    module, graph = autoencoder()
    trainer = Trainer(module, digits, settings(epochs=1, input_noise=0.5), graph=graph)
    seen = []
    module.get_submodule("encode").register_forward_pre_hook(lambda m, args: seen.append(args[0].clone()) if m.training else None)
    targets = []
    original = trainer.objective.loss
    trainer.objective.loss = lambda out, x, y, tally=None: (targets.append(x.clone()), original(out, x, y, tally))[1]
    trainer.run()
    noisy, clean = seen[0], targets[0].flatten(1)
    assert (noisy - clean).std() == pytest.approx(0.5, rel=0.1)


def test_the_vae_example_lowers_its_elbo_on_digits(digits) -> None:
    project = Project.load(PROJECTS / "vae.ndproj")
    module = project.compile()
    trainer = Trainer(module, digits, settings(epochs=6, learning_rate=3e-3), graph=project.graph)
    before, after = initial_and_final_val_loss(trainer)
    assert trainer.objective.task == "variational"
    metrics = trainer.history[-1].metrics
    assert {"mse", "kl", "train_kl"} <= set(metrics) and metrics["kl"] > 0
    assert after < 0.7 * before and after == pytest.approx(metrics["mse"] + metrics["kl"], rel=1e-4)
    assert not module.get_submodule("z")._forward_hooks  # the KL hook left with the run


def test_kl_beta_weighs_the_kl_term(digits) -> None:
    project = Project.load(PROJECTS / "vae.ndproj")
    losses = {}
    for beta in (0.0, 4.0):
        trainer = Trainer(project.compile(), digits, settings(kl_beta=beta), graph=project.graph)
        loss, metrics, _ = trainer.evaluate("val")
        losses[beta] = (loss, metrics)
    assert losses[0.0][0] == pytest.approx(losses[0.0][1]["mse"], rel=1e-5)
    assert losses[4.0][0] == pytest.approx(losses[4.0][1]["mse"] + 4 * losses[4.0][1]["kl"], rel=1e-5)


def test_several_outputs_add_their_weighted_losses_and_none_is_ignored(digits) -> None:
    g = Graph()
    image = g.input((1, 8, 8), name="image")
    code = g.add("ReLU", g.add("Linear", g.add("Flatten", image), name="encode", out_features=32))
    g.output(g.add("Linear", code, name="classify", out_features=10), "cross_entropy", name="digit")
    decoded = g.add("Reshape", g.add("Linear", code, name="decode", out_features=64), shape=(1, 8, 8))
    g.output(decoded, "mse", loss_weight=2.0, name="picture")
    g.output(code, "none", name="features")
    trainer = Trainer(compile_graph(g), digits, settings(epochs=2), graph=g)
    assert [(h.name, h.target, h.weight) for h in trainer.objective.heads] == [("digit", "classes", 1.0), ("picture", "input", 2.0)]
    loss, metrics, confusion = trainer.evaluate("val")
    assert set(metrics) == {"accuracy", "picture.mse", "picture.mae"} and len(confusion) == 10
    assert trainer.run().reason == "completed"


def test_binary_cross_entropy_on_two_classes_is_binary_classification(moons) -> None:
    module, graph = mlp(classes=1, loss="bce_with_logits")
    trainer = Trainer(module, moons, settings(epochs=20, learning_rate=0.02, batch_size=32), graph=graph)
    result = trainer.run()
    assert trainer.objective.heads[0].target == "binary" and result.test_metrics["accuracy"] > 0.8
    assert len(result.confusion) == 2


def test_sequences_of_class_ids_score_every_step() -> None:
    from netdesigner.data.splits import DataInfo, Split, Splits, Task

    g = Graph()
    tokens = g.input((12,), "int64", name="tokens")
    h = g.add("Embedding", tokens, num_embeddings=5, embedding_dim=8)
    g.output(g.add("Linear", h, name="next", out_features=5), name="logits")
    x = torch.randint(0, 5, (60, 12), generator=torch.Generator().manual_seed(0))
    y = (x + 1) % 5  # learn "the next symbol"
    split = Split(x, y)
    splits = Splits(split, split, split, DataInfo("seq", Task.SEQUENCE, (12,), "int64", (12,), num_classes=5))
    result = Trainer(compile_graph(g), splits, settings(epochs=30, learning_rate=0.05, batch_size=20), graph=g).run()
    assert result.test_metrics["accuracy"] > 0.95


@pytest.mark.parametrize(("classes", "loss", "message"), [
    (3, "cross_entropy", "gives 3 scores per sample but the data has 10 classes"),
    (10, "none", "no Output node has a loss"),
    (7, "mse", r"gives \(7,\) per sample, which fits neither the data set's class ids"),
])
def test_outputs_that_cannot_fit_the_data_are_refused(digits, classes: int, loss: str, message: str) -> None:
    g = Graph()
    h = g.add("Flatten", g.input((1, 8, 8)))
    g.output(g.add("Linear", h, out_features=classes), loss)
    with pytest.raises(TrainingError, match=message):
        Trainer(compile_graph(g), digits, settings(), graph=g)


def test_class_losses_need_class_ids(sine) -> None:
    module, graph = mlp(inputs=1, classes=1, loss="cross_entropy")
    with pytest.raises(TrainingError, match="targets are numbers"):
        Trainer(module, sine, settings(), graph=graph)


def test_flat_samples_are_reshaped_to_the_input(digits) -> None:
    from netdesigner.data.splits import Split, Splits

    flat = Splits(*(Split(s.x.flatten(1), s.y) for s in (digits.train, digits.val, digits.test)), digits.info)
    project = Project.load(PROJECTS / "digits_cnn.ndproj")
    trainer = Trainer(project.compile(), flat, settings(epochs=1), graph=project.graph)
    assert trainer.splits.train.x.shape[1:] == (1, 8, 8)
    assert any("reshaped" in note for note in trainer.notes)


def test_targets_that_are_the_inputs_are_reconstruction(digits) -> None:
    from netdesigner.data.splits import DataInfo, Split, Splits, Task

    as_targets = Splits(*(Split(s.x, s.x.clone()) for s in (digits.train, digits.val, digits.test)),
                        DataInfo("digits", Task.REGRESSION, (1, 8, 8), target_shape=(1, 8, 8)))
    project = Project.load(PROJECTS / "vae.ndproj")
    trainer = Trainer(project.compile(), as_targets, settings(epochs=1), graph=project.graph)
    assert trainer.objective.task == "variational" and trainer.objective.heads[0].target == "input"
    module, graph = autoencoder()
    assert Trainer(module, as_targets, settings(), graph=graph).objective.task == "autoencoding"
