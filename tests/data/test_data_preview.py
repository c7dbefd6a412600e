"""Previews: a few samples in a form a dialog draws, picked from the data's shape."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from netdesigner.data.preview import preview, preview_dataset
from netdesigner.data.registry import load_dataset


def test_digits_images_are_grey_8x8_in_0_1_with_their_labels():
    splits = load_dataset("digits", {})
    p = preview(splits, 5)
    assert p.kind == "image" and len(p.images) == 5
    assert all(a.shape == (8, 8) and a.min() >= 0 and a.max() <= 1 for a in p.images)
    assert p.labels == tuple(str(int(k)) for k in splits.train.y[:5])


def test_spirals_are_a_scatter_coloured_by_class():
    p = preview_dataset("spirals", {"samples": 300}, 8)
    assert p.kind == "scatter" and p.points.shape == (180, 2)
    assert set(p.point_classes.tolist()) == {0, 1} and p.class_names == ("arm 1", "arm 2")


def test_a_function_is_a_scatter_of_x_and_y_sorted_by_x():
    p = preview_dataset("function", {"noise": 0.0})
    assert p.kind == "scatter" and p.point_classes is None
    assert np.all(np.diff(p.points[:, 0]) >= 0)
    assert np.allclose(p.points[:, 1], np.sin(p.points[:, 0]), atol=1e-5)


@pytest.mark.parametrize(("name", "options", "shape"), [
    ("sine_forecast", {"window": 9}, (9,)),
    ("digits", {"layout": "sequence"}, (8, 8)),
])
def test_sequences_are_series(name, options, shape):
    p = preview_dataset(name, options, 3)
    assert p.kind == "series" and len(p.series) == 3 and p.series[0].shape == shape
    assert len(p.labels) == 3


def test_tables_have_columns_and_rows_of_text():
    p = preview_dataset("iris", {}, 4)
    assert p.kind == "table"
    assert p.columns == ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "target")
    assert len(p.rows) == 4 and all(len(r) == 5 for r in p.rows)
    assert p.rows[0][-1] in ("setosa", "versicolor", "virginica")
    float(p.rows[0][0])
    assert preview_dataset("diabetes", {}, 2).rows[0][-1].replace("-", "").replace(".", "").isdigit()


def test_previewing_imports_no_qt():
    code = (
        "import sys\n"
        "from netdesigner.data.preview import preview_dataset\n"
        "preview_dataset('digits', {}); preview_dataset('moons', {})\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
