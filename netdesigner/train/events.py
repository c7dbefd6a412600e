"""What a training run tells its listeners (DESIGN rule 6): small records, frozen once sent.

A listener is any callable taking one event; it runs on the training thread, so it must be
quick (the window's bridge only queues the event for the GUI thread). The run sends, in order:
``RunStarted``, then per epoch many ``BatchEnd`` and one ``EpochEnd`` (with ``Checkpoint`` or
``Notice`` after it when checkpoints are written), and ends with exactly one ``RunFinished``
or ``RunFailed`` — the same object ``Trainer.run()`` returns.

``BatchEnd.loss`` stays a 0-d tensor on the training device: reading it as a number waits for
the GPU, so it is read only by whoever wants the number (``loss_value``), at the rate they draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class RunStarted:
    device: str  # e.g. "cpu", "cuda:0"
    epochs: int  # epochs this run will train at most
    batches_per_epoch: int
    parameters: int  # trainable parameters
    first_epoch: int = 1  # > 1 when the run continues an earlier one
    task: str = ""  # classification, regression, autoencoding or variational
    samples: int = 0  # training samples per epoch


@dataclass(frozen=True)
class BatchEnd:
    epoch: int  # counted from 1, continuing across runs
    batch: int  # within the epoch, from 0
    step: int  # optimizer steps since the trainer was made
    loss: torch.Tensor | float  # detached 0-d tensor on the training device (or a float)
    lr: float
    samples_per_s: float  # this epoch so far, as the host sees it

    @property
    def loss_value(self) -> float:
        """The loss as a number; on a GPU this waits for the batch, so read it only to draw it."""
        return float(self.loss)


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    train_loss: float  # mean over the epoch's batches, weights changing as it went
    val_loss: float | None  # None without validation data
    metrics: dict[str, float]  # accuracy / mse / mae (validation), train_* for the training pass
    lr: float  # at the end of the epoch
    grad_norms: dict[str, float]  # per layer (node name), gradient L2 norm at the epoch's last batch
    seconds: float  # training and validation, pauses left out
    samples_per_s: float  # training samples per second of the training pass


@dataclass(frozen=True)
class Checkpoint:
    path: str
    kind: str  # "best" or "last"
    epoch: int = 0


@dataclass(frozen=True)
class Notice:
    """A warning for the person: something the person should know that does not stop the run (a checkpoint not written…)."""

    message: str


@dataclass(frozen=True)
class RunFinished:
    reason: str  # "completed", "stopped" or "early_stopped"
    test_metrics: dict[str, float] = field(default_factory=dict)  # loss and accuracy / mse / mae
    confusion: list[list[int]] | None = None  # [true class][predicted class], classification only
    best_epoch: int | None = None  # the epoch with the lowest validation loss
    epochs_run: int = 0

    @property
    def ok(self) -> bool:
        return True


@dataclass(frozen=True)
class RunFailed:
    message: str  # says what happened and what to try
    kind: str  # "nan", "oom" or "error"
    epoch: int = 0
    step: int = 0

    @property
    def ok(self) -> bool:
        return False


Event = RunStarted | BatchEnd | EpochEnd | Checkpoint | Notice | RunFinished | RunFailed
Listener = Callable[[Any], None]
