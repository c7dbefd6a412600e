"""A table from a CSV file: the first row names the columns, one column is the target.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row
row 2 (the line number in the file). Every problem is one ``DataError`` naming the file and
the row or column.

Features: a column of numbers is standardised with the training split's statistics. A column
in which no cell is a number (e.g. "red", "green") is one-hot encoded, one 0/1 feature per
value (at most ``MAX_CATEGORIES`` values), and is not standardised. A column of numbers with
some text in it is an error naming the first such cell: that is almost always a typo or a
missing-value marker the person should decide about. Empty cells are errors for the same
reason.

Target (default: the last column): text becomes classes; numbers are classes or a regression
target as ``targets.encode_targets`` decides (or the ``task`` option says). A regression
target is standardised too; ``Splits.extra`` keeps ``y_mean`` and ``y_std`` to map
predictions back.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import DataError
from netdesigner.core.params import Choice
from netdesigner.data.paths import existing_file, read_bytes
from netdesigner.data.registry import DatasetSpec, TextOption
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo
from netdesigner.data.targets import FLOAT32_MAX, TASKS, encode_targets

if TYPE_CHECKING:
    import numpy as np

MAX_CATEGORIES = 50
_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}


def load_csv(o: dict[str, Any]) -> Samples:
    import numpy as np

    path = existing_file(o["path"], "CSV")
    header, rows, lines = read_table(path, o["delimiter"])
    target = o["target"] or header[-1]
    if target not in header:
        more = f", … ({len(header)} in all)" if len(header) > 20 else ""
        raise DataError(f"{path}: there is no column {_brief(target)}; the columns are: {', '.join(h[:60] for h in header[:20])}{more}")
    if len(header) < 2:
        raise DataError(f"{path}: has only the column {_brief(target)}; it needs feature columns besides the target")
    t = header.index(target)
    columns = list(zip(*rows, strict=True))
    features: list[np.ndarray] = []
    names: list[str] = []
    numeric: list[int] = []
    one_hot: dict[str, list[str]] = {}
    for j, name in enumerate(header):
        if j == t:
            continue
        cells = columns[j]
        _check_filled(path, name, cells, lines)
        numbers = _numbers(cells)
        if numbers is not None:
            _check_finite(path, name, numbers, lines)
            numeric.append(len(names))
            features.append(numbers[:, None])
            names.append(name)
            continue
        _check_categorical(path, name, cells, lines)
        values = sorted(set(cells))
        one_hot[name] = values
        index = {v: k for k, v in enumerate(values)}
        block = np.zeros((len(cells), len(values)))
        block[np.arange(len(cells)), [index[c] for c in cells]] = 1.0
        features.append(block)
        names.extend(f"{name}={v}" for v in values)
    cells = columns[t]
    _check_filled(path, target, cells, lines)
    numbers = _numbers(cells)
    y, task, class_names = encode_targets(
        numbers if numbers is not None else np.array(cells), o["task"], f"{path}, target column {_brief(target)}"
    )
    x = np.concatenate(features, axis=1)
    info = DataInfo(
        "csv", task, input_shape=(x.shape[1],), target_shape=tuple(y.shape[1:]),
        num_classes=len(class_names) or None, class_names=class_names, feature_names=tuple(names),
        description=f"{path.name}: {len(rows)} rows, {len(header) - 1} feature columns, target {target!r}",
    )
    extra = {"source": str(path), "target": target, "one_hot": one_hot}
    return Samples(x, y, info, standardise_x=tuple(numeric), standardise_y=True, extra=extra)


def read_table(path: Path, delimiter: str = "auto") -> tuple[list[str], list[list[str]], list[int]]:
    """(header, rows of stripped cells, each row's line number); blank lines are skipped."""
    text = _decode(path, read_bytes(path))
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    first = text.lstrip().splitlines()[0]
    sep = _DELIMITERS.get(delimiter) or max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for raw in reader:
            cells = [c.strip() for c in raw]
            if not any(cells):
                continue
            if header is None:
                header = [c or f"column {k + 1}" for k, c in enumerate(cells)]
                _check_header(path, header)
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"{path}, row {reader.line_num}: has {len(cells)} values but the header "
                    f"(row 1) names {len(header)} columns"
                )
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as e:
        raise DataError(f"{path}, row {reader.line_num}: cannot be read as CSV: {e}") from None
    if header is None or not rows:
        raise DataError(f"{path}: has a header row but no data rows")
    return header, rows, lines


def _decode(path: Path, data: bytes) -> str:
    if b"\0" in data[:8192]:
        raise DataError(f"{path}: is not a text file (is it really a CSV file?)")
    for encoding in ("utf-8-sig", "cp1252"):  # cp1252: what spreadsheets on Windows write
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _brief(text: str, limit: int = 60) -> str:
    """A cell or column name quoted for a message, cut short (a cell may hold 100,000 characters)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(f"{path}, row 1: the column name {_brief(name)} appears twice")
        seen.add(name)


def _check_filled(path: Path, name: str, cells: tuple[str, ...], lines: list[int]) -> None:
    for i, cell in enumerate(cells):
        if not cell:
            raise DataError(f"{path}, row {lines[i]}: column {_brief(name)} is empty; fill in or remove missing values")


def _numbers(cells: tuple[str, ...]) -> np.ndarray | None:
    import numpy as np

    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        return None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_finite(path: Path, name: str, numbers: np.ndarray, lines: list[int]) -> None:
    import numpy as np

    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        raise DataError(f"{path}, row {lines[bad[0]]}: column {_brief(name)} holds {numbers[bad[0]]}, not a finite number")
    bad = np.flatnonzero(np.abs(numbers) > FLOAT32_MAX)
    if bad.size:
        raise DataError(f"{path}, row {lines[bad[0]]}: column {_brief(name)} holds {numbers[bad[0]]:g}, beyond what a "
                        f"32-bit float can hold (±{FLOAT32_MAX:.3g}), which is what the network computes with")


def _check_categorical(path: Path, name: str, cells: tuple[str, ...], lines: list[int]) -> None:
    """A column that is not all numbers must be all text, with few distinct values."""
    numeric = [i for i, c in enumerate(cells) if _is_number(c)]
    if numeric:
        first_text = next(i for i, c in enumerate(cells) if not _is_number(c))
        raise DataError(
            f"{path}, row {lines[first_text]}: column {_brief(name)} holds {_brief(cells[first_text])}, which is not a number "
            f"(row {lines[numeric[0]]} holds the number {_brief(cells[numeric[0]])})"
        )
    distinct = len(set(cells))
    if distinct > MAX_CATEGORIES:
        raise DataError(
            f"{path}: column {_brief(name)} holds text with {distinct} different values (row {lines[0]}: {_brief(cells[0])}); "
            f"a feature must be numbers, or text with at most {MAX_CATEGORIES} values (one-hot encoded)"
        )


DATASETS = (
    DatasetSpec(
        "csv", "CSV file", "A table from a CSV file with a header row; one column is the target.", "file",
        (TextOption("path", "", "the CSV file; its first row names the columns", browse="file", suffixes=(".csv", ".tsv", ".txt"), required=True),
         TextOption("target", "", "name of the target column (empty: the last column)"),
         Choice("task", "auto", TASKS,
                "auto: text or up to 20 distinct whole numbers are classes, other numbers regression"),
         Choice("delimiter", "auto", ("auto", *_DELIMITERS), "what separates the cells (auto: what the header uses most)")),
        load_csv,
    ),
)
