"""The seeded train / validation / test split, stratified by class where there are classes.

A split is a function of (number of samples, labels, fractions, seed) alone, so the same
seed always gives the same split: a run can be repeated, and a model trained yesterday can be
tested today on exactly the samples it never saw.

Stratifying: each class is shuffled on its own and its samples are spread evenly over one
shared order (sample k of a class of n gets the key (k + u) / n, u uniform in [0, 1)).
Cutting that order into test, validation and train gives every part about the class
proportions of the whole, with part sizes exactly as for an unstratified split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import DataError

if TYPE_CHECKING:
    import numpy as np

MAX_FRACTION = 0.9


def check_fractions(validation_fraction: Any, test_fraction: Any) -> None:
    """A ``DataError`` unless each fraction is a number in [0, 0.9] and both leave training data."""
    for label, value in (("validation fraction", validation_fraction), ("test fraction", test_fraction)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_FRACTION:
            raise DataError(f"the {label} must be a number from 0 to {MAX_FRACTION}, got {value!r}")
    if validation_fraction + test_fraction >= 1:
        raise DataError(
            f"the validation fraction ({validation_fraction}) and the test fraction ({test_fraction}) "
            "add up to 1 or more, which leaves nothing to train on"
        )


def part_sizes(n: int, validation_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, validation, test) sizes: a part asked for gets at least one sample."""
    check_fractions(validation_fraction, test_fraction)
    n_val = max(1, round(n * validation_fraction)) if validation_fraction > 0 else 0
    n_test = max(1, round(n * test_fraction)) if test_fraction > 0 else 0
    n_train = n - n_val - n_test
    if n_train < 1:
        raise DataError(
            f"{n} samples are too few to split with validation fraction {validation_fraction} "
            f"and test fraction {test_fraction}: nothing would be left to train on"
        )
    return n_train, n_val, n_test


def split_indices(
    n: int,
    validation_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint index arrays (train, validation, test) covering ``range(n)``, each sorted.

    With ``labels`` (class ids, one per sample) the parts are stratified by class.
    """
    import numpy as np

    n_train, n_val, n_test = part_sizes(n, validation_fraction, test_fraction)
    rng = np.random.default_rng(seed)
    if labels is None:
        order = rng.permutation(n)
    else:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise DataError(f"there are {n} samples but {labels.shape[0] if labels.ndim else 0} labels")
        keys = np.empty(n)
        for cls in np.unique(labels):
            members = np.flatnonzero(labels == cls)
            shuffled = rng.permutation(members)
            ranks = np.arange(len(members)) + rng.random(len(members))
            keys[shuffled] = ranks / len(members)
        order = np.argsort(keys, kind="stable")
    test = np.sort(order[:n_test])
    val = np.sort(order[n_test:n_test + n_val])
    train = np.sort(order[n_test + n_val:])
    assert len(train) == n_train
    return train, val, test
