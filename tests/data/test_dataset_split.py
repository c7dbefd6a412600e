"""The seeded split: reproducible, disjoint, complete, stratified."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from netdesigner.core.errors import DataError
from netdesigner.data.registry import load_dataset
from netdesigner.data.split import check_fractions, part_sizes, split_indices


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    a = load_dataset("digits", {}, seed=3)
    b = load_dataset("digits", {}, seed=3)
    c = load_dataset("digits", {}, seed=4)
    for part in ("train", "val", "test"):
        assert torch.equal(getattr(a, part).x, getattr(b, part).x)
        assert torch.equal(getattr(a, part).y, getattr(b, part).y)
    assert not torch.equal(a.test.x, c.test.x)
    assert len(a.test) == len(c.test)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(5, 400),
    val=st.floats(0, 0.45),
    test=st.floats(0, 0.45),
    seed=st.integers(0, 2**31 - 1),
    classes=st.one_of(st.none(), st.integers(1, 7)),
)
def test_parts_are_disjoint_cover_everything_and_have_the_asked_sizes(n, val, test, seed, classes):
    labels = None if classes is None else np.random.default_rng(seed).integers(0, classes, n)
    try:
        sizes = part_sizes(n, val, test)
    except DataError:
        return  # too few samples for these fractions: refused, not split badly
    parts = split_indices(n, val, test, seed, labels)
    assert tuple(len(p) for p in parts) == sizes
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(n))
    assert sizes[1] == (max(1, round(n * val)) if val > 0 else 0)
    again = split_indices(n, val, test, seed, labels)
    assert all(np.array_equal(p, q) for p, q in zip(parts, again, strict=True))


def test_classification_splits_keep_the_class_proportions():
    labels = np.array([0] * 900 + [1] * 100)
    train, val, test = split_indices(1000, 0.2, 0.2, seed=1, labels=labels)
    assert (labels[val] == 1).sum() == 20 and (labels[test] == 1).sum() == 20
    assert (labels[train] == 1).sum() == 60


def test_a_rare_class_still_reaches_training():
    splits = load_dataset("iris", {}, validation_fraction=0.4, test_fraction=0.4)
    assert sorted(set(splits.train.y.tolist())) == [0, 1, 2]
    counts = torch.bincount(splits.val.y, minlength=3)
    assert counts.min() >= 19  # 60 validation samples: 20 of each species


@pytest.mark.parametrize(("val", "test"), [(0.91, 0.0), (0.0, 1.0), (0.6, 0.4), (True, 0.1), ("0.2", 0.1), (-0.01, 0.2)])
def test_fractions_are_checked(val, test):
    with pytest.raises(DataError, match="fraction"):
        check_fractions(val, test)


def test_too_few_samples_for_the_fractions_is_an_error():
    assert part_sizes(3, 0.3, 0.3) == (1, 1, 1)
    with pytest.raises(DataError, match="2 samples are too few"):
        part_sizes(2, 0.3, 0.3)


def test_zero_fractions_put_everything_in_training():
    train, val, test = split_indices(10, 0.0, 0.0, seed=0)
    assert len(train) == 10 and len(val) == 0 and len(test) == 0
