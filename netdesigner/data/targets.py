"""What a column of targets means: class labels or numbers to regress, decided once for all files.

``auto`` calls text, booleans and whole numbers with at most ``AUTO_CLASSES`` distinct values
class labels (0/1, star ratings, digit labels), and anything else a regression target. The
``task`` option overrides it either way. Classes are numbered in sorted order of their
values, and ``class_names`` keeps the values, so predictions can be shown as the file wrote
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netdesigner.core.errors import DataError
from netdesigner.data.splits import Task

if TYPE_CHECKING:
    import numpy as np

AUTO_CLASSES = 20  # the most distinct whole numbers that ``auto`` still takes for classes
MAX_CLASSES = 10_000
FLOAT32_MAX = 3.4028234663852886e38  # numpy.finfo(numpy.float32).max: inputs and targets train as float32
TASKS = ("auto", "classification", "regression")


def encode_targets(values: np.ndarray, task: str, where: str) -> tuple[np.ndarray, Task, tuple[str, ...]]:
    """(targets, task, class names): int64 class ids of shape (N,) for classification,
    float32 of shape (N, *target_shape) (a 1-D column becomes (N, 1)) for regression.

    ``where`` starts every message (the file, and the column or array).
    """
    import numpy as np

    if values.dtype.kind not in "biufUSO":  # complex, dates, raw bytes, records: no class and no number
        raise DataError(f"{where}: holds {values.dtype} values; targets must be numbers or text")
    text = values.dtype.kind in "USO"
    if task == "auto":
        task = "classification" if text or _looks_like_classes(values) else "regression"
    if task == "regression":
        if text:
            sample = next(iter(values.ravel()), "")
            raise DataError(f"{where}: holds text ({str(sample)!r}), which cannot be a regression target; choose task 'classification'")
        y = values.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(y.reshape(len(y), -1)).all(axis=1))
        if bad.size:
            raise DataError(f"{where}: target {bad[0]} is not a finite number")
        bad = np.flatnonzero((np.abs(y.reshape(len(y), -1)) > FLOAT32_MAX).any(axis=1))
        if bad.size:
            raise DataError(f"{where}: target {bad[0]} is beyond what a 32-bit float can hold (±{FLOAT32_MAX:.3g})")
        return y.reshape(len(y), -1) if y.ndim == 1 else y, Task.REGRESSION, ()
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise DataError(f"{where}: class labels must be one per sample, but the targets have shape {values.shape}")
    if not text and values.dtype.kind == "f" and not np.isfinite(values).all():
        raise DataError(f"{where}: label {int(np.flatnonzero(~np.isfinite(values))[0])} is not a finite number")
    classes, ids = np.unique(values, return_inverse=True)
    if len(classes) > MAX_CLASSES:
        raise DataError(f"{where}: has {len(classes)} different labels, more than the {MAX_CLASSES} classes allowed")
    names = tuple(_name(c) for c in classes)
    return ids.astype(np.int64).reshape(-1), Task.CLASSIFICATION, names


def _looks_like_classes(values: np.ndarray) -> bool:
    import numpy as np

    if values.dtype.kind == "b":
        return True
    if values.ndim > 2 or (values.ndim == 2 and values.shape[1] != 1) or values.dtype.kind not in "iuf":
        return False
    if values.dtype.kind == "f" and not (np.isfinite(values).all() and (values == np.round(values)).all()):
        return False
    return len(np.unique(values)) <= AUTO_CLASSES


def _name(value: object) -> str:
    # once only: a long double's item() is itself, not a Python float
    item = value.item() if hasattr(value, "item") else value
    if isinstance(item, float) and item.is_integer():
        return str(int(item))
    return str(item)
