"""The loss landscape's cost, for ``netdesigner bench`` (not a timed test).

Two ratios for a 41×41 surface, each measured in the same run on the same evaluation batch:
- against 1,681 plain forward passes (with the loss) of the model over that batch: the floor
  any method pays; target ≤ 1.2, i.e. no overhead beyond the passes themselves;
- against the naive loop a person writes: load θ + αd₁ + βd₂ into the model, forward, read
  the loss; target ≥ 1 on a CPU.

On a machine with CUDA the same two ratios are measured there too, where ``surface`` stacks
grid points into vmap passes (``grid_batching``); every timing reads the loss back to the
host (``float``), so the GPU's work is finished inside the time it is charged to.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from netdesigner.shipped_folders import projects_folder

PROJECTS = projects_folder()  # the example projects, wherever this installation has them


def measure_landscape(example: str, batch: int, grid: int = 41, device: str = "cpu") -> dict[str, Any]:
    import torch

    from netdesigner.analysis.landscape import (
        evaluation_batch,
        filter_normalized_direction,
        loss_fn_for,
        moved_parameter_names,
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
    x, y = evaluation_batch(splits, "all", batch, seed=0, device=device)
    state = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    points = grid * grid

    surface(trainer.module, state, loss_fn, x, y, grid=3, span=1.0, seed=0, device=device)  # warm-up (CUDA context, kernels)
    found = surface(trainer.module, state, loss_fn, x, y, grid=grid, span=1.0, seed=0, device=device)
    ours = found.seconds

    model = private_copy(trainer.module, state, device)
    loss_fn(model, x, y)
    started = time.perf_counter()
    for _ in range(points):
        loss_fn(model, x, y)
    forward = time.perf_counter() - started

    generator = torch.Generator().manual_seed(0)
    names = moved_parameter_names(model)
    d1 = filter_normalized_direction(state, generator, only=names)
    d2 = filter_normalized_direction(state, generator, only=names)
    alphas = torch.linspace(-1, 1, grid)
    naive_model = private_copy(trainer.module, state, device)
    on_device = {k: v.to(device) for k, v in state.items()}
    d1, d2 = ({k: v.to(device) for k, v in d.items()} for d in (d1, d2))
    started = time.perf_counter()
    for a in alphas:
        for b in alphas:
            naive_model.load_state_dict({k: v + a * d1[k] + b * d2[k] if v.is_floating_point() else v
                                         for k, v in on_device.items()})
            loss_fn(naive_model, x, y)
    naive = time.perf_counter() - started
    return {"example": example, "device": device, "method": found.method, "grid": grid, "batch": len(x), "surface_s": ours, "forward_passes_s": forward,
            "naive_loop_s": naive, "ratio_to_forward_passes": ours / forward, "speedup_over_naive": naive / ours}


def print_landscape_figures(results: list[dict[str, Any]]) -> None:
    print("\nloss landscape (on a private copy; one run each)")
    for r in results:
        print(f"  {r['device']:4} {r['example']:18} {r['grid']}×{r['grid']} at batch {r['batch']}, {r['method']}: {r['surface_s']:.3g} s; "
              f"{r['grid'] ** 2:,} forward passes {r['forward_passes_s']:.3g} s → ratio {r['ratio_to_forward_passes']:.2f} "
              f"(target ≤ 1.2: {'met' if r['ratio_to_forward_passes'] <= 1.2 else 'MISSED'}); naive loop {r['naive_loop_s']:.3g} s "
              f"→ {r['speedup_over_naive']:.2f}× (target ≥ 1: {'met' if r['speedup_over_naive'] >= 1 else 'MISSED'})")
