"""Tiny real data and tiny models for the training tests (no data package needed).

Two moons (2-D, two classes) and sklearn's 8×8 digits (1,797 images, ten classes), split by
hand into ``Splits``; small graphs built with the functional builder and compiled.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import torch

from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.core.project import TrainingSettings
from netdesigner.data.splits import DataInfo, Split, Splits, Task

CPU = replace(TrainingSettings(), device="cpu")


def settings(**changes) -> TrainingSettings:
    return replace(CPU, **changes)


def three_way(x: torch.Tensor, y: torch.Tensor, info: DataInfo, val: float = 0.2, test: float = 0.2) -> Splits:
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    x, y = x[order], y[order]
    n_val, n_test = int(len(x) * val), int(len(x) * test)
    n_train = len(x) - n_val - n_test
    return Splits(Split(x[:n_train], y[:n_train]), Split(x[n_train:n_train + n_val], y[n_train:n_train + n_val]),
                  Split(x[n_train + n_val:], y[n_train + n_val:]), info)


def make_moons(n: int = 400, noise: float = 0.15) -> Splits:
    g = torch.Generator().manual_seed(1)
    t = torch.rand(n // 2, generator=g) * math.pi
    outer = torch.stack([torch.cos(t), torch.sin(t)], 1)
    inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.cat([outer, inner]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n // 2, dtype=torch.long), torch.ones(n // 2, dtype=torch.long)])
    return three_way(x, y, DataInfo("moons", Task.CLASSIFICATION, (2,), num_classes=2, class_names=("a", "b")))


def mlp_graph(inputs: int = 2, classes: int = 2, hidden: int = 16, loss: str = "cross_entropy") -> Graph:
    g = Graph()
    h = g.input((inputs,), name="x")
    h = g.add("Tanh", g.add("Linear", h, name="fc1", out_features=hidden), name="act1")
    g.output(g.add("Linear", h, name="fc2", out_features=classes), loss, name="logits")
    return g


def mlp(**kwargs) -> tuple[torch.fx.GraphModule, Graph]:
    graph = mlp_graph(**kwargs)
    return compile_graph(graph), graph


def collect() -> tuple[list, Callable]:
    events: list = []
    return events, events.append


def of(events: list, kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]
