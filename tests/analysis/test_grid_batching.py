"""Grid points stacked into vmap passes give the loop's losses, for every catalogue layer
type (or fall back to the loop, saying why), for the VAE's KL term too, and cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from catalog_examples import BATCH, LAYERS, TOKENS, graph_for

from netdesigner.analysis.landscape import (
    Cancelled,
    TrainingLoss,
    evaluation_batch,
    loss_fn_for,
    surface,
)
from netdesigner.core.compiler import compile_graph
from netdesigner.core.project import Project
from netdesigner.train.project_trainer import cpu_trainer_for

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
NOT_BATCHABLE = {"RNN", "LSTM", "GRU"}  # torch has no vmap rule for its fused recurrent kernels


def _first(out):
    while isinstance(out, (tuple, list)):
        out = out[0]
    if isinstance(out, dict):
        out = next(iter(out.values()))
    return out


def _mean_square(module, x, y):
    return _first(module(*x)).float().pow(2).mean()


@pytest.mark.filterwarnings("ignore:There is a performance drop")  # attention runs vmap's slow fallback, correctly
@pytest.mark.parametrize("type_name", LAYERS)
def test_every_layer_type_batches_to_the_loops_losses_or_says_why_not(type_name: str) -> None:
    g, _ = graph_for(type_name)
    module = compile_graph(g)
    torch.manual_seed(0)
    x = [torch.randint(0, TOKENS, (BATCH, *n.params["shape"])) if n.params["dtype"] == "int64"
         else torch.randn(BATCH, *n.params["shape"]) for n in g.nodes() if n.type == "Input"]
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    loss = TrainingLoss(_mean_square)
    loop = surface(module, state, loss, x, None, grid=5, span=0.5)
    batched = surface(module, state, loss, x, None, grid=5, span=0.5, points_per_pass=4)
    if not any(p.dim() > 1 for p in module.parameters()):  # directions leave biases and norms out
        assert batched.method == "one point per pass"  # nothing moves: nothing to batch
    elif type_name in NOT_BATCHABLE:
        assert batched.method.startswith("one point per pass (vmap could not batch this model")
    else:
        assert batched.method == "4 points per vmap pass", batched.method
    np.testing.assert_allclose(batched.losses, loop.losses, rtol=1e-5, atol=1e-6)
    assert batched.centre_loss == loop.centre_loss


def test_the_vaes_kl_term_is_batched_with_the_network() -> None:
    trainer = cpu_trainer_for(Project.load(PROJECTS / "vae.ndproj"))
    loss = loss_fn_for(trainer.objective)
    x, y = evaluation_batch(trainer.splits, "val", 64, 0)
    state = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    loop = surface(trainer.module, state, loss, x, y, grid=5)
    batched = surface(trainer.module, state, loss, x, y, grid=5, points_per_pass=7)  # 25 = 7 + 7 + 7 + 4
    assert batched.method == "7 points per vmap pass"
    np.testing.assert_allclose(batched.losses, loop.losses, rtol=1e-5)
    assert loop.losses[2, 2] == pytest.approx(loop.centre_loss)  # the KL counts at the centre too


def test_a_batched_surface_reports_progress_and_can_be_cancelled() -> None:
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    loss = TrainingLoss(lambda m, x, y: (m(x) - y).pow(2).mean())
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    seen: list[int] = []
    surface(module, state, loss, x, y, grid=4, points_per_pass=5, progress=lambda done, total: seen.append(done))
    assert seen == [5, 10, 15, 16]
    with pytest.raises(Cancelled, match="after 10 of 16"):
        surface(module, state, loss, x, y, grid=4, points_per_pass=5, cancelled=lambda: len(seen) >= 6,
                progress=lambda done, total: seen.append(done))
