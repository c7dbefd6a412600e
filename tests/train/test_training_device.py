"""Device and precision choice; the GPU tests run only where there is a CUDA GPU."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import torch
from tiny_training import collect, mlp, of, settings

from netdesigner.core.errors import TrainingError
from netdesigner.train.device import choose_device, choose_precision, parallel_forward
from netdesigner.train.events import BatchEnd
from netdesigner.train.trainer import Trainer

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_auto_prefers_cuda_then_mps_then_cpu() -> None:
    chosen = choose_device("auto")
    if torch.cuda.is_available():
        assert chosen.type == "cuda"
    elif torch.backends.mps.is_available():
        assert chosen.type == "mps"
    else:
        assert chosen == torch.device("cpu")
    assert choose_device("cpu") == torch.device("cpu")


def test_a_gpu_that_is_not_there_is_named() -> None:
    with pytest.raises(TrainingError, match=r"cuda:99"):
        choose_device("cuda:99")


def test_mixed_precision_off_or_on_a_cpu_is_plain_float32() -> None:
    off = choose_precision("off", torch.device("cpu"))
    assert off.scaler is None and not off.notes and isinstance(off.autocast(), contextlib.nullcontext)
    cpu = choose_precision("fp16", torch.device("cpu"))
    assert cpu.scaler is None and "float32" in cpu.notes[0]


def test_data_parallel_on_a_cpu_is_the_module_itself() -> None:
    module, _ = mlp()
    forward, notes = parallel_forward(module, torch.device("cpu"), True)
    assert forward is module and notes


@cuda
@pytest.mark.parametrize("amp", ["off", "bf16", "fp16"])
def test_training_on_the_gpu_keeps_the_loss_on_the_device(moons, amp: str) -> None:
    if amp == "bf16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    module, graph = mlp()
    events, listener = collect()
    trainer = Trainer(module, moons, settings(device="cuda", amp=amp, epochs=12, batch_size=32, learning_rate=0.02),
                      graph=graph, listeners=[listener])
    before = trainer.evaluate("val")[0]
    result = trainer.run()
    assert result.reason == "completed" and trainer.history[-1].val_loss < 0.8 * before
    batch = of(events, BatchEnd)[0]
    assert batch.loss.device.type == "cuda" and isinstance(batch.loss_value, float)
    assert trainer.splits.train.x.device.type == "cuda"


@cuda
def test_a_nan_on_the_gpu_restores_the_last_good_epoch(sine) -> None:
    from netdesigner.train.checkpoint import is_finite

    module, graph = mlp(inputs=1, classes=1, loss="mse")
    result = Trainer(module, sine, settings(device="cuda", optimizer="sgd", learning_rate=1e6, epochs=5), graph=graph).run()
    assert result.kind == "nan" and is_finite(module)


def test_auto_keeps_small_models_on_the_cpu() -> None:
    from netdesigner.core.project import Project
    from netdesigner.core.shapes import infer_shapes
    from netdesigner.train.device import auto_keeps_cpu

    projects = Path(__file__).resolve().parents[2] / "projects"
    spirals = infer_shapes(Project.load(projects / "spirals_mlp.ndproj").graph).total_macs
    digits = infer_shapes(Project.load(projects / "digits_cnn.ndproj").graph).total_macs
    assert auto_keeps_cpu(spirals) and not auto_keeps_cpu(digits)  # PERFORMANCE.md: MLP CPU-bound, CNN GPU-bound
    assert choose_device("auto", spirals) == torch.device("cpu")
    assert not auto_keeps_cpu(None)


def test_data_stays_on_a_cpu_whatever_its_size() -> None:
    from netdesigner.train.placement import fits_on_device

    assert fits_on_device(2**50, torch.device("cpu"))


@cuda
def test_a_data_set_too_large_for_the_gpu_is_copied_per_batch_and_trains_alike(moons, monkeypatch) -> None:
    """Streamed from pinned memory (copies that do not wait) or kept on the GPU, training
    computes the same: the batches are the same samples in the same order."""
    from netdesigner.train import placement

    module, graph = mlp()
    start = {k: v.clone() for k, v in module.state_dict().items()}
    kept = Trainer(module, moons, settings(device="cuda", epochs=3, batch_size=32), graph=graph, initialize=False)
    kept.run()
    monkeypatch.setattr(placement, "fits_on_device", lambda nbytes, device: False)
    streamed_module, _ = mlp()
    streamed_module.load_state_dict(start)
    events, listener = collect()
    streamed = Trainer(streamed_module, moons, settings(device="cuda", epochs=3, batch_size=32), graph=graph,
                       initialize=False, listeners=[listener])
    assert streamed.splits.train.x.device.type == "cpu" and streamed.splits.train.x.is_pinned()
    assert any("copied to the GPU as it is needed" in note for note in streamed.notes)
    streamed.run()
    assert streamed.shuffler.buffers is not None and streamed.shuffler.buffers[0].is_pinned()
    for key, value in kept.module.state_dict().items():
        torch.testing.assert_close(streamed.module.state_dict()[key], value, rtol=1e-5, atol=1e-6)
    assert streamed.history[-1].val_loss == pytest.approx(kept.history[-1].val_loss, rel=1e-5)
