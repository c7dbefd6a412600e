"""Where a run computes, in which precision, and on how many GPUs.

"auto" takes CUDA, then Apple's MPS, then the CPU, except for small models: below
``SMALL_MODEL_MACS`` multiply-accumulates per sample a GPU spends its time launching kernels,
and two CPU cores trained the spirals MLP 3× faster than an H100 did (PERFORMANCE.md), so
"auto" keeps those on the CPU and says so. Choosing "cuda" still gets the GPU. Mixed precision is a CUDA feature here:
bf16 autocast needs no loss scaling; fp16 autocast comes with a ``GradScaler`` that skips the
steps whose gradients overflowed. On a CPU or MPS the run stays in float32 and says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    import torch


SMALL_MODEL_MACS = 100_000  # between the spirals MLP (4 k, CPU faster) and the digits CNN (340 k, GPU faster)


def auto_keeps_cpu(macs_per_sample: int | None) -> bool:
    """Whether "auto" should stay on the CPU for a model of this size (None: size unknown)."""
    return macs_per_sample is not None and macs_per_sample < SMALL_MODEL_MACS


def choose_device(setting: str, macs_per_sample: int | None = None) -> torch.device:
    """The device a setting names, or a ``TrainingError`` saying why it cannot be had."""
    import torch

    if setting == "auto":
        if auto_keeps_cpu(macs_per_sample):
            return torch.device("cpu")
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if setting == "cpu":
        return torch.device("cpu")
    if setting == "mps":
        if not _mps_available():
            raise TrainingError("device 'mps' was chosen but this machine has no usable Apple GPU: choose auto or cpu")
        return torch.device("mps")
    if setting == "cuda" or setting.startswith("cuda:"):
        if not torch.cuda.is_available():
            build = f"built for CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
            raise TrainingError(f"device {setting!r} was chosen but PyTorch sees no CUDA GPU (torch {torch.__version__}, {build}): choose auto or cpu")
        index = int(setting[5:]) if setting.startswith("cuda:") else torch.cuda.current_device()
        if index >= torch.cuda.device_count():
            raise TrainingError(f"device {setting!r} was chosen but there are only {torch.cuda.device_count()} CUDA GPU(s), numbered from 0")
        return torch.device("cuda", index)
    raise TrainingError(f"unknown device {setting!r}: choose auto, cpu, cuda, cuda:N or mps")


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


@dataclass
class Precision:
    """How the forward pass is cast and the loss scaled; ``notes`` say what was not possible."""

    autocast: Callable[[], Any]  # a fresh context manager per forward pass
    scaler: Any = None  # torch.amp.GradScaler for fp16, else None
    name: str = "float32"
    notes: list[str] = field(default_factory=list)


def choose_precision(amp: str, device: torch.device) -> Precision:
    """Autocast and loss scaling for the ``amp`` setting on ``device``."""
    import torch

    if amp == "off":
        return Precision(contextlib.nullcontext)
    if device.type != "cuda":
        return Precision(contextlib.nullcontext, notes=[f"mixed precision ({amp}) is used on CUDA GPUs only; this run on {device} computes in float32"])
    if amp == "bf16":
        if not torch.cuda.is_bf16_supported():
            raise TrainingError(f"this GPU ({torch.cuda.get_device_name(device)}) has no bfloat16: choose amp fp16 or off")
        return Precision(lambda: torch.autocast("cuda", dtype=torch.bfloat16), name="bf16")
    if amp == "fp16":
        return Precision(lambda: torch.autocast("cuda", dtype=torch.float16), torch.amp.GradScaler("cuda"), name="fp16")
    raise TrainingError(f"amp must be off, bf16 or fp16, got {amp!r}")


def parallel_forward(module: torch.nn.Module, device: torch.device, wanted: bool) -> tuple[torch.nn.Module, list[str]]:
    """The module to call in the training loop: ``DataParallel`` over every GPU when asked and
    there is more than one, else the module itself. Its weights stay those of ``module``."""
    import torch

    if not wanted:
        return module, []
    if device.type != "cuda":
        return module, [f"data parallel training needs CUDA GPUs; this run uses {device} alone"]
    count = torch.cuda.device_count()
    if count < 2:
        return module, ["data parallel training needs two or more GPUs; this machine has one"]
    ids = [device.index or 0] + [i for i in range(count) if i != (device.index or 0)]
    return torch.nn.DataParallel(module, device_ids=ids, output_device=ids[0]), [
        f"each batch is split over {count} GPUs (DataParallel); for many GPUs a DDP script scales better"
    ]


def device_of(module: torch.nn.Module) -> torch.device:
    """Where the module's weights (or buffers) are; the CPU for a module without any."""
    import torch

    for t in module.state_dict().values():
        return t.device
    return torch.device("cpu")


def synchronizes_cheaply(device: torch.device) -> bool:
    """True where reading a tensor on the host costs no pipeline stall (the CPU)."""
    return device.type == "cpu"
