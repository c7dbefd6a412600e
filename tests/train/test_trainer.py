"""The training loop: events, learning, repeatability, continuing, stop / pause, checkpoints."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import pytest
import torch
from tiny_training import collect, mlp, of, settings

from netdesigner.core.project import Project
from netdesigner.train.checkpoint import load_optimizer_state, load_weights
from netdesigner.train.events import BatchEnd, Checkpoint, EpochEnd, Notice, RunFinished, RunStarted
from netdesigner.train.grad_norms import layer_grad_norms
from netdesigner.train.trainer import Trainer

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def test_events_arrive_in_order_and_the_run_returns_the_last(moons) -> None:
    module, graph = mlp()
    events, listener = collect()
    result = Trainer(module, moons, settings(epochs=3, batch_size=32), graph=graph, listeners=[listener]).run()
    assert isinstance(events[0], RunStarted) and events[-1] is result and isinstance(result, RunFinished)
    started = events[0]
    assert started.device == "cpu" and started.task == "classification" and started.epochs == 3
    assert started.batches_per_epoch == 8 and started.samples == 240  # 240 training samples
    assert started.parameters == sum(p.numel() for p in module.parameters())
    batches, epochs = of(events, BatchEnd), of(events, EpochEnd)
    assert len(batches) == 24 and [e.epoch for e in epochs] == [1, 2, 3]
    assert [b.step for b in batches] == list(range(1, 25))
    first = batches[0]
    assert isinstance(first.loss, torch.Tensor) and first.loss.dim() == 0 and not first.loss.requires_grad
    assert isinstance(first.loss_value, float) and first.lr == pytest.approx(1e-3)
    epoch = epochs[-1]
    assert set(epoch.metrics) == {"accuracy", "train_accuracy"}
    assert set(epoch.grad_norms) == {"fc1", "fc2"} and all(v > 0 for v in epoch.grad_norms.values())
    assert epoch.seconds > 0 and epoch.samples_per_s > 0 and epoch.val_loss is not None
    assert result.reason == "completed" and result.epochs_run == 3
    assert set(result.test_metrics) == {"loss", "accuracy"}
    assert sum(map(sum, result.confusion)) == len(moons.test)


def test_digits_cnn_example_learns_the_digits(digits) -> None:
    project = Project.load(PROJECTS / "digits_cnn.ndproj")
    trainer = Trainer(project.compile(), digits, settings(epochs=4, learning_rate=3e-3), graph=project.graph)
    result = trainer.run()
    assert result.test_metrics["accuracy"] > 0.85
    assert len(result.confusion) == 10 and all(len(row) == 10 for row in result.confusion)
    assert set(trainer.history[-1].grad_norms) == {"conv1", "conv2", "fc1", "fc2"}


def test_the_same_seed_gives_bit_identical_weights(moons) -> None:
    def train(seed: int) -> dict[str, torch.Tensor]:
        torch.manual_seed(1234 + seed)  # what the program drew before must not matter
        module, graph = mlp()
        Trainer(module, moons, settings(epochs=2, seed=seed, input_noise=0.1), graph=graph).run()
        return module.state_dict()

    a, b, c = train(0), train(0), train(1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_continuing_equals_one_longer_run(moons) -> None:
    module, graph = mlp()
    trainer = Trainer(module, moons, settings(epochs=2), graph=graph)
    events, listener = collect()
    trainer.run()
    trainer.add_listener(listener)
    result = trainer.run()
    assert events[0].first_epoch == 3 and [e.epoch for e in of(events, EpochEnd)] == [3, 4]
    assert result.epochs_run == 4 and trainer.step == 16
    assert trainer.optimizer.state[next(module.parameters())]["step"] == 16  # Adam kept its moments

    once, graph = mlp()
    Trainer(once, moons, settings(epochs=4), graph=graph).run()
    assert all(torch.equal(module.state_dict()[k], v) for k, v in once.state_dict().items())


def test_early_stopping_stops_and_restores_the_best_weights(moons) -> None:
    # validation labels flipped: the better the model learns, the worse its validation loss
    flipped = type(moons)(moons.train, type(moons.val)(moons.val.x, 1 - moons.val.y), moons.test, moons.info)
    module, graph = mlp()
    trainer = Trainer(module, flipped, settings(epochs=50, early_stopping_patience=2, restore_best=True, learning_rate=0.01), graph=graph)
    result = trainer.run()
    losses = [e.val_loss for e in trainer.history]
    best = min(range(len(losses)), key=losses.__getitem__) + 1
    assert result.reason == "early_stopped" and result.best_epoch == best
    assert len(trainer.history) == best + 2 < 50
    assert trainer.evaluate("val")[0] == losses[best - 1]  # the best epoch's very weights


def test_stop_from_another_thread_ends_within_one_batch(moons) -> None:
    module, graph = mlp()
    reached, stopped = threading.Event(), threading.Event()
    events, listener = collect()

    def hold_at_step_3(event) -> None:
        listener(event)
        if isinstance(event, BatchEnd) and event.step == 3:
            reached.set()
            stopped.wait(5)

    trainer = Trainer(module, moons, settings(epochs=100), graph=graph, listeners=[hold_at_step_3])

    def stopper() -> None:
        reached.wait(5)
        trainer.stop()
        stopped.set()

    thread = threading.Thread(target=stopper)
    thread.start()
    result = trainer.run()
    thread.join()
    assert result.reason == "stopped"
    assert of(events, BatchEnd)[-1].step == 3 and trainer.step == 3
    assert "accuracy" in result.test_metrics  # a stopped run is still tested


def test_pause_holds_the_run_without_spinning_until_resumed(moons) -> None:
    module, graph = mlp()
    events, listener = collect()
    trainer = Trainer(module, moons, settings(epochs=3, batch_size=32), graph=graph, listeners=[listener])
    trainer.pause()
    results = []
    thread = threading.Thread(target=lambda: results.append(trainer.run()))
    thread.start()
    deadline = time.monotonic() + 5
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(0.3)
    assert trainer.paused and thread.is_alive() and not of(events, BatchEnd)
    assert time.process_time() - cpu < 0.5 * (time.monotonic() - wall)  # waiting, not spinning
    trainer.resume()
    thread.join(10)
    assert results[0].reason == "completed" and len(of(events, BatchEnd)) == 24


def test_stop_wakes_a_paused_run(moons) -> None:
    module, graph = mlp()
    trainer = Trainer(module, moons, settings(epochs=3), graph=graph)
    trainer.pause()
    results = []
    thread = threading.Thread(target=lambda: results.append(trainer.run()))
    thread.start()
    time.sleep(0.1)
    trainer.stop()
    thread.join(5)
    assert not thread.is_alive() and results[0].reason == "stopped" and trainer.step == 0


def test_checkpoints_and_history_are_written_and_load_back(moons, tmp_path: Path) -> None:
    module, graph = mlp()
    events, listener = collect()
    trainer = Trainer(module, moons, settings(epochs=3, batch_size=32), graph=graph, listeners=[listener],
                      checkpoint_dir=tmp_path, checkpoint_stem="moons")
    trainer.run()
    written = of(events, Checkpoint)
    assert [c.kind for c in written if c.epoch == 1] == ["best", "last"]
    last = load_weights(tmp_path / "moons.last.safetensors")
    assert all(torch.equal(last[k], v) for k, v in module.state_dict().items())
    best = load_weights(tmp_path / "moons.best.safetensors")
    assert set(best) == set(module.state_dict())
    fresh, _ = mlp()
    optimizer = torch.optim.Adam(fresh.parameters())
    optimizer.load_state_dict(load_optimizer_state(tmp_path / "moons.last.optimizer.pt"))
    assert optimizer.state[next(fresh.parameters())]["step"] == 24
    rows = list(csv.DictReader((tmp_path / "moons.history.csv").open()))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert {"train_loss", "val_loss", "lr", "accuracy", "grad_norm.fc1"} <= set(rows[0])
    assert float(rows[2]["val_loss"]) == trainer.history[2].val_loss
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_new_trainer_on_the_last_checkpoints_weights_resumes_its_optimiser(moons, tmp_path: Path) -> None:
    module, graph = mlp()
    Trainer(module, moons, settings(epochs=2, batch_size=32), graph=graph, checkpoint_dir=tmp_path, checkpoint_stem="m").run()
    saved = load_optimizer_state(tmp_path / "m.last.optimizer.pt")
    assert saved["kind"] == "Adam"

    reopened, _ = mlp()
    reopened.load_state_dict(module.state_dict())
    events, listener = collect()
    trainer = Trainer(reopened, moons, settings(epochs=1, batch_size=32), graph=graph, initialize=False,
                      checkpoint_dir=tmp_path, checkpoint_stem="m", listeners=[listener])
    first = next(reopened.parameters())
    assert int(trainer.optimizer.state[first]["step"]) == 16  # two epochs of 8 batches
    torch.testing.assert_close(trainer.optimizer.state[first]["exp_avg"], saved["state"][0]["exp_avg"])
    trainer.run()
    assert int(trainer.optimizer.state[first]["step"]) == 24
    assert any("goes on from its state in m.last.optimizer.pt (after 16 steps)" in n.message for n in of(events, Notice))

    other, _ = mlp()  # other weights (or another optimiser kind): a fresh optimiser
    assert not Trainer(other, moons, settings(batch_size=32), graph=graph, initialize=False,
                       checkpoint_dir=tmp_path, checkpoint_stem="m").optimizer.state
    reopened.load_state_dict(load_weights(tmp_path / "m.last.safetensors"))
    assert not Trainer(reopened, moons, settings(batch_size=32, optimizer="sgd"), graph=graph, initialize=False,
                       checkpoint_dir=tmp_path, checkpoint_stem="m").optimizer.state


def test_an_unwritable_checkpoint_folder_warns_and_training_goes_on(moons, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    module, graph = mlp()
    events, listener = collect()
    result = Trainer(module, moons, settings(epochs=2), graph=graph, listeners=[listener], checkpoint_dir=not_a_folder).run()
    notices = of(events, Notice)
    assert result.reason == "completed" and len(notices) == 1
    assert "cannot be written" in notices[0].message and not of(events, Checkpoint)


def test_gradient_clipping_bounds_every_step(moons) -> None:
    module, graph = mlp()
    before = torch.cat([p.detach().flatten().clone() for p in module.parameters()])
    trainer = Trainer(module, moons, settings(epochs=1, optimizer="sgd", momentum=0.0, learning_rate=1.0, grad_clip=0.01),
                      graph=graph, initialize=False)
    trainer.run()
    after = torch.cat([p.detach().flatten() for p in module.parameters()])
    assert (after - before).norm() <= trainer.step * 0.01 * 1.0001
    assert (after - before).norm() > 0


def test_cpu_runs_ignore_gpu_only_settings_with_a_notice(moons) -> None:
    module, graph = mlp()
    events, listener = collect()
    result = Trainer(module, moons, settings(epochs=1, amp="bf16", data_parallel=True), graph=graph, listeners=[listener]).run()
    messages = " ".join(n.message for n in of(events, Notice))
    assert result.reason == "completed" and "float32" in messages and "data parallel" in messages


def test_new_settings_apply_to_the_next_run(moons) -> None:
    from dataclasses import replace

    from netdesigner.core.errors import TrainingError

    module, graph = mlp()
    trainer = Trainer(module, moons, settings(optimizer="sgd", learning_rate=0.1, epochs=2), graph=graph)
    trainer.run()
    trainer.settings = replace(trainer.settings, learning_rate=0.01, momentum=0.5, epochs=1)
    assert trainer.optimizer.param_groups[0]["momentum"] == 0.5
    events, listener = collect()
    trainer.add_listener(listener)
    trainer.run()
    assert of(events, BatchEnd)[0].lr == 0.01 and len(of(events, EpochEnd)) == 1
    trainer.settings = replace(trainer.settings, optimizer="adam")
    assert isinstance(trainer.optimizer, torch.optim.Adam) and trainer.run().reason == "completed"
    with pytest.raises(TrainingError, match="device cannot change"):
        trainer.settings = replace(trainer.settings, device="cuda")
    with pytest.raises(TrainingError, match="epochs must be"):
        trainer.settings = replace(trainer.settings, epochs=0)


def test_a_module_without_its_graph_takes_the_data_sets_natural_loss(moons) -> None:
    module, _ = mlp()
    trainer = Trainer(module, moons, settings(epochs=2))
    assert [(h.name, h.loss) for h in trainer.objective.heads] == [("logits", "cross_entropy")]
    assert trainer.run().reason == "completed"


def test_a_snapshot_taken_during_the_run_is_a_cpu_copy_between_steps(moons) -> None:
    module, graph = mlp()
    taken = []

    def listener(event) -> None:
        if isinstance(event, BatchEnd) and event.step == 2:
            taken.append((trainer.snapshot(), {k: v.clone() for k, v in module.state_dict().items()}))

    trainer = Trainer(module, moons, settings(epochs=1, batch_size=32), graph=graph, listeners=[listener])
    trainer.run()
    copy, live_then = taken[0]
    assert all(torch.equal(copy[k], live_then[k]) and copy[k].device.type == "cpu" for k in copy)
    assert not torch.equal(copy["fc1.weight"], module.fc1.weight)  # later steps did not touch the copy


def test_layer_gradient_norms_are_the_norm_of_all_the_layers_gradients(moons) -> None:
    module, _ = mlp()
    module(moons.train.x[:16]).square().sum().backward()
    module.fc2.bias.grad = None  # a layer with only some of its parameters' gradients counts those
    norms = layer_grad_norms(module).read()
    expected = {name: torch.sqrt(sum(p.grad.square().sum() for p in child.parameters() if p.grad is not None)).item()
                for name, child in module.named_children() if any(p.grad is not None for p in child.parameters())}
    assert list(norms) == list(expected) == ["fc1", "fc2"]
    assert list(norms.values()) == pytest.approx(list(expected.values()), rel=1e-5)
