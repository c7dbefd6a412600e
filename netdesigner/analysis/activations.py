"""What every layer does over a run: histograms of its outputs and of its weights per epoch,
and its gradient norm per epoch, for heat-maps with the epoch on one axis and the value on
the other (vanishing or exploding gradients, dying ReLUs, weights that drift or blow up).

One snapshot of one layer is ``layer_outputs`` (forward hooks on a private copy); this module
keeps the picture *over time*. ``LayerHistory.record`` is meant to run once per epoch, from
the trainer's ``EpochEnd`` (``LayerHistory.follow`` wires that up): it reads a weight snapshot
and runs one small fixed batch through a private copy, so the module being trained is never
touched (DESIGN rule 6). It costs a copy of the model, one forward pass of that batch on the
CPU and a few ns per value binned: 0.04 s for ResNet-18's 11.7 M weights, but 2 s for its
outputs on 32 images of 224×224 (260 M values), so give it a small batch.

Bins. A heat-map needs the same bins in every row, but the first epoch cannot know how far
the values will spread. So the bins of a ``Histograms`` are a grid of equal width anchored
at zero (edges k·step, zero always an edge, which puts a ReLU's zeros in one bin), with the
step chosen from the first record to span its values in about ``bins`` bins (rounded up to
1, 2, 2.5 or 5 × 10ⁿ). A later record outside the grid extends it by whole bins, earlier rows
counting zero there; when more than ``max_bins`` bins would be needed the step doubles and
neighbouring bins of every earlier row are summed, which is exact because the grid is
anchored. Nothing is ever clipped: each row sums to the number of finite values recorded
(non-finite ones are counted apart, in ``nonfinite``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

    from netdesigner.train.trainer import Trainer


def _nice_step(width: float, bins: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``width / bins`` (a width of zero: as if 1 or
    the value's own size, so a constant such as a fresh BatchNorm weight still gets bins)."""
    raw = min(width, 1e300) / bins  # finite values can still be infinitely far apart
    exponent = math.floor(math.log10(raw))
    for mantissa in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = mantissa * 10.0 ** exponent
        if step >= raw * (1 - 1e-12):
            return step
    return 10.0 ** (exponent + 1)  # not reached


@dataclass
class Histograms:
    """Counts of one quantity's values per record, on shared bins: ``counts[i]`` is the
    histogram of record ``i`` (epoch ``epochs[i]``) over ``edges``; see the module's doc for
    how the bins grow."""

    bins: int = 50  # about this many bins span the first record
    max_bins: int = 200  # above this the step doubles
    epochs: list[int] = field(default_factory=list)
    nonfinite: list[int] = field(default_factory=list)  # NaN or ±inf values per record
    step: float | None = None  # None until a record had a finite value
    first: int = 0  # the lowest edge is first · step
    _counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64), repr=False)

    @property
    def counts(self) -> np.ndarray:
        """records × bins, int64: the heat-map."""
        return self._counts

    @property
    def edges(self) -> np.ndarray:
        """bins + 1 edges (float64); empty before the first finite value."""
        if self.step is None:
            return np.zeros(0)
        return (self.first + np.arange(self._counts.shape[1] + 1)) * self.step

    def add(self, epoch: int, values: np.ndarray) -> None:
        """Appends the histogram of ``values`` (any shape) as the row of ``epoch``."""
        v = np.asarray(values)
        v = v.astype(np.float32 if v.dtype == np.float32 else np.float64, copy=False).ravel()  # no copy for float32
        finite = np.isfinite(v)
        self.epochs.append(int(epoch))
        bad = int(v.size - np.count_nonzero(finite))
        self.nonfinite.append(bad)
        if bad:
            v = v[finite]
        if v.size == 0:
            self._counts = np.vstack([self._counts, np.zeros((1, self._counts.shape[1]), np.int64)])
            return
        low, high = float(v.min()), float(v.max())
        if self.step is None:
            self.step = _nice_step(high - low if high > low else max(abs(low), 1.0), self.bins)
            self.first = math.floor(low / self.step)
        while True:  # in floats, so that a value far off the grid cannot overflow an integer
            lo = min(float(self.first), math.floor(low / self.step))
            hi = max(float(self.first + self._counts.shape[1]), math.floor(high / self.step) + 1.0)
            if hi - lo <= self.max_bins:
                break
            self._coarsen()
        lo_i, hi_i = int(lo), int(hi)
        self._pad(self.first - lo_i, hi_i - (self.first + self._counts.shape[1]))
        self.first = lo_i
        if abs(self.first) > 2 ** 14:  # far from zero float32 cannot tell the bins apart
            v = v.astype(np.float64)
        scaled = v * v.dtype.type(1 / self.step)
        scaled -= v.dtype.type(self.first)  # ≥ 0 up to rounding, so truncation is the floor
        index = scaled.astype(np.int64)
        np.clip(index, 0, self._counts.shape[1] - 1, out=index)  # rounding at the outer edges
        row = np.bincount(index, minlength=self._counts.shape[1]).astype(np.int64)
        self._counts = np.vstack([self._counts, row[None]])

    def heat_map(self) -> tuple[np.ndarray, np.ndarray]:
        """(image, epochs) for drawing: ``image`` is bins × epochs (value up, epoch across),
        one column per epoch from the first record to the last, each showing the latest record
        at or before it (views record when their budget allows, not every epoch); each column
        is log(1 + count) over its largest, so a column's tails stay visible beside its peak
        and an early epoch is as readable as a late one."""
        if not self.epochs or self.step is None:
            return np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
        order = np.argsort(np.asarray(self.epochs), kind="stable")
        recorded = np.asarray(self.epochs)[order]
        rows = np.log1p(self._counts[order].astype(np.float64))
        peak = rows.max(axis=1, keepdims=True)
        rows = np.divide(rows, peak, out=np.zeros_like(rows), where=peak > 0)
        epochs = np.arange(recorded[0], recorded[-1] + 1)
        latest = np.searchsorted(recorded, epochs, side="right") - 1
        return rows[latest].T, epochs

    def _pad(self, left: int, right: int) -> None:
        if left > 0 or right > 0:
            self._counts = np.pad(self._counts, ((0, 0), (max(left, 0), max(right, 0))))

    def _coarsen(self) -> None:
        """Doubles the step, summing neighbouring bins of every row (exact: the grid is
        anchored at zero, so after evening out ``first`` each new bin is two old ones)."""
        assert self.step is not None
        if self.first % 2:
            self._pad(1, 0)
            self.first -= 1
        if self._counts.shape[1] % 2:
            self._pad(0, 1)
        rows, width = self._counts.shape
        self._counts = self._counts.reshape(rows, width // 2, 2).sum(axis=2)
        self.first //= 2
        self.step *= 2


@dataclass
class LayerHistory:
    """Per layer, per recorded epoch: a histogram of its outputs on a fixed batch (``outputs``,
    keyed by node name), of each of its parameters (``weights``, keyed by state key such as
    ``fc1.weight``), and its gradient norm (``grad_norms``, node name → epoch → norm, from the
    trainer's ``EpochEnd.grad_norms``).

    ``names`` limits the layers whose outputs are recorded (default: every submodule, which
    the compiler names after the graph's nodes).
    """

    bins: int = 50
    max_bins: int = 200
    names: list[str] | None = None
    outputs: dict[str, Histograms] = field(default_factory=dict)
    weights: dict[str, Histograms] = field(default_factory=dict)
    grad_norms: dict[str, dict[int, float]] = field(default_factory=dict)

    def record(self, epoch: int, module: torch.nn.Module, state: Mapping[str, torch.Tensor], x: Any,
               grad_norms: Mapping[str, float] | None = None) -> None:
        """One row for every layer: ``state`` (a snapshot: read, never written) loaded into a
        private copy of ``module`` on the CPU, the batch ``x`` (the same every epoch, or the
        rows move for reasons other than learning; a sequence of batches for a model of
        several inputs) run through it once.

        Unlike ``layer_outputs.capture``, which keeps every output to be drawn, each output is
        binned inside its hook and dropped, so the memory is one layer's output, not the
        whole network's (a gigabyte for ResNet-18 on 32 images of 224×224). An unknown name
        in ``names`` raises ``KeyError`` listing the known ones."""
        import torch

        from netdesigner.analysis.landscape import private_copy

        model = private_copy(module, dict(state), device="cpu")
        children = dict(model.named_children())
        wanted = list(children) if self.names is None else list(self.names)
        unknown = [n for n in wanted if n not in children]
        if unknown:
            raise KeyError(f"no layer named {', '.join(unknown)}; the layers are: {', '.join(children)}")

        def binned(name: str) -> Any:
            def hook(_module: Any, _inputs: Any, out: Any) -> None:
                while isinstance(out, (tuple, list)) and out:  # recurrent layers may give tuples
                    out = out[0]
                if isinstance(out, torch.Tensor):
                    self._series(self.outputs, name).add(epoch, out.detach().float().numpy())
            return hook

        handles = [children[name].register_forward_hook(binned(name)) for name in wanted]
        try:
            with torch.no_grad():
                model(*(b.detach().to("cpu") for b in ([x] if isinstance(x, torch.Tensor) else x)))
        finally:
            for handle in handles:
                handle.remove()
        parameters = {name for name, _ in module.named_parameters()}
        for key, tensor in state.items():
            if key in parameters and tensor.is_floating_point():
                self._series(self.weights, key).add(epoch, tensor.detach().float().cpu().numpy())
        if grad_norms:
            self.add_grad_norms(epoch, grad_norms)

    def add_grad_norms(self, epoch: int, norms: Mapping[str, float]) -> None:
        """Keeps ``EpochEnd.grad_norms`` (node name → L2 norm at the epoch's last batch)."""
        for name, value in norms.items():
            self.grad_norms.setdefault(name, {})[int(epoch)] = float(value)

    def grad_norm_table(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(epochs, layer names, norms epochs × layers) for a plot of norms over time; NaN
        where a layer has no norm that epoch (no gradient yet, or added later)."""
        epochs = sorted({e for per in self.grad_norms.values() for e in per})
        names = list(self.grad_norms)
        table = np.full((len(epochs), len(names)), np.nan)
        row = {e: i for i, e in enumerate(epochs)}
        for j, name in enumerate(names):
            for e, value in self.grad_norms[name].items():
                table[row[e], j] = value
        return np.asarray(epochs, dtype=np.int64), names, table

    def to_npz(self, path: Any) -> None:
        """Plain arrays, no pickle: for each layer ``outputs/NAME/{counts,edges,epochs,nonfinite}``,
        for each parameter ``weights/KEY/…`` the same, and ``grad_norms/{epochs,names,table}``
        (``grad_norm_table``)."""
        arrays: dict[str, np.ndarray] = {}
        for group, table in (("outputs", self.outputs), ("weights", self.weights)):
            for key, series in table.items():
                arrays[f"{group}/{key}/counts"] = series.counts
                arrays[f"{group}/{key}/edges"] = series.edges
                arrays[f"{group}/{key}/epochs"] = np.asarray(series.epochs, dtype=np.int64)
                arrays[f"{group}/{key}/nonfinite"] = np.asarray(series.nonfinite, dtype=np.int64)
        epochs, names, table = self.grad_norm_table()
        arrays.update({"grad_norms/epochs": epochs, "grad_norms/names": np.asarray(names, dtype=str),
                       "grad_norms/table": table})
        np.savez(path, **arrays)

    def follow(self, trainer: Trainer, x: Any) -> None:
        """Records after every epoch of ``trainer``'s runs (a listener on the training thread:
        a snapshot, one forward pass of ``x``, the gradient norms the event carries)."""
        from netdesigner.train.events import EpochEnd

        def listener(event: Any) -> None:
            if isinstance(event, EpochEnd):
                self.record(event.epoch, trainer.module, trainer.snapshot(), x, event.grad_norms)

        trainer.add_listener(listener)

    def _series(self, table: dict[str, Histograms], key: str) -> Histograms:
        if key not in table:
            table[key] = Histograms(self.bins, self.max_bins)
        return table[key]

