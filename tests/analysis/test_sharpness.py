"""Hessian eigenvalue and trace from Hessian-vector products, against exact Hessians."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from netdesigner.analysis.sharpness import hessian_trace, sharpness, top_hessian_eigenvalue


class Quadratic(torch.nn.Module):
    """loss = ½ wᵀAw with A symmetric positive semi-definite and fixed: the Hessian is A."""

    def __init__(self, a: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("a", a)
        self.w = torch.nn.Parameter(torch.randn(a.shape[0], dtype=a.dtype))

    def forward(self, x):
        return 0.5 * self.w @ self.a @ self.w


def quadratic_loss(module, x, y):
    return module(x)


def matrix(n: int = 8) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    eigenvalues = torch.tensor([6.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.2, 0.0], dtype=torch.float64)[:n]
    return q @ torch.diag(eigenvalues) @ q.T


def test_top_eigenvalue_of_a_quadratic_is_the_largest_of_a() -> None:
    torch.manual_seed(0)
    a = matrix()
    value, used = top_hessian_eigenvalue(Quadratic(a), quadratic_loss, None, None, iterations=200, tol=1e-8)
    exact = float(torch.linalg.eigvalsh(a).max())
    assert value == pytest.approx(exact, rel=1e-3)
    assert 1 < used < 200


def test_trace_of_a_quadratic_is_the_trace_of_a() -> None:
    torch.manual_seed(0)
    a = matrix()
    samples = 400
    value, used, error = hessian_trace(Quadratic(a), quadratic_loss, None, None, samples=samples, tol=0.0)
    assert used == samples
    off = a - torch.diag(torch.diag(a))
    standard_error = math.sqrt(2 * float(off.square().sum()) / samples)
    assert abs(value - float(a.trace())) < 4 * standard_error
    assert error == pytest.approx(standard_error, rel=0.2)  # the spread of the samples tells it


@pytest.mark.parametrize("seed", range(5))
def test_the_trace_stops_once_its_standard_error_is_within_tolerance(seed: int) -> None:
    """The reported error bar is honest: stopped early at 5 %, the estimate is within a few
    of its standard errors, and those are about 5 % of the trace."""
    torch.manual_seed(0)
    a = matrix()
    value, used, error = hessian_trace(Quadratic(a), quadratic_loss, None, None, samples=2000, tol=0.05, seed=seed)
    assert 10 <= used < 2000 and error <= 0.05 * abs(value)
    assert abs(value - float(a.trace())) < 4 * error


def test_a_diagonal_quadratic_has_an_exact_trace() -> None:
    a = torch.diag(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    value, _, error = hessian_trace(Quadratic(a), quadratic_loss, None, None, samples=5, tol=0.0)
    assert error == 0.0
    assert value == pytest.approx(6.0, rel=1e-12)  # vᵀAv = Σ a_ii for every ±1 vector


def ce_loss(module, x, y):
    return F.cross_entropy(module(x), y)


def test_top_eigenvalue_and_trace_of_a_trained_mlp_match_its_full_hessian() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 3, dtype=torch.float64)
    y = (x[:, 0] * x[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        ce_loss(model, x, y).backward()
        optimizer.step()
    model.train()

    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def loss_of(vector):
        params, at = {}, 0
        for name, shape in zip(names, shapes, strict=True):
            n = math.prod(shape)
            params[name] = vector[at:at + n].reshape(shape)
            at += n
        return F.cross_entropy(functional_call(model, params, (x,)), y)

    hessian = torch.autograd.functional.hessian(loss_of, flat)
    eigenvalues = torch.linalg.eigvalsh(hessian)
    dominant = float(eigenvalues[eigenvalues.abs().argmax()])
    assert dominant == pytest.approx(float(eigenvalues.max()))  # at a minimum, the top one

    value, _ = top_hessian_eigenvalue(model, ce_loss, x, y, iterations=1000, tol=1e-9)
    assert value == pytest.approx(dominant, rel=1e-2)
    assert model.training  # given back in the mode it had

    samples = 3000
    trace, _, _ = hessian_trace(model, ce_loss, x, y, samples=samples, tol=0.0)
    off = hessian - torch.diag(torch.diag(hessian))
    standard_error = math.sqrt(2 * float(off.square().sum()) / samples)
    assert abs(trace - float(hessian.trace())) < 4 * standard_error

    for seed in range(5):  # as the CLI and the window report it: within 10 % every time
        found = sharpness(model, ce_loss, x, y, seed=seed)
        assert abs(found["hessian_trace"] - float(hessian.trace())) < 0.1 * float(hessian.trace()), (seed, found)
