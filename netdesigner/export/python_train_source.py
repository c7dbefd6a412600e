"""``train.py`` of an exported package: the project's training, as a script a student can follow.

What a run minimises is decided by the trainer's own rules (``netdesigner.train.objective``:
one head per Output node with a loss, its target read off the data); this module writes each
head out as the one line of ``torch.nn.functional`` it amounts to. The optimiser, the schedule
and the settings come from ``TrainingSettings`` and are written as the plain ``torch.optim``
calls ``netdesigner.train.optim`` makes, with only the constants this project uses.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netdesigner.export.python_train_template import (
    DROP,
    PARSE_ARGS,
    SHARED_SETUP,
    SHARED_TOOLS,
    TRAIN_TEMPLATE,
)

if TYPE_CHECKING:
    from netdesigner.core.project import TrainingSettings
    from netdesigner.train.objective import Head, Objective

_FUNCTIONS = {"cross_entropy": "F.cross_entropy", "nll": "F.nll_loss", "mse": "F.mse_loss", "l1": "F.l1_loss",
              "bce_with_logits": "F.binary_cross_entropy_with_logits"}
_WORDS = {"cross_entropy": "cross-entropy", "nll": "negative log-likelihood", "mse": "mean squared error",
          "l1": "mean absolute error", "bce_with_logits": "binary cross-entropy"}


@dataclass(frozen=True)
class ModelFacts:
    """What train.py must know of the model and data beyond the settings."""

    class_name: str
    title: str
    outputs: int  # how many tensors forward returns
    output_ranks: tuple[int, ...]  # axes of each output, batch included
    target_rank: int  # axes of y, batch included
    float_inputs: bool
    copied_layers: tuple[str, ...]  # classes layers.py holds


def train_source(facts: ModelFacts, settings: TrainingSettings, objective: Objective) -> str:
    """The text of train.py."""
    s = settings
    variational = bool(objective.kl_modules)
    noise = s.input_noise > 0 and facts.float_inputs
    classifies = objective.primary.target in ("classes", "binary")
    fills = {
        "class_name": facts.class_name,
        "title": facts.title.replace('"', "'"),
        "nn_import": "from torch import nn" if s.init != "default" else DROP,
        "layers_import": "from layers import Reparameterize, kl_divergence" if variational else DROP,
        "settings": _settings(s, variational=variational, noise=noise),
        "objective": _objective(facts, objective, s),
        "evaluate_doc": "Mean loss" + (" and accuracy" if classifies else "") + " over a whole split, in eval mode"
                        " (dropout off, BatchNorm on its running statistics).",
        "counter_line": "correct, targets = 0, 0" if classifies else DROP,
        "count_line": ("correct += count_correct(output, y)\n            targets += y.numel()" if classifies else DROP),
        "metrics": ('{"loss": loss_sum / len(dataset), "accuracy": correct / max(targets, 1)}' if classifies
                    else '{"loss": loss_sum / len(dataset)}'),
        "initialize_call": f"initialize(model)  # {s.init} initialisation, as the project's init setting" if s.init != "default" else DROP,
        "kl_hooks": (_KL_HOOKS if variational else DROP),
        "optimizer": optimizer_call(s),
        "scheduler": scheduler_lines(s)[0],
        "noise_line": "inputs = x + INPUT_NOISE * torch.randn_like(x)  # denoising: the loss compares with the clean x" if noise else DROP,
        "model_input": "inputs" if noise else "x",
        "clip_line": "torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)" if s.grad_clip > 0 else DROP,
        "after_batch": scheduler_lines(s)[1],
        "after_epoch": scheduler_lines(s)[2],
        "shared_setup": SHARED_SETUP,
        "shared_tools": SHARED_TOOLS,
        "parse_args": PARSE_ARGS.substitute(
            description=f"Trains {facts.class_name} on data.npz.",
            out_help="folder for last.safetensors (after every epoch) and best.safetensors (at the lowest validation loss)",
            batch_help="samples per step", seeded="the weights and the shuffling"),
    }
    text = TRAIN_TEMPLATE.substitute(fills)
    lines = [line for line in text.split("\n") if line.strip() != DROP]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines))


def _settings(s: TrainingSettings, *, variational: bool, noise: bool) -> str:
    rows: list[tuple[str, object, str]] = [
        ("EPOCHS", s.epochs, ""),
        ("BATCH_SIZE", s.batch_size, "samples per optimizer step, all processes together"),
        ("LEARNING_RATE", s.learning_rate, ""),
        ("WEIGHT_DECAY", s.weight_decay, "L2 penalty" + (" (decoupled, as AdamW does it)" if s.optimizer == "adamw" else "")),
    ]
    if s.optimizer in ("sgd", "rmsprop"):
        rows.append(("MOMENTUM", s.momentum, ""))
    if s.optimizer == "sgd":
        rows.append(("NESTEROV", s.nesterov and s.momentum > 0, ""))
    rows += schedule_rows(s)
    if s.grad_clip > 0:
        rows.append(("GRAD_CLIP", s.grad_clip, "largest gradient norm, all parameters together"))
    if noise:
        rows.append(("INPUT_NOISE", s.input_noise, "std of the Gaussian noise added to training inputs"))
    if variational:
        rows.append(("KL_BETA", s.kl_beta, "weight of the KL terms of the Reparameterize layers (β-VAE)"))
    rows += [
        ("SEED", s.seed, ""),
        ("EARLY_STOPPING_PATIENCE", s.early_stopping_patience, "epochs without a better validation loss before stopping; 0 = never"),
        ("RESTORE_BEST", s.restore_best, "end with the weights of the best validation epoch"),
    ]
    return "\n".join(f"{name} = {value!r}" + (f"  # {note}" if note else "") for name, value, note in rows)


def optimizer_call(s: TrainingSettings, params: str = "model.parameters()") -> str:
    """The torch.optim call the settings name, over ``params`` (Python source)."""
    common = f"{params}, lr=args.lr"
    return {
        "sgd": f"torch.optim.SGD({common}, momentum=MOMENTUM, nesterov=NESTEROV, weight_decay=WEIGHT_DECAY)",
        "adam": f"torch.optim.Adam({common}, weight_decay=WEIGHT_DECAY)",
        "adamw": f"torch.optim.AdamW({common}, weight_decay=WEIGHT_DECAY)",
        "rmsprop": f"torch.optim.RMSprop({common}, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)",
        "adagrad": f"torch.optim.Adagrad({common}, weight_decay=WEIGHT_DECAY)",
    }[s.optimizer]


def scheduler_lines(s: TrainingSettings) -> tuple[str, str, str]:
    """(the line that makes the scheduler, its step after each batch, its step after each
    epoch), each ``DROP`` where the schedule has none."""
    after_batch = "scheduler.step()  # once per batch, a smooth curve" if s.schedule in ("cosine", "one_cycle") else DROP
    after_epoch = {"step": "scheduler.step()", "plateau": "scheduler.step(monitored)"}.get(s.schedule, DROP)
    return _scheduler(s), after_batch, after_epoch


def schedule_rows(s: TrainingSettings) -> list[tuple[str, object, str]]:
    """The constants the schedule's line uses."""
    if s.schedule == "step":
        return [("STEP_SIZE", s.step_size, "epochs between two drops of the learning rate"),
                ("GAMMA", s.gamma, "each drop multiplies the learning rate by this")]
    if s.schedule == "plateau":
        return [("PLATEAU_PATIENCE", s.plateau_patience, "epochs without a better validation loss before a drop"),
                ("GAMMA", s.gamma, "each drop multiplies the learning rate by this")]
    return []


def _scheduler(s: TrainingSettings) -> str:
    lr = "torch.optim.lr_scheduler"
    steps = "args.epochs * len(loader)"
    if s.schedule == "step":
        return f"scheduler = {lr}.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)"
    if s.schedule == "cosine":
        return f"scheduler = {lr}.CosineAnnealingLR(optimizer, T_max={steps})"
    if s.schedule == "one_cycle":
        cycle = s.optimizer in ("adam", "adamw") or (s.optimizer == "sgd" and s.momentum > 0)
        return f"scheduler = {lr}.OneCycleLR(optimizer, max_lr=args.lr, total_steps={steps}, cycle_momentum={cycle})"
    if s.schedule == "plateau":
        return f"scheduler = {lr}.ReduceLROnPlateau(optimizer, factor=GAMMA, patience=PLATEAU_PATIENCE)"
    return DROP


_KL_HOOKS = """for layer in model.modules():
        if isinstance(layer, Reparameterize):
            layer.register_forward_hook(remember_kl)"""


def _objective(facts: ModelFacts, objective: Objective, s: TrainingSettings) -> str:
    """compute_loss (and count_correct, the KL hook, initialize) for this project."""
    single = facts.outputs == 1
    name = "output" if single else "outputs"
    parts = []
    if s.init != "default":
        parts.append(_initialize(s.init))
    if objective.kl_modules:
        parts.append(_KL_HOOK)
    terms, docs = [], []
    for head in objective.heads:
        out = name if single else f"{name}[{head.index}]"
        term = _head_loss(head, out, facts.output_ranks[head.index], facts.target_rank)
        terms.append(term if head.weight == 1.0 else f"{head.weight!r} * {term}")
        compared = {"classes": "the class ids", "binary": "the 0/1 class ids", "values": "the targets",
                    "input": "the clean input"}[head.target]
        docs.append(f"{_WORDS[head.loss]} of the output {head.name!r} against {compared}"
                    + (f", weighted {head.weight!r}" if head.weight != 1.0 else ""))
    if objective.kl_modules:
        terms.append("KL_BETA * sum(kl_terms)")
        docs.append("KL_BETA times the KL terms of the Reparameterize layers (the negative ELBO of a VAE)")
    loss_lines = ["    loss = " + " + ".join(terms)] if len(" + ".join(terms)) < 80 else \
        ["    loss = " + terms[0], *(f"    loss = loss + {t}" for t in terms[1:])]
    if objective.kl_modules:
        loss_lines.append("    kl_terms.clear()")
    annotation = "torch.Tensor" if single else "tuple[torch.Tensor, ...]"
    doc = textwrap.fill(f'"""The project\'s loss: {"; ".join(docs)}."""', width=96, initial_indent="    ",
                        subsequent_indent="    ")
    compute = "\n".join([
        f"def compute_loss({name}: {annotation}, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:",
        doc,
        *loss_lines,
        "    return loss",
    ])
    parts.append(compute)
    primary = objective.primary
    if primary.target in ("classes", "binary"):
        out = name if single else f"{name}[{primary.index}]"
        parts.append(_count_correct(primary, name, out, facts.output_ranks[primary.index], facts.target_rank, single))
    return "\n\n\n".join(parts)


def _head_loss(head: Head, out: str, out_rank: int, target_rank: int) -> str:
    f = _FUNCTIONS[head.loss]
    if head.target == "classes":
        if head.class_axis == -1 and out_rank == 2 and target_rank == 1:
            return f"{f}({out}, y)"
        scores = f"{out}.movedim(1, -1)" if head.class_axis == 1 else out
        return f"{f}({scores}.reshape(-1, {out}.shape[{head.class_axis}]), y.reshape(-1))"
    if head.target == "binary":
        return f"{f}({out}, y.reshape({out}.shape).float())"
    target = "x" if head.target == "input" else "y"
    return f"{f}({out}, {target}.reshape({out}.shape).float())"


def _count_correct(head: Head, name: str, out: str, out_rank: int, target_rank: int, single: bool) -> str:
    annotation = "torch.Tensor" if single else "tuple[torch.Tensor, ...]"
    if head.target == "binary":
        body = f"    predicted = {out}.reshape(y.shape) > 0  # a positive logit is class 1\n    return int((predicted == (y > 0)).sum())"
    elif head.class_axis == -1 and out_rank == 2 and target_rank == 1:
        body = f"    return int(({out}.argmax(-1) == y).sum())"
    else:
        scores = f"{out}.movedim(1, -1)" if head.class_axis == 1 else out
        body = f"    return int(({scores}.argmax(-1).reshape(-1) == y.reshape(-1)).sum())"
    return "\n".join([
        f"def count_correct({name}: {annotation}, y: torch.Tensor) -> int:",
        f'    """How many predictions of the output {head.name!r} (its highest score) are the right class."""',
        body,
    ])


_KL_HOOK = '''# The KL terms of the Reparameterize layers, caught as the layers run, for compute_loss. In
# eval mode a layer gives its mean without a KL term, so the hook computes it from the inputs.
kl_terms: list[torch.Tensor] = []


def remember_kl(layer: torch.nn.Module, inputs: tuple[torch.Tensor, torch.Tensor], output: torch.Tensor) -> None:
    mean, logvar = inputs
    kl_terms.append(layer.beta * kl_divergence(mean, logvar))'''


def _initialize(how: str) -> str:
    call = {"kaiming": 'nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")',
            "xavier": "nn.init.xavier_uniform_(layer.weight)",
            "orthogonal": "nn.init.orthogonal_(layer.weight)"}[how]
    return "\n".join([
        "def initialize(model: nn.Module) -> None:",
        f'    """The project\'s {how} initialisation of every Linear and convolution weight, with zero biases."""',
        "    for layer in model.modules():",
        "        if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)):",
        f"            {call}",
        "            if layer.bias is not None:",
        "                nn.init.zeros_(layer.bias)",
    ])
