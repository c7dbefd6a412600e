"""A run that goes wrong ends with ``RunFailed`` and finite weights; bad settings never start."""

from __future__ import annotations

import pytest
import torch
from tiny_training import collect, mlp, of, settings

from netdesigner.core.errors import TrainingError
from netdesigner.train.checkpoint import is_finite
from netdesigner.train.events import BatchEnd, RunFailed
from netdesigner.train.trainer import Trainer


def fail_at_step(module: torch.nn.Module, layer: str, step: int, make) -> list[dict]:
    """Makes ``layer``'s forward misbehave on the ``step``-th training call; records the
    weights before each training forward so a test can see which ones were kept."""
    calls, seen = [0], []

    def hook(mod, args, out):
        if not mod.training:
            return None
        calls[0] += 1
        if calls[0] == step:
            return make(out)
        return None

    def pre(mod, args):
        if mod.training:
            seen.append({k: v.clone() for k, v in module.state_dict().items()})

    module.get_submodule(layer).register_forward_hook(hook)
    module.get_submodule("fc1").register_forward_pre_hook(pre)
    return seen


def test_a_nan_loss_ends_the_run_with_the_weights_before_it(moons) -> None:
    module, graph = mlp()
    seen = fail_at_step(module, "fc2", 6, lambda out: out * float("nan"))
    events, listener = collect()
    result = Trainer(module, moons, settings(epochs=5, batch_size=32), graph=graph, listeners=[listener]).run()
    assert isinstance(result, RunFailed) and result.kind == "nan" and events[-1] is result
    assert "learning rate" in result.message and "step 6" in result.message and "epoch 1" in result.message
    assert is_finite(module)
    assert all(torch.equal(v, seen[5][k]) for k, v in module.state_dict().items())  # the step never happened
    assert len(of(events, BatchEnd)) == 5


def test_a_learning_rate_far_too_high_fails_as_nan_with_finite_weights(sine) -> None:
    module, graph = mlp(inputs=1, classes=1, loss="mse")
    result = Trainer(module, sine, settings(optimizer="sgd", learning_rate=1e6, epochs=5), graph=graph).run()
    assert result.kind == "nan" and "1e+06" in result.message
    assert is_finite(module)


def test_an_error_in_the_model_ends_the_run_and_training_can_go_on(moons) -> None:
    module, graph = mlp()

    def boom(out):
        raise RuntimeError("boom in fc2")

    fail_at_step(module, "fc2", 3, boom)
    trainer = Trainer(module, moons, settings(epochs=2, batch_size=32), graph=graph)
    result = trainer.run()
    assert result.kind == "error" and "boom in fc2" in result.message and "RuntimeError" in result.message
    assert is_finite(module) and trainer.step == 2
    assert trainer.run().reason == "completed"  # the hook fires once: a second run goes through


def test_out_of_memory_suggests_a_smaller_batch(moons) -> None:
    module, graph = mlp()

    def oom(out):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    fail_at_step(module, "fc1", 2, oom)
    result = Trainer(module, moons, settings(epochs=2, batch_size=32), graph=graph).run()
    assert result.kind == "oom" and "smaller batch" in result.message and "32" in result.message


def test_invalid_settings_raise_before_the_run(moons) -> None:
    module, graph = mlp()
    with pytest.raises(TrainingError, match="batch_size must be a whole number ≥ 1"):
        Trainer(module, moons, settings(batch_size=0), graph=graph)
    with pytest.raises(TrainingError, match="optimizer must be one of sgd, adam"):
        Trainer(module, moons, settings(optimizer="lbfgs"), graph=graph)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_cuda_without_one_says_so(moons) -> None:
    module, graph = mlp()
    with pytest.raises(TrainingError, match="sees no CUDA GPU"):
        Trainer(module, moons, settings(device="cuda"), graph=graph)


def test_a_model_that_cannot_take_the_data_says_where(moons) -> None:
    module, graph = mlp(inputs=3)
    with pytest.raises(TrainingError, match=r"samples of shape \(2,\).*Input node expects \(3,\)"):
        Trainer(module, moons, settings(), graph=graph)


def test_running_twice_at_once_is_refused(moons) -> None:
    module, graph = mlp()
    trainer = Trainer(module, moons, settings(epochs=1), graph=graph)
    inner = []

    def reenter(event):
        if isinstance(event, BatchEnd) and not inner:
            with pytest.raises(TrainingError, match="already running"):
                trainer.run()
            inner.append(True)

    trainer.add_listener(reenter)
    assert trainer.run().reason == "completed" and inner
