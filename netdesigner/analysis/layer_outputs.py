"""What each layer gives out for a few samples: forward hooks on a private copy of a snapshot.

``capture`` runs one small fixed batch through a copy of the model with the snapshot's weights
(DESIGN rule 6: never the module an optimiser is changing) and keeps the outputs of the named
layers. A ``LayerOutput`` knows how to be shown: feature maps (N×C×H×W) as a grid of images,
sequences (N×T×U) as a time × unit heat map, vectors (N×U) as bars; with a histogram over the
whole batch and, after a ReLU, the share of dead units (zero for every sample), after tanh or
sigmoid the share of saturated values. ``embedding_pca`` projects a layer's outputs to 2-D.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

RELU_LIKE = {"ReLU", "ReLU6"}
SATURATING = {"Tanh": (-0.99, 0.99), "Sigmoid": (0.01, 0.99)}


class OutputKind(Enum):
    FEATURE_MAPS = "feature maps"  # N × C × H × W
    SEQUENCE = "sequence"  # N × T × U
    VECTOR = "vector"  # N × U
    OTHER = "other"


@dataclass
class LayerOutput:
    name: str
    layer_type: str  # the catalogue type (Conv2d, ReLU, …) or the module's class name
    values: np.ndarray  # batch first, float32

    @property
    def kind(self) -> OutputKind:
        return {4: OutputKind.FEATURE_MAPS, 3: OutputKind.SEQUENCE, 2: OutputKind.VECTOR}.get(self.values.ndim, OutputKind.OTHER)

    def units(self) -> np.ndarray:
        """Samples × units: a channel of feature maps or the last axis of a sequence is one unit
        (its largest value over positions or steps), a vector's entries are units."""
        v = self.values
        if v.ndim == 4:
            return v.reshape(v.shape[0], v.shape[1], -1).max(axis=2)
        if v.ndim == 3:
            return v.max(axis=1)
        return v.reshape(v.shape[0], -1)

    def histogram(self, bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
        """(counts, edges) of every finite value over the batch."""
        finite = self.values[np.isfinite(self.values)]
        if finite.size == 0:
            return np.zeros(bins, dtype=np.int64), np.linspace(0.0, 1.0, bins + 1)
        low, high = float(finite.min()), float(finite.max())
        if high <= low:
            low, high = low - 0.5, high + 0.5
        return np.histogram(finite, bins=bins, range=(low, high))

    def dead_fraction(self) -> float | None:
        """Share of units that are zero for every sample of the batch (after a ReLU), else None."""
        if self.layer_type not in RELU_LIKE:
            return None
        return float(np.mean(np.all(self.units() <= 0, axis=0)))

    def saturated_fraction(self) -> float | None:
        """Share of values in the flat tails of a tanh or sigmoid, else None."""
        limits = SATURATING.get(self.layer_type)
        if limits is None:
            return None
        low, high = limits
        return float(np.mean((self.values <= low) | (self.values >= high)))

    def describe(self) -> str:
        """One line: shape, mean ± std, and the dead or saturated share where it applies."""
        v = self.values
        text = f"{self.name} ({self.layer_type}): {tuple(v.shape[1:])} per sample, mean {v.mean():.3g} ± {v.std():.3g}"
        dead, saturated = self.dead_fraction(), self.saturated_fraction()
        if dead is not None:
            text += f", {dead:.0%} dead units"
        if saturated is not None:
            text += f", {saturated:.0%} saturated"
        return text


def _tensor_of(out: Any) -> Any:
    """The first tensor of a layer's output (recurrent layers may give tuples)."""
    import torch

    while isinstance(out, (tuple, list)) and out:
        out = out[0]
    return out if isinstance(out, torch.Tensor) else None


def layer_names(module: torch.nn.Module) -> list[str]:
    """Names of the layers ``capture`` can watch, in the model's order: its direct submodules,
    which the compiler names after the graph's nodes."""
    return [name for name, _ in module.named_children()]


def capture(module: torch.nn.Module, state: dict[str, torch.Tensor] | None, x: torch.Tensor | Sequence[torch.Tensor],
            names: Iterable[str] | None = None, types: dict[str, str] | None = None) -> dict[str, LayerOutput]:
    """The outputs of the layers ``names`` (default: all) for the batch ``x`` (a sequence of
    batches for a model of several inputs), in eval mode on a
    private copy with ``state`` loaded; ``types`` maps a layer name to its catalogue type.
    An unknown name raises ``KeyError`` listing the known ones."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    children = dict(model.named_children())
    wanted = list(children) if names is None else list(names)
    unknown = [n for n in wanted if n not in children]
    if unknown:
        raise KeyError(f"no layer named {', '.join(unknown)}; the layers are: {', '.join(children)}")
    found: dict[str, LayerOutput] = {}
    handles = []
    for name in wanted:
        kind = (types or {}).get(name, type(children[name]).__name__)

        def keep(_module: Any, _inputs: Any, out: Any, name: str = name, kind: str = kind) -> None:
            tensor = _tensor_of(out)
            if tensor is not None:
                found[name] = LayerOutput(name, kind, tensor.detach().float().cpu().numpy())

        handles.append(children[name].register_forward_hook(keep))
    try:
        with torch.no_grad():
            batches = [x] if isinstance(x, torch.Tensor) else list(x)
            model(*(b.detach().to("cpu") for b in batches))
    finally:
        for h in handles:
            h.remove()
    return {n: found[n] for n in wanted if n in found}


def feature_map_mosaic(output: LayerOutput, sample: int = 0, most: int = 64) -> np.ndarray:
    """One sample's feature maps (the first ``most`` channels) as one image, each map scaled
    to its own range (NaN gaps)."""
    from netdesigner.analysis.mosaic import tile

    if output.kind is not OutputKind.FEATURE_MAPS:
        raise ValueError(f"{output.name} gives {output.kind.value}s, not feature maps")
    return tile(output.values[sample, :most])


def embedding_pca(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N × 2 coordinates, share of variance of the two axes): the samples' outputs, flattened
    and centred, on their two leading principal directions."""
    flat = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    centred = flat - flat.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, flat.shape[1]))
    axes[:min(2, len(vt))] = vt[:2]
    total = float(np.sum(sv ** 2))
    power = np.zeros(2)
    power[:min(2, len(sv))] = sv[:2] ** 2
    return centred @ axes.T, (power / total if total > 0 else power)
