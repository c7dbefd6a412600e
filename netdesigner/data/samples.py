"""All the samples of a data set before splitting, and how they become ``Splits``.

Loaders return ``Samples`` and never split or scale themselves: splitting and standardising
in one place means every data set uses the same seeded split, and the standardisation
statistics always come from the training part alone (scaling with statistics of the whole
set would leak the validation and test data into training).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import DataError
from netdesigner.data.splits import DataInfo, Split, Splits, Task

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Samples:
    """Every sample of a data set as numpy arrays, row i of ``x`` going with row i of ``y``.

    ``standardise_x``: True scales every input value position to mean 0 and deviation 1;
    a tuple scales only those columns of a (N, F) table (one-hot columns stay 0/1).
    ``standardise_y`` does the same for regression targets; the statistics go to
    ``Splits.extra`` (``x_mean``, ``x_std``, ``y_mean``, ``y_std``) so that predictions can be
    mapped back with ``y = y_std * prediction + y_mean``.
    """

    x: np.ndarray
    y: np.ndarray
    info: DataInfo
    standardise_x: bool | tuple[int, ...] = False
    standardise_y: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def split(self, validation_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0) -> Splits:
        import numpy as np

        from netdesigner.data.split import split_indices

        if len(self.x) != len(self.y):
            raise DataError(f"{self.info.name}: there are {len(self.x)} inputs but {len(self.y)} targets")
        classes = self.info.task is Task.CLASSIFICATION
        x = self.x.astype(np.int64 if self.info.input_dtype == "int64" else np.float32, copy=True)
        integer_targets = classes or (self.info.task is Task.SEQUENCE and self.y.dtype.kind in "iub")
        y = self.y.astype(np.int64 if integer_targets else np.float32, copy=True)
        parts = split_indices(len(x), validation_fraction, test_fraction, seed, y if classes else None)
        extra = dict(self.extra)
        train = parts[0]
        if self.standardise_x is not False and self.info.input_dtype != "int64":
            columns = None if self.standardise_x is True else list(self.standardise_x)
            mean, std = _standardise(x, train, columns)
            extra.update(x_mean=mean, x_std=std, standardised_columns=columns)
        if self.standardise_y and not classes:
            mean, std = _standardise(y, train, None)
            extra.update(y_mean=mean, y_std=std)
        return Splits(*(_split(x, y, idx) for idx in parts), info=self.info, extra=extra)


def _standardise(a: np.ndarray, train: np.ndarray, columns: list[int] | None) -> tuple[list[float], list[float]]:
    """Scales ``a`` in place (last axis, or the given columns) with the training rows' statistics."""
    import numpy as np

    flat = a.reshape(len(a), -1) if a.ndim > 1 else a.reshape(len(a), 1)
    cols = list(range(flat.shape[1])) if columns is None else columns
    if not cols:
        return [], []
    reference = flat[train][:, cols].astype(np.float64)
    mean = reference.mean(axis=0)
    std = reference.std(axis=0)
    std[~(std > 1e-12)] = 1.0  # a constant column stays centred instead of dividing by zero
    flat[:, cols] = ((flat[:, cols] - mean) / std).astype(flat.dtype)
    return mean.tolist(), std.tolist()


def _split(x: np.ndarray, y: np.ndarray, index: np.ndarray) -> Split:
    import numpy as np
    import torch

    return Split(torch.from_numpy(np.ascontiguousarray(x[index])), torch.from_numpy(np.ascontiguousarray(y[index])))
