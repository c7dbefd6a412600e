"""Optimisers, learning-rate schedules and weight initialisation, from ``TrainingSettings``.

Each is the plain ``torch.optim`` object a person would write by hand, so what the window
shows is what PyTorch does. Schedules step where their idea lives: step and plateau once per
epoch (plateau on the validation loss), cosine and one-cycle once per batch so the curve is
smooth even over few epochs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    import torch

    from netdesigner.core.project import TrainingSettings


def check_settings(settings: TrainingSettings) -> None:
    """A ``TrainingError`` listing every setting out of its range or choices."""
    problems = settings.problems()
    if problems:
        raise TrainingError("; ".join(text for _, text in problems))


def retune(optimizer: torch.optim.Optimizer, parameters: Iterable[torch.nn.Parameter], old: TrainingSettings,
           new: TrainingSettings) -> torch.optim.Optimizer:
    """The optimiser for changed settings: the same one with new hyper-parameters (keeping its
    moments), or a fresh one when another kind is chosen. The learning rate is the schedule's."""
    check_settings(new)
    fixed = [f for f in ("device", "amp", "data_parallel") if getattr(new, f) != getattr(old, f)]
    if fixed:
        raise TrainingError(f"{', '.join(fixed)} cannot change for a model in training: start a new training")
    if new.optimizer != old.optimizer:
        return make_optimizer(parameters, new)
    for group in optimizer.param_groups:
        group["weight_decay"] = new.weight_decay
        if "momentum" in group:
            group["momentum"] = new.momentum
        if "nesterov" in group:
            group["nesterov"] = new.nesterov and new.momentum > 0
    return optimizer


def make_optimizer(parameters: Iterable[torch.nn.Parameter], settings: TrainingSettings) -> torch.optim.Optimizer:
    """The optimiser the settings name; ``momentum`` applies to SGD and RMSprop."""
    import torch

    params = [p for p in parameters if p.requires_grad]
    if not params:
        raise TrainingError("the model has no trainable parameters: add a layer with weights (Linear, Conv…)")
    lr, decay = settings.learning_rate, settings.weight_decay
    name = settings.optimizer
    if name == "sgd":
        nesterov = settings.nesterov and settings.momentum > 0
        return _fused_if_possible(torch.optim.SGD, params, lr=lr, momentum=settings.momentum, nesterov=nesterov, weight_decay=decay)
    if name == "adam":
        return _fused_if_possible(torch.optim.Adam, params, lr=lr, weight_decay=decay)
    if name == "adamw":
        return _fused_if_possible(torch.optim.AdamW, params, lr=lr, weight_decay=decay)
    if name == "rmsprop":  # no fused kernel in PyTorch
        return torch.optim.RMSprop(params, lr=lr, momentum=settings.momentum, weight_decay=decay)
    if name == "adagrad":
        return _fused_if_possible(torch.optim.Adagrad, params, lr=lr, weight_decay=decay)
    raise TrainingError(f"optimizer must be one of sgd, adam, adamw, rmsprop, adagrad, got {name!r}")


def _fused_if_possible(kind: type[torch.optim.Optimizer], params: list[torch.nn.Parameter], **options: Any) -> torch.optim.Optimizer:
    """The optimiser with PyTorch's fused kernel (``fused=True``: one kernel updates every
    parameter) where it has one for these parameters, else the default implementation.

    The same update rule, computed in another order, so the numbers differ from the default
    in the last bits. On the CPU it made a small MLP's whole training step about a fifth
    faster: the default steps each parameter with a dozen small operations from Python.
    """
    devices = {p.device.type for p in params}
    if len(devices) == 1 and devices <= {"cpu", "cuda"} and all(p.is_floating_point() for p in params):
        try:
            return kind(params, fused=True, **options)
        except (RuntimeError, ValueError):  # a dtype or device this build's kernel does not take
            pass
    return kind(params, **options)


class Schedule:
    """One run's learning-rate schedule over ``epochs`` × ``steps_per_epoch`` optimizer steps.

    Every run starts at the settings' learning rate, so "continue training" with a cosine or
    one-cycle schedule is a warm restart, and a plateau schedule forgets its earlier drops.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, settings: TrainingSettings, epochs: int, steps_per_epoch: int) -> None:
        import torch

        for group in optimizer.param_groups:
            group["lr"] = settings.learning_rate
            group["initial_lr"] = settings.learning_rate
        sched = torch.optim.lr_scheduler
        total = max(1, epochs * steps_per_epoch)
        self.kind = settings.schedule
        self.optimizer = optimizer
        self.scheduler: object | None
        if self.kind == "none":
            self.scheduler = None
        elif self.kind == "step":
            self.scheduler = sched.StepLR(optimizer, step_size=settings.step_size, gamma=settings.gamma)
        elif self.kind == "cosine":
            self.scheduler = sched.CosineAnnealingLR(optimizer, T_max=total)
        elif self.kind == "one_cycle":
            cycle = settings.optimizer in ("adam", "adamw") or (settings.optimizer == "sgd" and settings.momentum > 0)
            self.scheduler = sched.OneCycleLR(optimizer, max_lr=settings.learning_rate, total_steps=total, cycle_momentum=cycle)
        elif self.kind == "plateau":
            self.scheduler = sched.ReduceLROnPlateau(optimizer, factor=settings.gamma, patience=settings.plateau_patience)
        else:
            raise TrainingError(f"schedule must be one of none, step, cosine, one_cycle, plateau, got {self.kind!r}")
        self._steps_left = total  # one-cycle refuses to step past its end

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def after_batch(self) -> None:
        if self.kind in ("cosine", "one_cycle") and self._steps_left > 1:
            self._steps_left -= 1
            self.scheduler.step()  # type: ignore[union-attr]

    def after_epoch(self, monitored_loss: float) -> None:
        if self.kind == "step":
            self.scheduler.step()  # type: ignore[union-attr]
        elif self.kind == "plateau":
            self.scheduler.step(monitored_loss)  # type: ignore[union-attr]


def initialize_weights(module: torch.nn.Module, how: str, seed: int) -> None:
    """Draws every weight afresh from ``seed``: PyTorch's own initialisation of each layer
    ("default"), then for Linear and Conv weights the chosen scheme with zero biases.

    Re-drawing here rather than trusting the weights the compiler made is what lets the same
    seed give the same run, whatever the program drew from the random generator before.
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if m is module:
                continue
            if callable(getattr(m, "reset_parameters", None)):
                m.reset_parameters()
            elif callable(getattr(m, "_reset_parameters", None)):  # MultiheadAttention
                m._reset_parameters()
        if how == "default":
            return
        for m in module.modules():
            if not isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)):
                continue
            if how == "kaiming":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif how == "xavier":
                nn.init.xavier_uniform_(m.weight)
            elif how == "orthogonal":
                nn.init.orthogonal_(m.weight)
            else:
                raise TrainingError(f"init must be one of default, kaiming, xavier, orthogonal, got {how!r}")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
