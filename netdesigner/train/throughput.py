"""Training speed against the obvious alternative, measured in one process (DESIGN: ratios).

The alternative is the loop a person writes by hand for a classifier: data in memory,
shuffled by index each epoch, slices as batches, cross-entropy, ``backward``, ``step`` of a
``torch.optim.Adam`` made with its defaults, no metrics and no events. The trainer does more
per batch (metric sums, events, NaN checks, a gradient-norm pass once per epoch) and steps
with PyTorch's fused Adam kernel. So two ratios are measured: against that loop (what a user
gains or loses), and against the same loop with the fused kernel too (what the trainer's
bookkeeping alone costs). ``netdesigner bench`` prints them; nothing here runs in tests.
"""

from __future__ import annotations

import copy
import statistics
import time
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.core.project import TrainingSettings
    from netdesigner.data.splits import Splits


def hand_written_epoch(module: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer: torch.optim.Optimizer,
                       batch_size: int, generator: torch.Generator) -> float:
    """One epoch of the plain loop; returns its samples per second."""
    import torch
    import torch.nn.functional as F

    started = time.perf_counter()
    order = torch.randperm(len(x), generator=generator)
    x, y = x[order], y[order]
    for i in range(0, len(x), batch_size):
        loss = F.cross_entropy(module(x[i:i + batch_size]), y[i:i + batch_size])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return len(x) / (time.perf_counter() - started)


def compare(module: torch.nn.Module, graph: Graph, splits: Splits, settings: TrainingSettings, epochs: int = 5,
            with_listener: bool = True) -> dict[str, float]:
    """Median samples/s over ``epochs`` of the trainer and of the hand-written loop, epochs
    interleaved so both meet the same machine; CPU only (the plain loop does not move data)."""
    import torch

    from netdesigner.train.trainer import Trainer

    settings = replace(settings, epochs=1, device="cpu", amp="off")
    plain, plain_fused = copy.deepcopy(module), copy.deepcopy(module)
    optimizer = torch.optim.Adam(plain.parameters(), lr=settings.learning_rate)
    optimizer_fused = torch.optim.Adam(plain_fused.parameters(), lr=settings.learning_rate, fused=True)
    generator = torch.Generator().manual_seed(0)
    listeners = [lambda event: None] if with_listener else []
    trainer = Trainer(module, splits, settings, graph=graph, listeners=listeners)
    ours, theirs, theirs_fused = [], [], []
    x, y = trainer.splits.train.x, trainer.splits.train.y
    for _ in range(epochs + 1):  # the first of each warms up
        trainer.run()
        ours.append(trainer.history[-1].samples_per_s)
        theirs.append(hand_written_epoch(plain, x, y, optimizer, settings.batch_size, generator))
        theirs_fused.append(hand_written_epoch(plain_fused, x, y, optimizer_fused, settings.batch_size, generator))
    trainer_rate = statistics.median(ours[1:])
    plain_rate, fused_rate = statistics.median(theirs[1:]), statistics.median(theirs_fused[1:])
    return {"trainer_samples_per_s": trainer_rate, "hand_written_samples_per_s": plain_rate,
            "ratio": trainer_rate / plain_rate, "hand_written_fused_samples_per_s": fused_rate,
            "ratio_to_fused": trainer_rate / fused_rate}
