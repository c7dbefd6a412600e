"""Forward passes without learning: a split's loss and metrics, and the probe the objective is
built from. Both run in eval mode (dropout off, BatchNorm on its running statistics) and
switch the module back to training mode however they end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError
from netdesigner.train.device import device_of
from netdesigner.train.objective import Objective
from netdesigner.train.tally import Tally

if TYPE_CHECKING:
    import torch

    from netdesigner.data.splits import Split
    from netdesigner.train.device import Precision

EVAL_BATCH = 512  # samples per forward pass when evaluating (at least the training batch)


def evaluate_split(module: torch.nn.Module, forward: torch.nn.Module, objective: Objective, part: Split, batch_size: int,
                   precision: Precision, confusion: bool = False) -> tuple[float, dict[str, float], list[list[int]] | None]:
    """(mean loss, metrics, confusion matrix or None) of ``part`` in batches of at least ``EVAL_BATCH``."""
    import torch

    batch = max(batch_size, EVAL_BATCH)
    tally = Tally(objective, confusion=confusion)
    device = device_of(module)
    module.eval()
    try:
        with torch.no_grad(), precision.autocast():
            for i in range(0, len(part), batch):
                x, y = part.x[i:i + batch], part.y[i:i + batch]
                if x.device != device:  # a data set kept off the GPU
                    x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                objective.loss(forward(x), x, y, tally)
    finally:
        module.train()
    loss, metrics = tally.read()
    return loss, metrics, tally.confusion()


def probe(module: torch.nn.Module, x: torch.Tensor, precision: Precision) -> Any:
    """The module's output on the first two samples of ``x``, or a ``TrainingError`` that
    says the model cannot take them."""
    import torch

    module.eval()
    try:
        with torch.no_grad(), precision.autocast():
            return module(x[:2].to(device_of(module)))
    except Exception as e:
        raise TrainingError(f"the model cannot take the data set's samples (shape {tuple(x.shape[1:])}): {e}") from None
    finally:
        module.train()
