"""The tally's means are those of the whole pass, however its batches were reduced: kept
outputs reduced at the end, or in several rounds when they pass the keep limit."""

from __future__ import annotations

import pytest
import torch
from tiny_training import mlp, settings

from netdesigner.train import tally as tally_module
from netdesigner.train.tally import Tally
from netdesigner.train.trainer import Trainer


def _tally_over_batches(trainer: Trainer, batch: int, confusion: bool = False) -> Tally:
    tally = Tally(trainer.objective, confusion=confusion)
    x, y = trainer.splits.val.x, trainer.splits.val.y
    with torch.no_grad():
        for i in range(0, len(x), batch):
            trainer.objective.loss(trainer.module(x[i:i + batch]), x[i:i + batch], y[i:i + batch], tally)
    return tally


@pytest.mark.parametrize("keep", [1, 50, tally_module.KEEP_ELEMENTS])
def test_classification_means_are_those_of_the_whole_split(moons, monkeypatch, keep: int) -> None:
    module, graph = mlp()
    trainer = Trainer(module, moons, settings(), graph=graph)
    monkeypatch.setattr(tally_module, "KEEP_ELEMENTS", keep)
    tally = _tally_over_batches(trainer, batch=7, confusion=True)  # batches of unequal size: 80 = 11×7 + 3
    loss, metrics = tally.read()
    with torch.no_grad():
        scores = module(moons.val.x)
    want_loss = torch.nn.functional.cross_entropy(scores, moons.val.y).item()
    predicted = scores.argmax(1)
    assert loss == pytest.approx(want_loss, rel=1e-5)
    assert metrics == {"accuracy": pytest.approx((predicted == moons.val.y).float().mean().item())}
    want = [[int(((moons.val.y == t) & (predicted == p)).sum()) for p in range(2)] for t in range(2)]
    assert tally.confusion() == want


@pytest.mark.parametrize("keep", [1, tally_module.KEEP_ELEMENTS])
def test_regression_means_are_those_of_the_whole_split(sine, monkeypatch, keep: int) -> None:
    module, graph = mlp(inputs=1, classes=1, loss="mse")
    trainer = Trainer(module, sine, settings(), graph=graph)
    monkeypatch.setattr(tally_module, "KEEP_ELEMENTS", keep)
    loss, metrics = _tally_over_batches(trainer, batch=16).read()
    with torch.no_grad():
        diff = module(sine.val.x) - sine.val.y
    assert loss == pytest.approx(diff.square().mean().item(), rel=1e-5)
    assert metrics["mse"] == pytest.approx(diff.square().mean().item(), rel=1e-5)
    assert metrics["mae"] == pytest.approx(diff.abs().mean().item(), rel=1e-5)


def test_an_empty_tally_reads_as_not_a_number(moons) -> None:
    module, graph = mlp()
    loss, metrics = Tally(Trainer(module, moons, settings(), graph=graph).objective).read()
    assert loss != loss and metrics == {}
