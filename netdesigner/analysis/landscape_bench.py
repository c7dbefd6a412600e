"""The loss landscape's cost, for ``netdesigner bench`` (not a timed test).

Two ratios for a 41×41 surface, each measured in the same run on the same evaluation batch:
- against 1,681 plain forward passes (with the loss) of the model over that batch: the floor
  any method pays; target ≤ 1.2, i.e. no overhead beyond the passes themselves;
- against the naive loop a person writes: load θ + αd₁ + βd₂ into the model, forward, read
  the loss; target ≥ 1 on a CPU.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def measure_landscape(example: str, batch: int, grid: int = 41) -> dict[str, Any]:
    import torch

    from netdesigner.analysis.landscape import (
        evaluation_batch,
        filter_normalized_direction,
        loss_fn_for,
        private_copy,
        surface,
    )
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.trainer import Trainer

    project = Project.load(PROJECTS / example)
    settings = replace(project.training, device="cpu", amp="off", data_parallel=False)
    splits = load_project_data(project)
    trainer = Trainer(project.compile(), splits, settings, graph=project.graph)
    loss_fn = loss_fn_for(trainer.objective)
    x, y = evaluation_batch(splits, "all", batch, seed=0)
    state = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    points = grid * grid

    found = surface(trainer.module, state, loss_fn, x, y, grid=grid, span=1.0, seed=0)
    ours = found.seconds

    model = private_copy(trainer.module, state)
    started = time.perf_counter()
    for _ in range(points):
        loss_fn(model, x, y)
    forward = time.perf_counter() - started

    generator = torch.Generator().manual_seed(0)
    names = {n for n, _ in model.named_parameters()}
    d1 = filter_normalized_direction(state, generator, only=names)
    d2 = filter_normalized_direction(state, generator, only=names)
    alphas = torch.linspace(-1, 1, grid)
    naive_model = private_copy(trainer.module, state)
    started = time.perf_counter()
    for a in alphas:
        for b in alphas:
            naive_model.load_state_dict({k: state[k] + a * d1[k] + b * d2[k] if state[k].is_floating_point() else state[k]
                                         for k in state})
            loss_fn(naive_model, x, y)
    naive = time.perf_counter() - started
    return {"example": example, "grid": grid, "batch": len(x), "surface_s": ours, "forward_passes_s": forward,
            "naive_loop_s": naive, "ratio_to_forward_passes": ours / forward, "speedup_over_naive": naive / ours}


def print_landscape_figures(results: list[dict[str, Any]]) -> None:
    print("\nloss landscape (CPU, per-point loop on a private copy; one run each)")
    for r in results:
        print(f"  {r['example']:18} {r['grid']}×{r['grid']} at batch {r['batch']}: {r['surface_s']:.2f} s; "
              f"{r['grid'] ** 2:,} forward passes {r['forward_passes_s']:.2f} s → ratio {r['ratio_to_forward_passes']:.2f} "
              f"(target ≤ 1.2: {'met' if r['ratio_to_forward_passes'] <= 1.2 else 'MISSED'}); naive loop {r['naive_loop_s']:.2f} s "
              f"→ {r['speedup_over_naive']:.2f}× (target ≥ 1: {'met' if r['speedup_over_naive'] >= 1 else 'MISSED'})")
