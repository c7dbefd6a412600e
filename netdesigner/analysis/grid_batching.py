"""Many landscape grid points in one pass: ``torch.func.vmap`` over (α, β) of
``functional_call`` with θ + α d₁ + β d₂ as the parameters.

On a GPU a small model's forward pass leaves the device idle between kernel launches, so 1,681
points one by one cost 1,681 launches of tiny kernels; stacked K at a time they cost 1,681/K
launches of K-times larger ones: a 41×41 surface of the spirals MLP took 3.3 ms instead of
0.92 s on an H100 (PERFORMANCE.md). On a CPU the stacked pass is slower than the loop (the
cores are already busy), so ``landscape.surface`` uses this only on CUDA unless told.

Memory grows with K (K copies of the weights and of the activations), so a CUDA
out-of-memory error halves K and carries on from the same point; anything vmap cannot batch
(a layer without a batching rule, random sampling in eval mode) raises ``NotBatchable`` and
the caller falls back to the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch


class NotBatchable(Exception):  # noqa: N818 - the name says what happened
    """vmap cannot run this model's loss over stacked weights; the message says why."""


def _scored(inner: torch.nn.Module, tensor_fn: Callable[[Any, Any, Any], Any], x: Any, y: Any) -> torch.nn.Module:
    """A module whose ``forward()`` is the loss of ``inner`` on the fixed batch: what
    ``functional_call`` calls with the stacked parameters, so the whole objective (weighted
    heads, KL terms) runs batched, not only the network."""
    import torch

    class Scored(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = inner

        def forward(self) -> torch.Tensor:
            return tensor_fn(self.inner, x, y)

    return Scored()


def grid_losses(clone: torch.nn.Module, moving: Sequence[tuple[str, Any, Any, Any]],
                tensor_fn: Callable[[Any, Any, Any], Any], x: Any, y: Any, points: np.ndarray, *,
                per_pass: int, progress: Callable[[int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> tuple[np.ndarray, int]:
    """(loss at each of ``points`` (P × 2 array of (α, β)), the points per pass it ended with).

    ``clone`` is a private eval-mode copy on the device; ``moving`` lists (state key, θ, d₁, d₂)
    for every entry the directions move, all on the device; the other entries keep the
    clone's values. ``progress(done)`` after each pass; ``cancelled()`` before each, raising
    ``landscape.Cancelled``."""
    import torch
    from torch.func import functional_call, vmap

    from netdesigner.analysis.landscape import Cancelled

    scored = _scored(clone, tensor_fn, x, y)
    keys = [f"inner.{key}" for key, *_ in moving]
    thetas = [theta for _, theta, _, _ in moving]
    ones = [a for _, _, a, _ in moving]
    twos = [b for _, _, _, b in moving]

    def loss_at(alpha: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
        weights = {k: t + alpha * a + beta * b for k, t, a, b in zip(keys, thetas, ones, twos, strict=True)}
        return functional_call(scored, weights, (), strict=False)

    batched = vmap(loss_at)
    where = thetas[0].device if thetas else torch.device("cpu")
    dtype = thetas[0].dtype if thetas else torch.float32
    grid = torch.as_tensor(points, dtype=dtype, device=where)
    out = np.empty(len(points), dtype=np.float64)
    done = 0
    with torch.no_grad():
        while done < len(points):
            if cancelled is not None and cancelled():
                raise Cancelled(f"loss surface cancelled after {done} of {len(points)} points")
            chunk = grid[done:done + per_pass]
            try:
                losses = batched(chunk[:, 0], chunk[:, 1])
            except torch.cuda.OutOfMemoryError:
                if per_pass == 1:
                    raise
                per_pass = max(1, per_pass // 2)
                torch.cuda.empty_cache()
                continue
            except (RuntimeError, NotImplementedError, ValueError) as e:
                raise NotBatchable(str(e).splitlines()[0] if str(e) else type(e).__name__) from e
            out[done:done + len(chunk)] = losses.double().cpu().numpy()
            done += len(chunk)
            if progress is not None:
                progress(done)
    return out, per_pass
