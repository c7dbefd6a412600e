"""Every optimiser and schedule trains; schedules move the learning rate as their idea says;
initialisation schemes draw what they promise."""

from __future__ import annotations

import pytest
import torch
from tiny_training import collect, mlp, of, settings

from netdesigner.train.events import BatchEnd
from netdesigner.train.optim import Schedule, initialize_weights, make_optimizer
from netdesigner.train.trainer import Trainer

LEARNING_RATES = {"sgd": 0.2, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.003, "adagrad": 0.1}


def loss_falls(splits, **changes) -> tuple[Trainer, list]:
    module, graph = mlp()
    events, listener = collect()
    trainer = Trainer(module, splits, settings(epochs=12, batch_size=32, **changes), graph=graph, listeners=[listener])
    before = trainer.evaluate("val")[0]
    result = trainer.run()
    assert result.reason == "completed"
    after = trainer.history[-1].val_loss
    assert after < 0.6 * before, f"{changes}: validation loss {before:.3f} → {after:.3f}"
    return trainer, events


@pytest.mark.parametrize("optimizer", sorted(LEARNING_RATES))
def test_every_optimiser_trains_the_moons(moons, optimizer: str) -> None:
    trainer, _ = loss_falls(moons, optimizer=optimizer, learning_rate=LEARNING_RATES[optimizer], weight_decay=1e-4)
    assert type(trainer.optimizer).__name__.lower() == optimizer


def test_sgd_takes_nesterov_momentum(moons) -> None:
    trainer, _ = loss_falls(moons, optimizer="sgd", learning_rate=0.1, nesterov=True)
    group = trainer.optimizer.param_groups[0]
    assert group["nesterov"] is True and group["momentum"] == 0.9


@pytest.mark.parametrize("schedule", ["step", "cosine", "one_cycle", "plateau"])
def test_every_schedule_trains_the_moons(moons, schedule: str) -> None:
    loss_falls(moons, schedule=schedule, learning_rate=0.02, step_size=4, gamma=0.5)


def test_step_halves_the_rate_every_step_size_epochs(moons) -> None:
    trainer, _ = loss_falls(moons, schedule="step", learning_rate=0.02, step_size=4, gamma=0.5)
    assert [e.lr for e in trainer.history] == pytest.approx([0.02] * 4 + [0.01] * 4 + [0.005] * 4)


def test_one_cycle_rises_then_falls_batch_by_batch(moons) -> None:
    _, events = loss_falls(moons, schedule="one_cycle", learning_rate=0.05)
    rates = [b.lr for b in of(events, BatchEnd)]
    peak = rates.index(max(rates))
    assert 0 < peak < len(rates) - 1 and max(rates) == pytest.approx(0.05, rel=0.01)
    assert rates[0] < 0.05 / 10 and rates[-1] < rates[0]


def test_cosine_anneals_towards_zero_and_a_new_run_restarts_it(moons) -> None:
    trainer, events = loss_falls(moons, schedule="cosine", learning_rate=0.02)
    rates = [b.lr for b in of(events, BatchEnd)]
    assert rates == sorted(rates, reverse=True) and rates[-1] < 0.001
    trainer.settings = settings(epochs=1, batch_size=32, schedule="cosine", learning_rate=0.02)
    events.clear()
    trainer.run()
    assert of(events, BatchEnd)[0].lr == pytest.approx(0.02, rel=0.05)


def test_plateau_drops_the_rate_when_the_monitored_loss_stalls() -> None:
    module, _ = mlp()
    optimizer = make_optimizer(module.parameters(), settings(learning_rate=0.1))
    schedule = Schedule(optimizer, settings(schedule="plateau", learning_rate=0.1, gamma=0.5, plateau_patience=1), 10, 5)
    for loss in (1.0, 0.9, 0.9):
        schedule.after_epoch(loss)
    assert schedule.lr == pytest.approx(0.1)
    schedule.after_epoch(0.95)  # the second epoch without improvement
    assert schedule.lr == pytest.approx(0.05)


def weights(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_orthogonal_init_gives_orthonormal_columns_and_zero_biases() -> None:
    module, _ = mlp(hidden=16)
    initialize_weights(module, "orthogonal", seed=0)
    w = module.get_submodule("fc1").weight  # 16 × 2: its columns are orthonormal
    torch.testing.assert_close(w.T @ w, torch.eye(2), atol=1e-5, rtol=0)
    assert torch.count_nonzero(module.get_submodule("fc1").bias) == 0


@pytest.mark.parametrize("how", ["kaiming", "xavier"])
def test_scaled_inits_draw_with_the_promised_spread(how: str) -> None:
    module, _ = mlp(inputs=400, hidden=300)
    initialize_weights(module, how, seed=0)
    w = module.get_submodule("fc1").weight
    fan_in, fan_out = 400, 300
    expected = (2 / fan_in) ** 0.5 if how == "kaiming" else (2 / (fan_in + fan_out)) ** 0.5
    assert w.std().item() == pytest.approx(expected, rel=0.05)


def test_default_init_follows_the_seed_alone() -> None:
    a, _ = mlp()
    b, _ = mlp()
    assert not torch.equal(a.fc1.weight, b.fc1.weight)
    initialize_weights(a, "default", seed=3)
    torch.rand(100)  # drawing in between must not matter
    initialize_weights(b, "default", seed=3)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())


@pytest.mark.parametrize(("name", "fused"), [("sgd", True), ("adam", True), ("adamw", True), ("adagrad", True), ("rmsprop", None)])
def test_optimisers_use_the_fused_kernel_where_pytorch_has_one(name: str, fused) -> None:
    module, _ = mlp()
    assert make_optimizer(module.parameters(), settings(optimizer=name)).defaults.get("fused") == fused


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad"])
def test_a_fused_step_is_the_plain_step_up_to_rounding(name: str) -> None:
    fused_module, _ = mlp()
    plain_module, _ = mlp()
    plain_module.load_state_dict(fused_module.state_dict())
    fused = make_optimizer(fused_module.parameters(), settings(optimizer=name, weight_decay=0.01, momentum=0.9))
    plain = make_optimizer(plain_module.parameters(), settings(optimizer=name, weight_decay=0.01, momentum=0.9))
    for group in plain.param_groups:
        group["fused"] = None  # the default, per-parameter implementation
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    for module, optimizer in ((fused_module, fused), (plain_module, plain)):
        for _ in range(20):
            optimizer.zero_grad()
            module(x).square().mean().backward()
            optimizer.step()
    for (key, a), b in zip(fused_module.state_dict().items(), plain_module.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6, msg=key)
    assert not torch.equal(fused_module.fc1.weight, mlp()[0].fc1.weight)  # it did train
