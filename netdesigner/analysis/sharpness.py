"""How sharp the minimum is: the Hessian's dominant eigenvalue and its trace, from
Hessian-vector products (double backward), never the Hessian itself.

- ``top_hessian_eigenvalue``: power iteration, v ← Hv / ‖Hv‖, λ = vᵀHv.
- ``hessian_trace``: Hutchinson's estimator, tr H = E[vᵀHv] over Rademacher vectors v
  (Hutchinson 1989; as PyHessian computes it, Yao, Gholami, Keutzer & Mahoney 2020).

One Hessian-vector product costs about two gradients (PERFORMANCE.md, "Hessian"). The
gradient graph is built once per call and reused by every product.

``loss_fn_tensor(module, x, y)`` returns a differentiable scalar tensor; for the training
loss use ``landscape.loss_tensor_fn_for(trainer.objective)``. The module is put in eval
mode for the call (dropout off, BatchNorm on its running statistics) and given back in the
mode it had; pass a private copy (``landscape.private_copy(module, trainer.snapshot())``)
while a trainer is running. Only parameters that require gradients count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

LossTensorFn = Callable[[Any, Any, Any], "torch.Tensor"]


def _gradients(module: torch.nn.Module, loss_fn_tensor: LossTensorFn, x: Any, y: Any
               ) -> tuple[list[torch.Tensor], tuple[torch.Tensor, ...]]:
    import torch

    params = [p for p in module.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the module has no parameters that require gradients")
    loss = loss_fn_tensor(module, x, y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    return params, grads


def _hvp(params: list[torch.Tensor], grads: tuple[torch.Tensor, ...], v: list[torch.Tensor]) -> list[torch.Tensor]:
    import torch

    out = torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True, allow_unused=True)
    return [torch.zeros_like(p) if h is None else h.detach() for p, h in zip(params, out, strict=True)]


def _dot(a: list[torch.Tensor], b: list[torch.Tensor]) -> torch.Tensor:
    return sum((x * y).sum() for x, y in zip(a, b, strict=True))


class _EvalMode:
    def __init__(self, module: torch.nn.Module) -> None:
        self.module, self.was_training = module, module.training

    def __enter__(self) -> None:
        self.module.eval()

    def __exit__(self, *_: object) -> None:
        self.module.train(self.was_training)


def top_hessian_eigenvalue(module: torch.nn.Module, loss_fn_tensor: LossTensorFn, x: Any, y: Any, *,
                           iterations: int = 50, tol: float = 1e-3, seed: int = 0) -> tuple[float, int]:
    """(λ, iterations used): the Hessian's eigenvalue of largest magnitude at the module's
    weights (at a minimum, its largest one), by power iteration from a Gaussian start drawn
    with ``seed``. Stops when λ changes by less than ``tol`` relative to its last value, or
    after ``iterations``. Convergence is slow when the top two eigenvalues are close."""
    import torch

    with _EvalMode(module):
        params, grads = _gradients(module, loss_fn_tensor, x, y)
        generator = torch.Generator().manual_seed(seed)
        v = [torch.randn(p.shape, generator=generator, dtype=p.dtype).to(p.device) for p in params]
        norm = torch.sqrt(_dot(v, v))
        v = [t / norm for t in v]
        value, used = None, 0
        for used in range(1, iterations + 1):  # noqa: B007 - used after the loop
            hv = _hvp(params, grads, v)
            new = float(_dot(v, hv))
            norm = torch.sqrt(_dot(hv, hv))
            if float(norm) == 0.0:  # Hv = 0: the Hessian is zero along every direction tried
                value = 0.0
                break
            v = [t / norm for t in hv]
            if value is not None and abs(new - value) <= tol * (abs(value) + 1e-12):
                value = new
                break
            value = new
    return float(value if value is not None else 0.0), used


def hessian_trace(module: torch.nn.Module, loss_fn_tensor: LossTensorFn, x: Any, y: Any, *,
                  samples: int = 50, tol: float = 1e-2, seed: int = 0) -> tuple[float, int, float]:
    """(tr H, samples used, its standard error): Hutchinson's estimate, the mean of vᵀHv over
    Rademacher vectors v (entries ±1, drawn with ``seed``). Stops once the standard error of
    the mean, measured from the samples' spread, is at most ``tol`` of the mean (after
    ``MIN_TRACE_SAMPLES``; ``tol=0`` draws all ``samples``). So ``tol`` says how far the
    estimate may be off, which a rule on how much the mean last moved does not: that one
    stopped after 4–23 samples on a small MLP, 1–32 % away from the true trace."""
    import torch

    with _EvalMode(module):
        params, grads = _gradients(module, loss_fn_tensor, x, y)
        generator = torch.Generator().manual_seed(seed)
        total, squares, used = 0.0, 0.0, 0
        for used in range(1, samples + 1):  # noqa: B007 - used after the loop
            v = [(torch.randint(0, 2, p.shape, generator=generator) * 2 - 1).to(p.device, p.dtype) for p in params]
            value = float(_dot(v, _hvp(params, grads, v)))
            total += value
            squares += value * value
            if used >= MIN_TRACE_SAMPLES and tol > 0 and _standard_error(total, squares, used) <= tol * abs(total / used):
                break
    if used == 0:
        return 0.0, 0, math.inf
    return total / used, used, _standard_error(total, squares, used)


def _standard_error(total: float, squares: float, n: int) -> float:
    """The standard error of the mean of ``n`` values from their sum and sum of squares."""
    if n < 2:
        return math.inf
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    return math.sqrt(variance / n)


MIN_TRACE_SAMPLES = 10  # the spread of fewer says little
EIGEN_TOL, TRACE_TOL, MAX_STEPS, MAX_TRACE_SAMPLES = 1e-3, 0.05, 50, 400  # what the CLI and the window report with


def sharpness(module: torch.nn.Module, loss_fn_tensor: LossTensorFn, x: Any, y: Any, *, seed: int = 0) -> dict[str, float]:
    """Both measures as ``netdesigner landscape --sharpness`` and the landscape tab report them:
    the top eigenvalue (≤ ``MAX_STEPS`` power iterations, ``EIGEN_TOL``) and the trace
    (≤ ``MAX_TRACE_SAMPLES`` Hutchinson samples, until its standard error is ``TRACE_TOL`` of
    it), with the steps each took and the trace's standard error."""
    eigen, iterations = top_hessian_eigenvalue(module, loss_fn_tensor, x, y, iterations=MAX_STEPS, tol=EIGEN_TOL, seed=seed)
    trace, samples, error = hessian_trace(module, loss_fn_tensor, x, y, samples=MAX_TRACE_SAMPLES, tol=TRACE_TOL, seed=seed)
    return {"top_eigenvalue": eigen, "eigenvalue_iterations": iterations, "eigenvalue_tol": EIGEN_TOL,
            "hessian_trace": trace, "trace_samples": samples, "trace_tol": TRACE_TOL, "trace_standard_error": error}
