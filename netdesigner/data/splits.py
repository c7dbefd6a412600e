"""What every data set hands the trainer: tensors split three ways, and what they are.

Data sets here are small enough to live in memory (and on the GPU whole, PERFORMANCE.md),
so a split is a pair of tensors, not a ``DataLoader``: the trainer shuffles by index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


class Task(Enum):
    """What the targets are; the trainer's loss and metrics follow from it and the Output nodes."""

    CLASSIFICATION = "classification"  # y: int64 class ids, shape (N,)
    REGRESSION = "regression"  # y: float32, shape (N, *target_shape)
    SEQUENCE = "sequence"  # y: int64 or float32 per time step, shape (N, T, ...)


@dataclass(frozen=True)
class DataInfo:
    """The facts the Input and Output nodes, the trainer and the dialogs need about a data set."""

    name: str
    task: Task
    input_shape: tuple[int, ...]  # one sample, without the batch axis
    input_dtype: str = "float32"  # "int64" for token ids
    target_shape: tuple[int, ...] = ()  # one target, without the batch axis
    num_classes: int | None = None
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    description: str = ""
    vocabulary_size: int | None = None  # int64 inputs: token ids run below this (an Embedding's num_embeddings)


@dataclass
class Split:
    """Inputs and targets of one part of the data, row i of ``x`` going with row i of ``y``."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclass
class Splits:
    train: Split
    val: Split
    test: Split
    info: DataInfo
    extra: dict = field(default_factory=dict)  # e.g. the standardisation a CSV set used
