"""CSV files: the happy paths, and one clear message naming the file and row for each bad file."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from netdesigner.core.errors import DataError
from netdesigner.data.registry import load_dataset
from netdesigner.data.splits import Task


def _write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _numeric_table(tmp_path, n=60):
    rng = np.random.default_rng(0)
    a = rng.normal(5, 2, n)
    b = rng.normal(-3, 0.5, n)
    label = (a > 5).astype(int)
    lines = ["a,b,label"] + [f"{x:.6f},{y:.6f},{c}" for x, y, c in zip(a, b, label, strict=True)]
    return _write(tmp_path, "\n".join(lines) + "\n"), a, b, label


def test_a_numeric_table_with_a_0_1_last_column_is_classification(tmp_path):
    path, a, b, label = _numeric_table(tmp_path)
    splits = load_dataset("csv", {"path": str(path)})
    info = splits.info
    assert info.task is Task.CLASSIFICATION and info.num_classes == 2 and info.class_names == ("0", "1")
    assert info.input_shape == (2,) and info.feature_names == ("a", "b")
    assert splits.train.x.dtype == torch.float32 and splits.train.y.dtype == torch.int64
    assert len(splits.train) + len(splits.val) + len(splits.test) == 60


def test_features_are_standardised_with_training_statistics(tmp_path):
    path, a, b, label = _numeric_table(tmp_path)
    splits = load_dataset("csv", {"path": str(path)}, seed=2)
    train = splits.train.x.double()
    assert torch.allclose(train.mean(0), torch.zeros(2, dtype=torch.double), atol=1e-5)
    assert torch.allclose(train.std(0, unbiased=False), torch.ones(2, dtype=torch.double), atol=1e-4)
    mean = np.array(splits.extra["x_mean"])
    assert not np.allclose(mean, [a.mean(), b.mean()], atol=1e-9)  # not the whole file's statistics
    # the validation rows are scaled with the training statistics: map them back to the file's values
    val = splits.val.x.double().numpy() * np.array(splits.extra["x_std"]) + mean
    file_rows = np.stack([a, b], axis=1)
    nearest = np.abs(val[:, None, :] - file_rows[None]).max(axis=2).min(axis=1)
    assert nearest.max() < 1e-4


def test_a_text_target_becomes_named_classes_and_a_named_column_is_the_target(tmp_path):
    rows = ["colour,size,weight"] + [f"{c},{s},{w}" for c, s, w in
                                      [("red", 1, 2.5), ("green", 2, 3.0), ("blue", 3, 1.0), ("red", 4, 2.0)] * 5]
    path = _write(tmp_path, "\n".join(rows))
    splits = load_dataset("csv", {"path": str(path), "target": "colour"})
    assert splits.info.task is Task.CLASSIFICATION
    assert splits.info.class_names == ("blue", "green", "red")
    assert splits.info.feature_names == ("size", "weight")


def test_many_distinct_numbers_are_a_regression_target_unless_told(tmp_path):
    rows = ["x,y"] + [f"{i},{i * 1.5 + 0.25}" for i in range(40)]
    path = _write(tmp_path, "\n".join(rows))
    splits = load_dataset("csv", {"path": str(path)})
    assert splits.info.task is Task.REGRESSION and splits.info.target_shape == (1,)
    assert splits.train.y.shape[1:] == (1,) and splits.train.y.dtype == torch.float32
    back = splits.train.y.double() * splits.extra["y_std"][0] + splits.extra["y_mean"][0]
    assert np.allclose(sorted(back.numpy().ravel()) [0] % 1.5, 0.25, atol=1e-4)
    rows = ["x,y"] + [f"{i},{i % 3}" for i in range(30)]
    forced = load_dataset("csv", {"path": str(_write(tmp_path, "\n".join(rows), "b.csv")), "task": "regression"})
    assert forced.info.task is Task.REGRESSION


def test_a_text_feature_column_is_one_hot_encoded(tmp_path):
    rows = ["city,size,label"] + [f"{c},{s},{s % 2}" for c, s in zip(["Oslo", "Rome", "Lima"] * 10, range(30), strict=True)]
    splits = load_dataset("csv", {"path": str(_write(tmp_path, "\n".join(rows)))})
    assert splits.info.feature_names == ("city=Lima", "city=Oslo", "city=Rome", "size")
    one_hot = torch.cat([splits.train.x, splits.val.x])[:, :3]
    assert set(one_hot.unique().tolist()) == {0.0, 1.0} and torch.all(one_hot.sum(1) == 1)
    assert splits.extra["one_hot"] == {"city": ["Lima", "Oslo", "Rome"]}


def test_semicolons_and_blank_lines_and_quotes_are_read(tmp_path):
    rows = ['"a";"b";"c"', "", "1.5;2;0", "3;4;1", "", "5;6;0", "7;8;1", "9;1;0", "2;2;1"]
    splits = load_dataset("csv", {"path": str(_write(tmp_path, "\n".join(rows))), "delimiter": "semicolon"}, validation_fraction=0.0, test_fraction=0.0)
    assert len(splits.train) == 6 and splits.info.feature_names == ("a", "b")


def _error(tmp_path, text, **options):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_dataset("csv", {"path": str(path), **options})
    message = str(caught.value)
    assert str(path) in message
    return message


def test_a_missing_file(tmp_path):
    with pytest.raises(DataError, match=re.escape(f"{tmp_path / 'nope.csv'}: no such file")):
        load_dataset("csv", {"path": str(tmp_path / "nope.csv")})


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        load_dataset("csv", {"path": str(tmp_path)})


@pytest.mark.parametrize(("text", "options", "words"), [
    ("", {}, "the file is empty"),
    ("\n  \n", {}, "the file is empty"),
    ("a,b,c\n", {}, "has a header row but no data rows"),
    ("a,b\n1,2\n3,4\n", {"target": "label"}, "there is no column 'label'; the columns are: a, b"),
    ("a,b,c\n1,2,0\n3,4\n5,6,1\n", {}, r"row 3: has 2 values but the header \(row 1\) names 3 columns"),
    ("a,b,c\n1,2,0\n3,4,1,9\n", {}, "row 3: has 4 values"),
    ("a,b,c\n1,2,0\n3,x7,1\n5,6,1\n", {}, "row 3: column 'b' holds 'x7', which is not a number"),
    ("a,b,c\n1,2,0\n3,,1\n", {}, "row 3: column 'b' is empty"),
    ("a,b,c\n1,2,0\n3,nan,1\n", {}, "row 3: column 'b' holds nan, not a finite number"),
    ("a,a,c\n1,2,0\n", {}, "row 1: the column name 'a' appears twice"),
    ("label\n1\n0\n", {}, "it needs feature columns besides the target"),
    ("a,c\n1,x\n2,y\n3,z\n", {"task": "regression"}, "target column 'c': holds text"),
])
def test_bad_tables_give_one_message_naming_file_and_row(tmp_path, text, options, words):
    assert re.search(words, _error(tmp_path, text, **options))


def test_a_text_column_with_too_many_values_is_not_a_category(tmp_path):
    rows = ["name,label"] + [f"person{i},{i % 2}" for i in range(80)]
    assert "column 'name' holds text with 80 different values" in _error(tmp_path, "\n".join(rows))


def test_a_binary_file_is_not_a_table(tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    with pytest.raises(DataError, match="is not a text file"):
        load_dataset("csv", {"path": str(path)})
