"""What a failed run says and which weights it leaves: the last good ones, never NaN.

Every message names what happened and the one thing most likely to help (a lower learning
rate, a smaller batch), because the person reading it is often learning what these mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netdesigner.train import checkpoint as ckpt
from netdesigner.train.events import RunFailed

if TYPE_CHECKING:
    import torch

    from netdesigner.core.project import TrainingSettings


def recover(module: torch.nn.Module, optimizer: torch.optim.Optimizer, good: dict[str, Any], good_optimizer: dict[str, Any]) -> None:
    """Drops half-made gradients; puts back the last good copy if any weight is not finite
    (on a GPU, or a BatchNorm statistic a NaN batch reached in the forward pass)."""
    optimizer.zero_grad(set_to_none=True)
    if not ckpt.is_finite(module):
        ckpt.restore(module, good)
        optimizer.load_state_dict(good_optimizer)


def is_out_of_memory(error: BaseException) -> bool:
    import torch

    return isinstance(error, torch.cuda.OutOfMemoryError) or "out of memory" in str(error)


def nan_failure(where: str, settings: TrainingSettings, epoch: int, step: int) -> RunFailed:
    clip = "" if settings.grad_clip > 0 else " or clip gradients (grad_clip)"
    return RunFailed(
        f"the loss became NaN or infinite {where}: the learning rate ({settings.learning_rate:g}) is probably "
        f"too high; try one 10× lower{clip}. The weights are the last good ones.", "nan", epoch, step)


def error_failure(error: Exception, device: torch.device, settings: TrainingSettings, epoch: int, step: int) -> RunFailed:
    import torch

    if is_out_of_memory(error):
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        return RunFailed(f"the {device} ran out of memory in epoch {epoch}: try a smaller batch size "
                         f"(now {settings.batch_size}) or a smaller model. The weights are the last good ones.",
                         "oom", epoch, step)
    return RunFailed(f"training failed in epoch {epoch}, step {step + 1}: {type(error).__name__}: {error}. "
                     "The weights are the last good ones; change what the message names and train again.",
                     "error", epoch, step)
