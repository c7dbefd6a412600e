"""The loss landscape around a set of weights: 2-D surfaces, 1-D interpolations, the plane of
a training trajectory.

- ``filter_normalized_direction``: a random direction scaled filter by filter to the weights
  (Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the Loss Landscape of Neural Nets"),
  so that surfaces of networks with different weight scales can be compared.
- ``surface``: L(θ + α d₁ + β d₂) over an N×N grid of (α, β).
- ``interpolation``: L((1−α) θ₀ + α θ₁) on a line through two weight sets (Goodfellow,
  Vinyals & Saxe 2015, "Qualitatively characterizing neural network optimization problems").
- ``trajectory_plane``: the two principal directions of a run's snapshots about its final
  weights, to draw the path the optimizer took on the surface (Li et al., section 7).

All of it reads weight *snapshots* (``Trainer.snapshot()``) and evaluates them in a private
copy of the module (``copy.deepcopy`` once per call, hooks dropped), in eval mode and under
``torch.no_grad``: the caller's module and the snapshot are never changed, so a landscape can
be drawn while training goes on. On a CPU the point-by-point loop used here is the fastest
path (PERFORMANCE.md, "Loss landscape"); on CUDA ``surface`` stacks many grid points into one
``vmap`` pass (``grid_batching``), which is what makes a live surface every epoch affordable
there.

``loss_fn(module, x, y) -> float`` is the loss to draw; ``loss_fn_for(objective)`` builds it
from the trainer's ``Objective``, so the landscape is exactly the training loss (KL terms of
variational layers included). Evaluate on one fixed batch (``evaluation_batch``): a surface
on a fresh random batch per point would be noise.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from netdesigner.train.device import device_of

if TYPE_CHECKING:
    import torch

    from netdesigner.data.splits import Splits
    from netdesigner.train.objective import Objective

State = dict[str, "torch.Tensor"]
BATCHED_POINTS = 256  # grid points per vmap pass on CUDA (halved on out-of-memory)
LossFn = Callable[[Any, Any, Any], float]


class Cancelled(Exception):  # noqa: N818 - the name says what happened
    """Raised by ``surface`` and ``interpolation`` when ``cancelled()`` turned true between two
    points; the work done so far is dropped."""


# ---- directions ------------------------------------------------------------------------------
def _filtered(state: State, only: Collection[str] | None) -> list[str]:
    """The keys a direction moves: floating-point tensors of two or more axes (weights of
    Linear, convolution, recurrent, embedding layers), restricted to ``only`` when given."""
    return [k for k, v in state.items()
            if v.is_floating_point() and v.dim() >= 2 and (only is None or k in only)]


def filter_normalized_direction(state: State, generator: torch.Generator | None = None, *,
                                only: Collection[str] | None = None) -> State:
    """A Gaussian direction with the keys and shapes of ``state``, each filter (slice along
    axis 0: a row of a Linear weight, an output channel of a convolution) rescaled to the norm
    of the same filter of the weights.

    Biases, other 1-D tensors (BatchNorm and LayerNorm weights, running statistics), integer
    buffers and keys outside ``only`` (e.g. the module's parameter names, to leave
    multi-axis buffers alone) get zeros, as in Li et al. 2018. ``generator`` (a CPU
    ``torch.Generator``) makes the direction repeatable.
    """
    import torch

    moved = set(_filtered(state, only))
    direction: State = {}
    for key, w in state.items():
        if key not in moved:
            direction[key] = torch.zeros_like(w)
            continue
        d = torch.randn(w.shape, generator=generator, dtype=torch.float64).to(w.device)
        w64 = w.detach().to(torch.float64)
        d_norm = torch.linalg.vector_norm(d.reshape(d.shape[0], -1), dim=1)
        w_norm = torch.linalg.vector_norm(w64.reshape(w64.shape[0], -1), dim=1)
        scale = (w_norm / d_norm.clamp_min(1e-12)).reshape(-1, *([1] * (d.dim() - 1)))
        direction[key] = (d * scale).to(w.dtype)
    return direction


def moved_parameter_names(module: torch.nn.Module) -> set[str]:
    """The parameters a direction may move: every one but a normalisation layer's (a
    LayerNorm over two or more axes has a weight of two axes, which is still a scale, not a
    filter; Li et al. leave normalisation parameters out)."""
    import torch

    norms = (torch.nn.modules.batchnorm._NormBase, torch.nn.LayerNorm, torch.nn.GroupNorm, torch.nn.RMSNorm)
    skipped = {f"{prefix}.{name}" if prefix else name
               for prefix, child in module.named_modules() if isinstance(child, norms)
               for name, _ in child.named_parameters(recurse=False)}
    return {name for name, _ in module.named_parameters()} - skipped


# ---- a private copy of the module --------------------------------------------------------------
def private_copy(module: torch.nn.Module, state: State | None = None,
                 device: torch.device | str | None = None) -> torch.nn.Module:
    """A deep copy of ``module`` in eval mode, with ``state`` loaded, without the forward hooks
    the original carried (the trainer's KL hooks would otherwise report into its objective
    from this copy), gradients off."""
    import torch

    clone = copy.deepcopy(module)
    for m in clone.modules():
        m._forward_hooks.clear()
        m._forward_pre_hooks.clear()
    if device is not None:
        clone.to(device)
    if state is not None:
        with torch.no_grad():
            clone.load_state_dict(state)
    for p in clone.parameters():
        p.requires_grad_(False)
    return clone.eval()


def _placed(value: Any, where: torch.device) -> Any:
    """A tensor, a sequence of them (a model of several inputs) or None, on ``where``."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return type(value)(v.to(where) for v in value)
    return value.to(where)


# ---- the loss, from the trainer's objective -------------------------------------------------------
def _objective_for(objective: Objective, module: torch.nn.Module) -> Objective:
    """A shallow copy of ``objective`` that watches ``module``'s variational layers with its own
    list of KL terms: it neither reads nor disturbs the trainer's."""
    from netdesigner.nn.probabilistic import Reparameterize

    mine = copy.copy(objective)
    mine.kl_modules = [m for m in module.modules() if isinstance(m, Reparameterize)]
    mine._kl_terms = []
    return mine


def loss_tensor_fn_for(objective: Objective) -> Callable[[Any, Any, Any], torch.Tensor]:
    """``fn(module, x, y) -> scalar tensor``: the training loss of ``module`` on (x, y) as the
    trainer computes it (weighted heads plus β·KL), differentiable, with ``module`` in whatever
    mode the caller set (eval for analysis)."""

    def fn(module: Any, x: Any, y: Any) -> torch.Tensor:
        mine = _objective_for(objective, module)
        if not mine.kl_modules:
            return mine.loss(module(x), x, y)
        with mine.watching():
            return mine.loss(module(x), x, y)

    return fn


@dataclass
class TrainingLoss:
    """``loss(module, x, y) -> float``: the training loss of ``module`` on (x, y) in eval mode,
    without gradients; what ``surface`` and ``interpolation`` take. ``tensor`` is the same as a
    differentiable tensor, which lets ``surface`` batch grid points with ``vmap``."""

    tensor: Callable[[Any, Any, Any], torch.Tensor]

    def __call__(self, module: Any, x: Any, y: Any) -> float:
        import torch

        if module.training:
            module.eval()
        with torch.no_grad():
            return float(self.tensor(module, x, y))


def loss_fn_for(objective: Objective) -> TrainingLoss:
    """The training loss of ``objective`` as ``surface`` and ``interpolation`` take it."""
    return TrainingLoss(loss_tensor_fn_for(objective))


def evaluation_batch(splits: Splits, split: str = "val", size: int = 1000, seed: int = 0,
                     device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed batch of up to ``size`` samples of one split ("train", "val", "test", or "all"
    for the three together; the training split when the one named is empty), drawn with
    ``seed``, on ``device``."""
    import torch

    if split == "all":
        parts = [p for p in (splits.train, splits.val, splits.test) if len(p)]
        xs = torch.cat([p.x.to(device) for p in parts])
        ys = torch.cat([p.y.to(device) for p in parts])
    else:
        part = getattr(splits, split)
        part = part if len(part) else splits.train
        xs, ys = part.x, part.y
    n = int(xs.shape[0])
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(n, generator=generator)[:min(size, n)].sort().values.to(xs.device)
    return xs[index].to(device), ys[index].to(device)


# ---- the surface ------------------------------------------------------------------------------
@dataclass
class Surface:
    """Losses on a grid: ``losses[i, j]`` is the loss at α = ``alphas[i]``, β = ``betas[j]``.

    On a trajectory plane, ``path`` holds the (α, β) of each weight snapshot of the run (the
    last at or near the origin) and ``explained`` the share of the path's spread each axis
    explains."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    centre_loss: float
    directions: tuple[State, State] | None = field(default=None, repr=False)
    seconds: float = 0.0
    path: np.ndarray | None = None
    explained: np.ndarray | None = None
    method: str = ""  # how the points were evaluated: one per pass, or K per vmap pass

    @property
    def minimum(self) -> tuple[float, float, float]:
        """(α, β, loss) of the lowest finite point."""
        losses = np.where(np.isfinite(self.losses), self.losses, np.inf)
        i, j = np.unravel_index(int(np.argmin(losses)), losses.shape)
        return float(self.alphas[i]), float(self.betas[j]), float(self.losses[i, j])

    def to_npz(self, path: str | Path) -> None:
        """alphas, betas, losses, centre_loss and seconds as plain arrays (no pickle; the
        directions are not saved: they are as big as the model)."""
        extra = {} if self.path is None else {"path": self.path, "explained": self.explained}
        np.savez(path, alphas=self.alphas, betas=self.betas, losses=self.losses,
                 centre_loss=np.float64(self.centre_loss), seconds=np.float64(self.seconds), **extra)

    @classmethod
    def from_npz(cls, path: str | Path) -> Surface:
        with np.load(path, allow_pickle=False) as data:
            trajectory = (data["path"], data["explained"]) if "path" in data else (None, None)
            return cls(data["alphas"], data["betas"], data["losses"], float(data["centre_loss"]),
                       None, float(data["seconds"]), *trajectory)

    def to_csv(self, path: str | Path) -> None:
        """One row per grid point: alpha,beta,loss."""
        a, b = np.meshgrid(self.alphas, self.betas, indexing="ij")
        table = np.column_stack([a.ravel(), b.ravel(), self.losses.ravel()])
        np.savetxt(path, table, delimiter=",", header="alpha,beta,loss", comments="", fmt="%.9g")


def _axis(lo: float, hi: float, grid: int) -> np.ndarray:
    values = np.linspace(lo, hi, grid)
    values[np.abs(values) < 1e-12 * max(abs(lo), abs(hi), 1.0)] = 0.0  # the centre exactly
    return values


def surface(module: torch.nn.Module, state: State, loss_fn: LossFn, x: Any, y: Any, *,
            grid: int = 21, span: float | Sequence[float] = 1.0, seed: int = 0,
            directions: tuple[State, State] | None = None,
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None,
            device: torch.device | str | None = None,
            points_per_pass: int | None = None) -> Surface:
    """L(θ + α d₁ + β d₂) for α, β on a ``grid``×``grid`` grid over [-span, span] (or over
    ``span = (α_min, α_max, β_min, β_max)``, e.g. around a trajectory's coordinates).

    ``state`` is θ (a snapshot; read, never written). ``directions`` (d₁, d₂) default to two
    filter-normalised random directions drawn from ``seed`` (the second after the first from
    one generator) over the module's parameters. ``loss_fn(module, x, y) -> float`` runs on a
    private copy of ``module`` in eval mode; the caller's module is left as it was.

    ``progress(done, total)`` is called after every point; ``cancelled()`` is asked before
    every point, and when it says yes the call raises ``Cancelled`` (nothing half-done is
    returned). The result's ``directions`` are the ones used, for drawing more on the same
    plane.

    ``points_per_pass``: grid points evaluated in one ``vmap`` pass (``grid_batching``; needs a
    ``TrainingLoss``); default ``BATCHED_POINTS`` on CUDA, 1 (the loop) elsewhere. A model vmap
    cannot batch falls back to the loop; ``Surface.method`` says which ran.
    """
    import torch

    started = time.perf_counter()
    if isinstance(span, (int, float)):
        a_lo, a_hi, b_lo, b_hi = -float(span), float(span), -float(span), float(span)
    else:
        a_lo, a_hi, b_lo, b_hi = (float(s) for s in span)
    alphas, betas = _axis(a_lo, a_hi, grid), _axis(b_lo, b_hi, grid)
    if directions is None:
        generator = torch.Generator().manual_seed(seed)
        names = moved_parameter_names(module)
        directions = (filter_normalized_direction(state, generator, only=names),
                      filter_normalized_direction(state, generator, only=names))
    d1, d2 = directions

    clone = private_copy(module, state, device)
    where = device_of(clone)
    x, y = _placed(x, where), _placed(y, where)
    live = clone.state_dict()
    moving = []  # (state key, tensor in the copy, θ, d₁, d₂) for each entry a direction moves
    for key, target in live.items():
        a, b = d1.get(key), d2.get(key)
        if (a is None and b is None) or not target.is_floating_point():
            continue
        a = torch.zeros_like(target) if a is None else a.to(where, target.dtype)
        b = torch.zeros_like(target) if b is None else b.to(where, target.dtype)
        if not (a.any() or b.any()):
            continue
        moving.append((key, target, state[key].to(where, target.dtype), a, b))

    total = grid * grid
    losses = np.empty((grid, grid), dtype=np.float64)
    done = 0
    with torch.no_grad():
        centre_loss = float(loss_fn(clone, x, y))
    per_pass = points_per_pass or (BATCHED_POINTS if where.type == "cuda" else 1)
    tensor_fn = getattr(loss_fn, "tensor", None)
    method = "one point per pass"
    if per_pass > 1 and tensor_fn is not None and moving:
        from netdesigner.analysis.grid_batching import NotBatchable, grid_losses

        a_grid, b_grid = np.meshgrid(alphas, betas, indexing="ij")
        try:
            flat, used = grid_losses(clone, [(key, theta, a, b) for key, _, theta, a, b in moving], tensor_fn, x, y, np.column_stack([a_grid.ravel(), b_grid.ravel()]),
                                     per_pass=per_pass, cancelled=cancelled,
                                     progress=None if progress is None else (lambda done: progress(done, total)))
            return Surface(alphas, betas, flat.reshape(grid, grid), centre_loss, (d1, d2), time.perf_counter() - started,
                           method=f"{used} points per vmap pass")
        except NotBatchable as e:
            method = f"one point per pass (vmap could not batch this model: {e})"
    with torch.no_grad():
        for i, alpha in enumerate(alphas):
            for j, beta in enumerate(betas):
                if cancelled is not None and cancelled():
                    raise Cancelled(f"loss surface cancelled after {done} of {total} points")
                for _, target, theta, a, b in moving:
                    torch.add(theta, a, alpha=float(alpha), out=target)
                    target.add_(b, alpha=float(beta))
                losses[i, j] = float(loss_fn(clone, x, y))
                done += 1
                if progress is not None:
                    progress(done, total)
    return Surface(alphas, betas, losses, centre_loss, (d1, d2), time.perf_counter() - started, method=method)


# ---- a line between two weight sets -------------------------------------------------------------
def interpolation(module: torch.nn.Module, start_state: State, end_state: State, loss_fn: LossFn,
                  batches: dict[str, tuple[Any, Any]], *, alphas: Sequence[float] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None,
                  device: torch.device | str | None = None) -> dict[str, np.ndarray]:
    """The loss at θ(α) = (1−α) θ₀ + α θ₁ for each α (default −0.5…1.5 in 41 steps) on each
    named batch, e.g. ``{"train": (x, y), "validation": (x, y)}``: one array per name.

    Every floating-point entry of the state is interpolated (running statistics too); integer
    buffers take θ₁'s value. Runs on a private copy of ``module``; ``progress`` and
    ``cancelled`` behave as in ``surface``.
    """
    import torch

    alphas = np.linspace(-0.5, 1.5, 41) if alphas is None else np.asarray(alphas, dtype=np.float64)
    clone = private_copy(module, end_state, device)
    where = device_of(clone)
    placed = {name: (bx.to(where), by.to(where)) for name, (bx, by) in batches.items()}
    moving = []
    for key, target in clone.state_dict().items():
        if target.is_floating_point():
            start = start_state[key].to(where, target.dtype)
            moving.append((target, start, end_state[key].to(where, target.dtype) - start))
    out = {name: np.empty(len(alphas), dtype=np.float64) for name in placed}
    total, done = len(alphas), 0
    with torch.no_grad():
        for k, alpha in enumerate(alphas):
            if cancelled is not None and cancelled():
                raise Cancelled(f"interpolation cancelled after {done} of {total} points")
            for target, start, delta in moving:
                torch.add(start, delta, alpha=float(alpha), out=target)
            for name, (bx, by) in placed.items():
                out[name][k] = float(loss_fn(clone, bx, by))
            done += 1
            if progress is not None:
                progress(done, total)
    return out


# ---- the plane of a trajectory ------------------------------------------------------------------
def trajectory_plane(states: Sequence[State], final_state: State, *,
                     keys: Collection[str] | None = None
                     ) -> tuple[State, State, np.ndarray, np.ndarray]:
    """(pc₁, pc₂, coords, explained_variance_ratio): the first two principal directions of the
    snapshots' offsets θᵢ − θ_final (flattened over ``keys``, by default every floating-point
    entry), as unit-norm state dicts (zeros elsewhere) that ``surface(directions=...)`` takes;
    each snapshot's (α, β) on that plane (N×2, the final weights at the origin); and the share
    of the offsets' spread each direction explains.

    The offsets are not centred on their mean: the plane passes through the final weights,
    which is where the surface is drawn (Li et al. 2018). Fewer than two independent offsets
    give a zero second direction with ratio 0.
    """
    import torch

    names = [k for k, v in final_state.items()
             if v.is_floating_point() and (keys is None or k in keys)]
    final = np.concatenate([final_state[k].detach().cpu().double().reshape(-1).numpy() for k in names])
    offsets = np.stack([
        np.concatenate([s[k].detach().cpu().double().reshape(-1).numpy() for k in names]) - final
        for s in states
    ]) if len(states) else np.zeros((0, final.size))
    if offsets.shape[0]:
        _, sv, vt = np.linalg.svd(offsets, full_matrices=False)
    else:
        sv, vt = np.zeros(0), np.zeros((0, final.size))
    components = np.zeros((2, final.size))
    components[:min(2, vt.shape[0])] = vt[:2]
    power = np.zeros(2)
    power[:min(2, sv.size)] = sv[:2] ** 2
    spread = float(np.sum(sv ** 2))
    ratio = power / spread if spread > 0 else np.zeros(2)
    components[power <= 0] = 0.0
    for c in components:  # a sign that reads well: the start lies at positive α and β
        if offsets.shape[0] and float(offsets[0] @ c) < 0:
            c *= -1
    coords = offsets @ components.T

    def as_state(vector: np.ndarray) -> State:
        out: State = {}
        at = 0
        for k, v in final_state.items():
            if k in names:
                n = v.numel()
                out[k] = torch.from_numpy(vector[at:at + n].reshape(tuple(v.shape)).copy()).to(v.dtype)
                at += n
            else:
                out[k] = torch.zeros_like(v)
        return out

    return as_state(components[0]), as_state(components[1]), coords, ratio


def plane_span(coords: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """(α_min, α_max, β_min, β_max) around trajectory ``coords`` and the origin, widened by
    ``margin`` of the range on each side: the ``span`` for ``surface`` on a trajectory plane."""
    pts = np.vstack([np.asarray(coords, dtype=np.float64).reshape(-1, 2), np.zeros((1, 2))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    width = np.maximum(hi - lo, 1e-6)
    lo, hi = lo - margin * width, hi + margin * width
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def trajectory_surface(module: torch.nn.Module, states: Sequence[State], final_state: State, loss_fn: LossFn,
                       x: Any, y: Any, *, grid: int = 21, margin: float = 0.25,
                       progress: Callable[[int, int], None] | None = None,
                       cancelled: Callable[[], bool] | None = None,
                       device: torch.device | str | None = None) -> Surface:
    """The surface on the plane of a training run (Li et al. 2018, section 7): the two leading
    principal directions of the snapshots ``states`` around ``final_state``, a grid spanning
    the path and the origin, and the path itself (``Surface.path``) to draw on top."""
    pc1, pc2, coords, ratio = trajectory_plane(states, final_state)
    if not ratio[0] > 0:
        raise ValueError("the weights did not move along the recorded path: train for an epoch or more first")
    found = surface(module, final_state, loss_fn, x, y, grid=grid, span=plane_span(coords, margin),
                    directions=(pc1, pc2), progress=progress, cancelled=cancelled, device=device)
    found.path, found.explained = coords, ratio
    return found
