"""A few samples of a data set in a form a dialog can draw, chosen from the data's shape alone.

Qt-free (DESIGN rule 1): the dialog turns this into pixmaps, a table or a plot, and the tests
and the CLI can look at the same thing. Kinds:

* ``image``: (channels, height, width) inputs with 1 or 3 channels; ``images`` holds (H, W)
  grey or (3, H, W) colour arrays, float32 in [0, 1].
* ``scatter``: 2-D points (``points``, (M, 2)) coloured by class (``point_classes``), or a
  1-D function as (x, y) pairs.
* ``series``: (time steps, features) inputs; ``series`` holds (T,) or (T, F) arrays.
* ``table``: anything else; ``columns`` (the features, then the target) and ``rows`` of text.
  A text data set's windows are rows of their text and the character that follows.

``labels`` gives each image, series or row its target as text (the class name, or values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netdesigner.data.splits import DataInfo, Splits, Task

if TYPE_CHECKING:
    import numpy as np

KINDS = ("image", "table", "scatter", "series")


@dataclass(frozen=True)
class Preview:
    kind: str
    title: str
    labels: tuple[str, ...] = ()
    images: tuple[np.ndarray, ...] = ()
    points: np.ndarray | None = None
    point_classes: np.ndarray | None = None
    class_names: tuple[str, ...] = ()
    series: tuple[np.ndarray, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def preview(splits: Splits, count: int = 16, *, points: int = 500, part: str = "train") -> Preview:
    """Up to ``count`` samples (``points`` for a scatter) of one part: "train", "val" or "test"."""
    split = getattr(splits, part)
    info = splits.info
    x = split.x.detach().cpu().numpy()
    y = split.y.detach().cpu().numpy()
    title = info.description or info.name
    shape = tuple(info.input_shape)
    if len(shape) == 3 and shape[0] in (1, 3):
        images = tuple(_unit(a[0] if a.shape[0] == 1 else a) for a in x[:count])
        return Preview("image", title, _labels(info, y[:count]), images=images)
    if shape == (2,) or (shape == (1,) and info.task is Task.REGRESSION and tuple(info.target_shape) == (1,)):
        m = min(points, len(x))
        if shape == (2,):
            classes = y[:m] if info.task is Task.CLASSIFICATION else None
            return Preview("scatter", title, _labels(info, y[:m]), points=x[:m].astype("float32"),
                           point_classes=classes, class_names=info.class_names)
        return Preview("scatter", title, points=_pairs(x[:m], y[:m]))  # y = f(x), sorted by x
    vocabulary = splits.extra.get("vocabulary")
    if isinstance(vocabulary, str) and info.input_dtype == "int64" and len(shape) == 1:
        return _text(vocabulary, x[:count], y[:count], title)
    if len(shape) == 2 and info.input_dtype == "float32":
        series = tuple(a[:, 0] if a.shape[1] == 1 else a for a in x[:count])
        return Preview("series", title, _labels(info, y[:count]), series=series)
    return _table(info, x[:count], y[:count], title)


def preview_dataset(name: str, options: dict[str, Any] | None = None, count: int = 16) -> Preview:
    """Loads data set ``name`` (``load_dataset``) and previews its training part."""
    from netdesigner.data.registry import load_dataset

    return preview(load_dataset(name, options), count)


def _table(info: DataInfo, x: np.ndarray, y: np.ndarray, title: str) -> Preview:
    flat = x.reshape(len(x), -1)
    names = tuple(info.feature_names) if len(info.feature_names) == flat.shape[1] else tuple(
        f"x{i + 1}" for i in range(flat.shape[1])
    )
    labels = _labels(info, y)
    rows = tuple(tuple(_number(v) for v in row) + (label,) for row, label in zip(flat, labels, strict=True))
    return Preview("table", title, labels, columns=(*names, "target"), rows=rows)


def _text(vocabulary: str, x: np.ndarray, y: np.ndarray, title: str) -> Preview:
    from netdesigner.data.text_corpus import READABLE

    def shown(ids: np.ndarray) -> str:
        return "".join(READABLE.get(c, c) if c in "\n\t\r" else c for c in (vocabulary[int(k)] for k in ids))

    labels = tuple(READABLE.get(vocabulary[int(row[-1])], vocabulary[int(row[-1])]) for row in y)  # ␣ for a space
    rows = tuple((shown(window), label) for window, label in zip(x, labels, strict=True))
    return Preview("table", title, labels, columns=("text", "next character"), rows=rows)


def _labels(info: DataInfo, y: np.ndarray) -> tuple[str, ...]:
    if info.task is Task.CLASSIFICATION:
        names = info.class_names
        return tuple(names[int(k)] if int(k) < len(names) else str(int(k)) for k in y)
    out = []
    for target in y:
        values = target.reshape(-1)
        text = ", ".join(_number(v) for v in values[:4]) + (", …" if len(values) > 4 else "")
        out.append(text)
    return tuple(out)


def _unit(a: np.ndarray) -> np.ndarray:
    """Values in [0, 1] as they are, or stretched into it (standardised images)."""
    import numpy as np

    a = a.astype(np.float32)
    low, high = float(a.min()), float(a.max())
    if low >= 0.0 and high <= 1.0:
        return a
    return (a - low) / (high - low) if high > low else np.zeros_like(a)


def _pairs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    import numpy as np

    xy = np.concatenate([x.reshape(len(x), 1), y.reshape(len(y), 1)], axis=1).astype(np.float32)
    return xy[np.argsort(xy[:, 0], kind="stable")]


def _number(v: Any) -> str:
    return f"{float(v):.4g}"
