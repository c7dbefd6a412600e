"""Copies of the weights: in memory (the last good and the best state) and on disk.

On disk a run keeps, in a folder the caller names, ``STEM.best.safetensors`` and
``STEM.last.safetensors`` (weights: safetensors, never pickle), ``STEM.last.optimizer.pt``
(the optimizer state: tensors, numbers and lists only, read back with
``torch.load(weights_only=True)``, which refuses anything else) and ``STEM.history.csv``
(one row per epoch). Each file is written atomically: a temporary file, then a rename.

A later run that starts from the last checkpoint's weights (Continue after reopening the
project, ``netdesigner train --continue``) resumes that optimizer state too (Adam's moments,
SGD's momentum), so it goes on where the run left off rather than with a cold optimiser.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from netdesigner.core.project import TrainingSettings
    from netdesigner.train.events import Checkpoint, EpochEnd


def checkpoint_folder(project_file: str | os.PathLike) -> Path:
    """Where a project's runs keep their checkpoints unless told otherwise: ``NAME-checkpoints``
    beside ``NAME.ndproj``, the same for the window and the CLI, so either goes on from the other."""
    path = Path(project_file).resolve()
    return path.with_name(f"{path.stem}-checkpoints")


# ---- in memory ----------------------------------------------------------------------------
def snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A copy of the state on the same device: cheap next to an epoch, and never changed by
    the optimizer afterwards (unlike ``state_dict()``, whose tensors are the live ones)."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def restore(module: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    import torch

    with torch.no_grad():
        for key, value in module.state_dict().items():
            value.copy_(state[key])


def optimizer_snapshot(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """A copy of the optimiser's state: its tensors cloned, the small rest deep-copied
    (``deepcopy`` of the whole state cost a tenth of a small model's training time)."""
    import torch

    state = optimizer.state_dict()
    tensors = {
        key: {name: value.detach().clone() if isinstance(value, torch.Tensor) else copy.deepcopy(value)
              for name, value in entry.items()}
        for key, entry in state["state"].items()
    }
    return {"state": tensors, "param_groups": copy.deepcopy(state["param_groups"])}


def is_finite(module: torch.nn.Module) -> bool:
    """True when no floating-point weight or buffer holds NaN or infinity (one host read)."""
    import torch

    flags = [torch.isfinite(v).all() for v in module.state_dict().values() if v.is_floating_point()]
    return bool(torch.stack(flags).all()) if flags else True


class BestKeeper:
    """The lowest monitored loss of a run, its epoch, its weights (when they are to be put
    back at the end) and how many epochs have passed without beating it (early stopping)."""

    def __init__(self, keep_weights: bool, patience: int) -> None:
        self.keep_weights, self.patience = keep_weights, patience
        self.loss, self.epoch, self.state, self.waited = math.inf, None, None, 0

    def update(self, loss: float, epoch: int, module: torch.nn.Module) -> bool:
        """True when ``loss`` is a new best (a NaN never is)."""
        if loss < self.loss:
            self.loss, self.epoch, self.waited = loss, epoch, 0
            if self.keep_weights:
                self.state = snapshot(module)
            return True
        self.waited += 1
        return False

    @property
    def patience_ran_out(self) -> bool:
        return self.patience > 0 and self.waited >= self.patience

    def restore(self, module: torch.nn.Module) -> None:
        if self.keep_weights and self.state is not None:
            restore(module, self.state)


# ---- on disk ------------------------------------------------------------------------------
def weights_bytes(state: dict[str, torch.Tensor]) -> bytes:
    from safetensors.torch import save

    # clone: tied weights share storage, which safetensors refuses
    return save({k: v.detach().to("cpu", copy=True).contiguous() for k, v in state.items()})


def load_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Weights written by ``CheckpointWriter`` (any safetensors file), on the CPU."""
    from safetensors.torch import load_file

    return load_file(str(path))


def load_optimizer_state(path: str | os.PathLike) -> dict[str, Any]:
    """An optimizer state for ``optimizer.load_state_dict``; a file holding anything but plain
    data (a pickled object would run code) is refused with a ``TrainingError``."""
    import pickle

    import torch

    from netdesigner.core.errors import TrainingError

    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise TrainingError(f"{path}: refused: not a plain optimizer state ({first})") from None


def resume_optimizer(writer: CheckpointWriter, module: torch.nn.Module, optimizer: torch.optim.Optimizer,
                     settings: TrainingSettings) -> tuple[torch.optim.Optimizer, str | None]:
    """(the optimiser to train with, a note for the person): the last checkpoint's optimiser
    state when training goes on from its weights (``resumable_optimizer_state``), retuned to
    today's settings; else ``optimizer`` as it is, or a fresh one when the state would not load."""
    from netdesigner.train.optim import make_optimizer, retune

    state = writer.resumable_optimizer_state(module, optimizer)
    if state is None:
        return optimizer, None
    try:
        optimizer.load_state_dict({"state": state["state"], "param_groups": state["param_groups"]})
    except (ValueError, KeyError, RuntimeError, TypeError) as e:  # nothing half-loaded is kept
        return make_optimizer(module.parameters(), settings), f"the optimiser starts fresh: its saved state could not be read ({e})"
    optimizer = retune(optimizer, module.parameters(), settings, settings)
    steps = max((int(v["step"]) for v in optimizer.state.values() if "step" in v), default=0)
    where = writer.path("optimizer").name
    return optimizer, f"the optimiser goes on from its state in {where}" + (f" (after {steps} steps)" if steps else "")


def atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, then a rename: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CheckpointWriter:
    """Writes a run's checkpoints and history into ``folder``; an ``OSError`` says it could not."""

    def __init__(self, folder: str | os.PathLike, stem: str = "model") -> None:
        self.folder = Path(folder)
        self.stem = stem

    def path(self, kind: str) -> Path:
        suffix = {"best": ".best.safetensors", "last": ".last.safetensors",
                  "optimizer": ".last.optimizer.pt", "history": ".history.csv"}[kind]
        return self.folder / f"{self.stem}{suffix}"

    def write_weights(self, kind: str, state: dict[str, torch.Tensor]) -> Path:
        path = self.path(kind)
        atomic_write(path, weights_bytes(state))
        return path

    def write_optimizer(self, optimizer: torch.optim.Optimizer) -> Path:
        """The optimizer's state, with its kind, which ``resumable_optimizer_state`` checks."""
        import torch

        buffer = io.BytesIO()
        torch.save(_to_cpu({**optimizer.state_dict(), "kind": type(optimizer).__name__}), buffer)
        path = self.path("optimizer")
        atomic_write(path, buffer.getvalue())
        return path

    def resumable_optimizer_state(self, module: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, Any] | None:
        """The last checkpoint's optimizer state when ``module`` holds exactly the last
        checkpoint's weights and ``optimizer`` is of the kind that wrote it, else None. A state
        that cannot be read is None too: training then starts with a fresh optimiser."""
        import torch

        from netdesigner.core.errors import TrainingError

        last, saved = self.path("last"), self.path("optimizer")
        if not (last.is_file() and saved.is_file()):
            return None
        try:
            weights = load_weights(last)
            state = load_optimizer_state(saved)
        except (OSError, TrainingError, ValueError, RuntimeError):
            return None
        current = module.state_dict()
        if weights.keys() != current.keys() or not all(torch.equal(weights[k], v.detach().cpu()) for k, v in current.items()):
            return None
        if not isinstance(state, dict) or state.get("kind") != type(optimizer).__name__:
            return None
        groups = optimizer.state_dict()["param_groups"]
        saved_groups = state.get("param_groups")
        if not isinstance(saved_groups, list) or [len(g["params"]) for g in groups] != [len(g.get("params", ())) for g in saved_groups]:
            return None
        return state

    def write_epoch(self, epoch: int, improved: bool, state: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer,
                    history: Sequence[EpochEnd]) -> list[Checkpoint]:
        """Everything an epoch end writes: best (if it improved), last, optimizer, history."""
        from netdesigner.train.events import Checkpoint

        self.folder.mkdir(exist_ok=True)  # the folder itself, not a missing parent
        written = []
        if improved:
            written.append(Checkpoint(str(self.write_weights("best", state)), "best", epoch))
        written.append(Checkpoint(str(self.write_weights("last", state)), "last", epoch))
        self.write_optimizer(optimizer)
        self.write_history(history)
        return written

    def write_history(self, epochs: Sequence[EpochEnd]) -> Path:
        path = self.path("history")
        atomic_write(path, history_csv(epochs).encode("utf-8"))
        return path


def history_csv(epochs: Sequence[EpochEnd]) -> str:
    """One row per epoch: losses, lr, time, every metric and every layer's gradient norm."""
    metric_keys = sorted({k for e in epochs for k in e.metrics})
    grad_keys = list(dict.fromkeys(k for e in epochs for k in e.grad_norms))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", "train_loss", "val_loss", "lr", "seconds", "samples_per_s",
                     *metric_keys, *(f"grad_norm.{k}" for k in grad_keys)])
    for e in epochs:
        writer.writerow([e.epoch, _num(e.train_loss), _num(e.val_loss), _num(e.lr), f"{e.seconds:.4f}",
                         f"{e.samples_per_s:.1f}", *(_num(e.metrics.get(k)) for k in metric_keys),
                         *(_num(e.grad_norms.get(k)) for k in grad_keys)])
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _to_cpu(obj: Any) -> Any:
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj
