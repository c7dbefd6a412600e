"""What a run minimises and measures, read from the Output nodes and the data.

Each Output node with a loss is a *head*. What its loss compares the output with follows one
rule, decided once from the shapes of a probe batch:

- ``cross_entropy`` / ``nll``: the targets are class ids (integer ``y``); the output holds one
  score per class on its last axis (or on axis 1, as PyTorch's image losses do). Accuracy.
- ``bce_with_logits`` on class ids with one output value per sample: binary classification.
- ``mse`` / ``l1`` / ``bce_with_logits`` otherwise: the **targets** when they are numbers of
  the output's shape (regression; MSE and MAE); else the **input itself** when the output has
  the input's shape (autoencoding: a data set of class ids trains a reconstruction). Targets
  that *are* the inputs (a data set's "input" target) count as reconstruction too. With
  ``input_noise`` the model sees a noisy input and must give back the clean one (denoising).
- Anything else is a ``TrainingError`` that names the output and both shapes.

Shapes "match" when they agree after dropping axes of size 1, so (1,) fits a scalar target.
Several heads add their losses times ``loss_weight``. Every ``Reparameterize`` layer adds its
KL term (already times its own β) times the run's ``kl_beta``: the negative ELBO of a VAE.
The KL is caught by a forward hook, so validation (eval mode, z = mean) counts it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.data.splits import Splits
    from netdesigner.train.tally import Tally

CLASS_LOSSES = ("cross_entropy", "nll")
VALUE_LOSSES = ("mse", "l1", "bce_with_logits")


@dataclass(frozen=True)
class Head:
    """One Output node's part of the objective."""

    name: str  # the Output node's name
    index: int  # position in the module's outputs
    loss: str
    weight: float
    target: str  # "classes", "binary", "values" (the targets) or "input" (reconstruction)
    class_axis: int = -1  # for "classes": where the class scores are


def _squeezed(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)


class Objective:
    """The loss of one batch and the running sums of its metrics, for every head together."""

    def __init__(self, heads: list[Head], *, num_classes: int | None, kl_modules: list[Any], kl_beta: float) -> None:
        self.heads = heads
        self.num_classes = num_classes
        self.kl_modules = kl_modules
        self.kl_beta = kl_beta
        self._kl_terms: list[tuple[int, torch.Tensor]] = []
        kinds = {h.target for h in heads}
        if "input" in kinds:
            self.task = "variational" if kl_modules else "autoencoding"
        elif heads[0].target in ("classes", "binary"):
            self.task = "classification"
        else:
            self.task = "regression"

    @property
    def primary(self) -> Head:
        return self.heads[0]

    @property
    def classifies(self) -> bool:
        return self.primary.target in ("classes", "binary")

    # ---- the KL terms of variational layers ---------------------------------------------
    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Hooks on every Reparameterize layer while the block runs, removed after it so an
        exported or analysed module carries none of them."""
        from netdesigner.nn.probabilistic import kl_divergence

        def hook(module: Any, args: tuple, _out: Any) -> None:
            kl = module.kl if module.training and module.kl is not None else module.beta * kl_divergence(*args)
            module.kl = None  # the layer would otherwise hold the batch's autograd graph (and refuse deepcopy)
            self._kl_terms.append((id(module), kl))

        handles = [m.register_forward_hook(hook) for m in self.kl_modules]
        try:
            yield
        finally:
            for h in handles:
                h.remove()
            self._kl_terms.clear()

    def _kl(self) -> torch.Tensor | None:
        """The batch's KL: per layer, the mean over the calls (DataParallel calls each replica)."""
        if not self._kl_terms:
            return None
        by_layer: dict[int, list[torch.Tensor]] = {}
        for key, value in self._kl_terms:
            by_layer.setdefault(key, []).append(value)
        self._kl_terms.clear()
        device = next(iter(by_layer.values()))[0].device
        return sum(sum(v.float().to(device) for v in vs) / len(vs) for vs in by_layer.values())

    # ---- one batch ----------------------------------------------------------------------
    def loss(self, outputs: Any, x: torch.Tensor, y: torch.Tensor, tally: Tally | None = None) -> torch.Tensor:
        """The weighted loss of a batch (``x`` the clean input); adds its metrics to ``tally``."""
        import torch
        import torch.nn.functional as F

        outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
        total: torch.Tensor | None = None
        for head in self.heads:  # the tally keeps detached outputs and measures them later, in bulk
            out = outs[head.index]
            if head.target == "classes":
                if out.dim() == 2:  # the common (batch, classes) case: no reshaping calls per batch
                    scores, target = out, y if y.dim() == 1 else y.reshape(-1)
                else:
                    scores = out.movedim(1, -1) if head.class_axis == 1 else out
                    scores = scores.reshape(-1, scores.shape[-1])
                    target = y.reshape(-1)
                part = F.cross_entropy(scores, target) if head.loss == "cross_entropy" else F.nll_loss(scores, target)
                if tally is not None:
                    tally.keep(head, scores, target)
            else:
                target = (x if head.target == "input" else y).reshape(out.shape)
                target = target.to(out.dtype) if out.dtype in (torch.float32, torch.float64) else target.float()
                part = _value_loss(head.loss, out, target)
                if tally is not None:
                    tally.keep(head, out, target)
            part = part if head.weight == 1.0 else head.weight * part
            total = part if total is None else total + part
        assert total is not None
        kl = self._kl()
        if kl is not None:
            total = total + self.kl_beta * kl
        if tally is not None:
            n = x.shape[0]  # weighted by samples, so a short last batch counts for what it holds
            tally.add("loss", total, n)
            if kl is not None:
                tally.add("kl", kl, n)
        return total


def _value_loss(name: str, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    import torch.nn.functional as F

    if name == "mse":
        return F.mse_loss(out, target)
    if name == "l1":
        return F.l1_loss(out, target)
    return F.binary_cross_entropy_with_logits(out, target)


def build_objective(module: torch.nn.Module, splits: Splits, probe: Any, *, graph: Graph | None, kl_beta: float) -> Objective:
    """The heads of ``module``'s outputs, with the rule of the module docstring.

    ``probe`` is the module's output on the first training samples; ``graph`` gives each
    Output's loss and weight (without it every output takes the data's natural loss).
    """
    import torch

    from netdesigner.nn.probabilistic import Reparameterize

    outs = probe if isinstance(probe, (tuple, list)) else (probe,)
    info = getattr(module, "meta", {}).get("netdesigner")
    names = list(info.output_names) if info is not None else [f"output{i + 1}" for i in range(len(outs))]
    x, y = splits.train.x, splits.train.y
    classes = not torch.is_floating_point(y)
    num_classes = splits.info.num_classes
    if classes and num_classes is None:
        num_classes = int(max(int(s.y.max()) for s in (splits.train, splits.val, splits.test) if len(s))) + 1
    heads = []
    for index, (name, out) in enumerate(zip(names, outs, strict=True)):
        if graph is not None and graph.has_name(name):
            params = graph.find(name).params
            loss, weight = params.get("loss", "none"), float(params.get("loss_weight", 1.0))
        else:
            loss, weight = ("cross_entropy" if classes else "mse"), 1.0
        if loss == "none" or weight == 0:
            continue
        head = _head(name, index, loss, weight, out, x, y, num_classes)
        if head.target == "values" and _targets_are_inputs(x, y):
            head = Head(name, index, loss, weight, "input")  # a data set whose target is "the input"
        heads.append(head)
    if not heads:
        raise TrainingError("no Output node has a loss, so there is nothing to train: choose a loss (e.g. cross_entropy or mse) on an Output")
    kl_modules = [m for m in module.modules() if isinstance(m, Reparameterize)]
    return Objective(heads, num_classes=num_classes if classes else None, kl_modules=kl_modules, kl_beta=kl_beta)


def _targets_are_inputs(x: torch.Tensor, y: torch.Tensor) -> bool:
    """True for a data set that gives the input as the target (autoencoders), judged on the
    first samples: then the clean input is the target even when the model sees it noisy."""
    import torch

    if not torch.is_floating_point(y) or x.numel() != y.numel():
        return False
    return bool(torch.equal(x[:64].reshape(-1), y[:64].reshape(-1)))


def _head(name: str, index: int, loss: str, weight: float, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor, num_classes: int | None) -> Head:
    import torch

    shape, y_shape, x_shape = tuple(out.shape[1:]), tuple(y.shape[1:]), tuple(x.shape[1:])
    classes = not torch.is_floating_point(y)
    where = f"Output {name!r} ({loss})"
    if loss in CLASS_LOSSES:
        if not classes:
            raise TrainingError(f"{where} compares class scores with class ids, but the data set's targets are numbers of shape {y_shape}: choose mse or l1 for this output")
        if out.dim() == y.dim() + 1 and out.shape[1:-1] == y.shape[1:]:
            axis = -1
        elif out.dim() == y.dim() + 1 and out.dim() > 2 and out.shape[2:] == y.shape[1:]:
            axis = 1
        else:
            raise TrainingError(f"{where} gives {shape} per sample; for {num_classes} classes it must give one score per class, e.g. ({num_classes},)")
        if out.shape[axis] < (num_classes or 0):
            raise TrainingError(f"{where} gives {out.shape[axis]} scores per sample but the data has {num_classes} classes: give the layer before it {num_classes} outputs")
        return Head(name, index, loss, weight, "classes", axis)
    if loss == "gan":
        raise TrainingError(f"{where} scores real against fake samples: a GAN trains with the GAN trainer "
                            "(netdesigner.train.gan_trainer.GanTrainer), which netdesigner train and the window choose for it")
    if loss not in VALUE_LOSSES:
        raise TrainingError(f"{where}: unknown loss; choose one of {', '.join(CLASS_LOSSES + VALUE_LOSSES)} or none")
    if classes and loss == "bce_with_logits" and out[0].numel() == 1 and y.dim() == 1:
        if num_classes is not None and num_classes > 2:
            raise TrainingError(f"{where} scores two classes, but the data has {num_classes}: use cross_entropy with {num_classes} outputs")
        return Head(name, index, loss, weight, "binary")
    if not classes and _squeezed(shape) == _squeezed(y_shape):
        return Head(name, index, loss, weight, "values")
    if torch.is_floating_point(x) and _squeezed(shape) == _squeezed(x_shape):
        return Head(name, index, loss, weight, "input")
    wanted = "class ids (use cross_entropy)" if classes else f"targets of shape {y_shape}"
    raise TrainingError(f"{where} gives {shape} per sample, which fits neither the data set's {wanted} nor its inputs {x_shape} (an autoencoder's output must have the input's shape)")
