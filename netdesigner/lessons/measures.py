"""What a finished run measured, by name: the numbers a lesson's claims compare.

Cheap measures are read from the run's history and its test evaluation; dear ones (the top
Hessian eigenvalue, the accuracy on the training split after the run) are computed only when
a claim asks for them, from the trained weights the trainer still holds.

The names:

- ``test_<m>`` for every test metric (``test_loss``, ``test_accuracy``, ``test_mse``…); a
  test metric without a generic name (a GAN's ``modes_covered``) is also known by its own name;
- ``final_train_loss``, ``final_val_loss``, ``final_val_<m>``, ``final_train_<m>``: the last epoch;
- ``best_val_loss``, ``epochs_run``, ``seconds``;
- ``end_train_loss``, ``end_train_accuracy``: the training split evaluated after the run
  (eval mode, the final weights), and ``accuracy_gap`` = that accuracy − the test accuracy,
  ``loss_gap`` = test loss − that loss: how much the model over-fits;
- ``first_layer_grad_norm``, ``last_layer_grad_norm``: the median, over the run's epochs, of
  the gradient norm of the first (last) layer with weights; ``first_to_last_grad_ratio`` the
  median of their ratio (≪ 1: gradients vanish on the way back);
- ``top_hessian_eigenvalue``: the sharpness of the minimum reached (power iteration on
  Hessian-vector products over 1,000 training samples, as ``netdesigner landscape --mode sharpness``);
- ``test_r2``: 1 − test MSE ÷ the variance of the test targets (of the inputs, for a model that
  reconstructs them), per value: the share of the targets' variance the model explains, where
  0 is what always answering the targets' mean scores;
- ``denoising_ratio``, for a model that reconstructs its input and trained with ``input_noise``:
  the test MSE of its outputs for the test inputs with that noise added (one fixed draw) against
  the clean inputs, ÷ the MSE of the noisy inputs themselves; below 1 it removes noise;
- ``epochs_to_reach`` with ``reach = (metric, value)``: the first epoch whose ``train_loss``,
  ``val_loss`` or other epoch measure is at most ``value``; infinity when the run never got there.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netdesigner.train.events import EpochEnd
    from netdesigner.train.trainer import Trainer

GENERIC = ("loss", "accuracy", "mse", "mae")


class UnknownMeasure(KeyError):
    pass


@dataclass
class RunMeasures:
    """The measures of one finished run of ``trainer`` (which must not train again while read)."""

    trainer: Trainer
    test_metrics: dict[str, float]
    seconds: float
    epochs_run: int
    values: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        history = self.trainer.history
        v = self.values
        v["seconds"] = self.seconds
        v["epochs_run"] = float(self.epochs_run)
        for name, value in self.test_metrics.items():
            v[f"test_{name}"] = value
            if name not in GENERIC:
                v.setdefault(name, value)
        if history:
            last = history[-1]
            v["final_train_loss"] = last.train_loss
            if last.val_loss is not None:
                v["final_val_loss"] = last.val_loss
                v["best_val_loss"] = min(e.val_loss for e in history if e.val_loss is not None)
            for name, value in last.metrics.items():
                v[f"final_{name}" if name.startswith("train_") else f"final_val_{name}"] = value
            v.update(_gradient_measures(history))

    def get(self, name: str, reach: tuple[str, float] | None = None) -> float:
        """The measure ``name``; ``UnknownMeasure`` for a name this run has no value for."""
        if name == "epochs_to_reach":
            if reach is None:
                raise UnknownMeasure("epochs_to_reach needs the metric and value to reach")
            return self._epochs_to_reach(*reach)
        if name not in self.values:
            self._compute(name)
        if name not in self.values:
            raise UnknownMeasure(name)
        return self.values[name]

    def _compute(self, name: str) -> None:
        if name in ("end_train_loss", "end_train_accuracy", "accuracy_gap", "loss_gap"):
            loss, metrics, _ = self.trainer.evaluate("train")
            self.values["end_train_loss"] = loss
            if "test_loss" in self.values:
                self.values["loss_gap"] = self.values["test_loss"] - loss
            if "accuracy" in metrics:
                self.values["end_train_accuracy"] = metrics["accuracy"]
                if "test_accuracy" in self.values:
                    self.values["accuracy_gap"] = metrics["accuracy"] - self.values["test_accuracy"]
        elif name == "test_r2" and "test_mse" in self.values:
            head = self.trainer.objective.primary
            test = self.trainer.splits.test
            target = {"input": test.x, "values": test.y}.get(head.target)
            if target is not None and len(test) > 1:
                variance = target.float().reshape(len(test), -1).var(dim=0, unbiased=False).mean().item()
                if variance > 0:
                    self.values[name] = 1.0 - self.values["test_mse"] / variance
        elif name == "denoising_ratio":
            self._denoising_ratio()
        elif name == "top_hessian_eigenvalue":
            from netdesigner.analysis.landscape import evaluation_batch, loss_tensor_fn_for
            from netdesigner.analysis.sharpness import top_hessian_eigenvalue

            x, y = evaluation_batch(self.trainer.splits, "train", 1000, 0, device=self.trainer.device)
            value, _ = top_hessian_eigenvalue(self.trainer.module, loss_tensor_fn_for(self.trainer.objective), x, y,
                                              iterations=100, tol=1e-3, seed=0)
            self.values[name] = value

    def _denoising_ratio(self) -> None:
        import torch

        from netdesigner.train.tally import Tally

        trainer, test = self.trainer, self.trainer.splits.test
        sigma = trainer.settings.input_noise
        if not (sigma > 0 and trainer.objective.primary.target == "input" and len(test) and test.x.is_floating_point()):
            return
        draw = torch.Generator(device=test.x.device).manual_seed(0)
        noisy = test.x + sigma * torch.randn(test.x.shape, generator=draw, device=test.x.device, dtype=test.x.dtype)
        tally = Tally(trainer.objective)
        trainer.module.eval()
        try:
            with torch.no_grad(), trainer.objective.watching():
                for i in range(0, len(test), 512):
                    trainer.objective.loss(trainer.module(noisy[i:i + 512]), test.x[i:i + 512], test.y[i:i + 512], tally)
        finally:
            trainer.module.train()
        _, metrics = tally.read()
        noise = (noisy - test.x).square().mean().item()
        if "mse" in metrics and noise > 0:
            self.values["denoising_ratio"] = metrics["mse"] / noise

    def _epochs_to_reach(self, metric: str, value: float) -> float:
        for event in self.trainer.history:
            measured = _epoch_measure(event, metric)
            if measured is not None and measured <= value:
                return float(event.epoch)
        return math.inf


def _epoch_measure(event: EpochEnd, metric: str) -> float | None:
    if metric == "train_loss":
        return event.train_loss
    if metric == "val_loss":
        return event.val_loss
    name = metric[4:] if metric.startswith("val_") else metric
    return event.metrics.get(name)


def _gradient_measures(history: list[EpochEnd]) -> dict[str, float]:
    rows = [e.grad_norms for e in history if e.grad_norms]
    if not rows:
        return {}
    first_layer, last_layer = next(iter(rows[0])), list(rows[0])[-1]
    first = [r[first_layer] for r in rows if first_layer in r]
    last = [r[last_layer] for r in rows if last_layer in r]
    ratios = [r[first_layer] / r[last_layer] for r in rows if first_layer in r and r.get(last_layer, 0) > 0]
    found = {"first_layer_grad_norm": statistics.median(first), "last_layer_grad_norm": statistics.median(last)}
    if ratios:
        found["first_to_last_grad_ratio"] = statistics.median(ratios)
    return found


def describe(values: dict[str, Any]) -> str:
    """A short line of the measures people look at first."""
    shown = [f"{k} {number(values[k])}" for k in ("test_accuracy", "test_loss", "test_mse") if k in values]
    return ", ".join(shown)


def number(value: float | None) -> str:
    """A measure as people read it: 4 digits, "never" for an epoch never reached."""
    if value is None:
        return "nothing"
    if math.isinf(value):
        return "never"
    return f"{value:.4g}"
