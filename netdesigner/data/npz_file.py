"""Arrays from a NumPy ``.npz`` archive: ``X`` (samples first) and ``y`` (one target per sample).

Written with ``np.savez("set.npz", X=inputs, y=targets)``. The archive is opened with
``allow_pickle=False``: an object array would need unpickling, which can run any code, so it
is refused with a message instead. ``X`` keeps its per-sample shape (an (N,) array becomes
(N, 1)); ``y`` is read as ``targets.encode_targets`` decides, or as the ``task`` option says.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import DataError
from netdesigner.core.params import Bool, Choice
from netdesigner.data.paths import existing_file
from netdesigner.data.registry import DatasetSpec, TextOption
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo
from netdesigner.data.targets import FLOAT32_MAX, TASKS, encode_targets

if TYPE_CHECKING:
    import numpy as np

# what NumPy and zipfile raise for a damaged archive: NotImplementedError for a compression or
# encryption zipfile lacks, RecursionError for a header nested too deep, MemoryError for a header
# that declares a shape larger than memory (NumPy allocates before it finds the data missing)
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, NotImplementedError,
                RecursionError, MemoryError)


def load_npz(o: dict[str, Any]) -> Samples:
    import numpy as np

    path = existing_file(o["path"], "npz")
    try:
        file = open(path, "rb")  # noqa: SIM115 - ours to close, also when NumPy gives up half-way
    except OSError as e:
        raise DataError(f"{path}: cannot be opened ({e.strerror or e})") from None
    with file:
        try:
            archive = np.load(file, allow_pickle=False)
        except _READ_ERRORS as e:
            if "pickle" in str(e):  # not a NumPy file at all, or a pickle: NumPy's only other reader
                raise DataError(f"{path}: cannot be read as a .npz archive (it is not one; NetDesigner never unpickles)") from None
            raise DataError(f"{path}: cannot be read as a .npz archive ({_reason(e)})") from None
        if not hasattr(archive, "files"):
            raise DataError(f"{path}: holds one array, not a .npz archive with arrays X and y (np.savez(path, X=…, y=…))")
        with archive:
            x = _array(archive, path, ("X", "x"))
            y = _array(archive, path, ("y", "Y"))
    if x.ndim == 0 or y.ndim == 0:
        raise DataError(f"{path}: X and y must have one row per sample, but {'X' if x.ndim == 0 else 'y'} is a single number")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{path}: X holds {x.dtype} values; inputs must be numbers")
    if len(x) == 0:
        raise DataError(f"{path}: X has no samples")
    for name, array in (("X", x), ("y", y)):  # checked before any per-sample work: 10^18 empty samples take no bytes
        if 0 in array.shape[1:]:
            raise DataError(f"{path}: {name} has shape {array.shape}: each sample holds no values")
    if len(x) != len(y):
        raise DataError(f"{path}: X has {len(x)} samples but y has {len(y)} labels; they must match one to one")
    x = x.reshape(len(x), 1) if x.ndim == 1 else x
    _check_values(path, x, o["input"])
    y, task, class_names = encode_targets(y, o["task"], f"{path}, array y")
    info = DataInfo(
        "npz", task, input_shape=tuple(x.shape[1:]), input_dtype=o["input"], target_shape=tuple(y.shape[1:]),
        num_classes=len(class_names) or None, class_names=class_names,
        description=f"{path.name}: {len(x)} samples of shape {tuple(x.shape[1:])}",
    )
    return Samples(x, y, info, standardise_x=o["standardise"], extra={"source": str(path)})


def _array(archive: Any, path: Path, keys: tuple[str, ...]) -> np.ndarray:
    import numpy as np

    for key in keys:
        if key in archive.files:
            try:
                array = archive[key]
            except ValueError as e:
                if "pickle" in str(e):
                    raise DataError(
                        f"{path}: array {key!r} holds Python objects, which would have to be unpickled; "
                        "NetDesigner never unpickles. Save numbers, or text as a fixed-width string array"
                    ) from None
                raise DataError(f"{path}: array {key!r} cannot be read ({_reason(e)})") from None
            except _READ_ERRORS as e:
                raise DataError(f"{path}: array {key!r} cannot be read ({_reason(e)})") from None
            if not isinstance(array, np.ndarray):  # a member without the .npy header comes back as its bytes
                raise DataError(f"{path}: {key!r} in the archive is not a NumPy array (no .npy header)")
            return array
    found = ", ".join(repr(f) for f in archive.files) or "none"
    raise DataError(f"{path}: has no array {keys[0]!r} (its arrays: {found}); save it with np.savez(path, X=…, y=…)")


def _check_values(path: Path, x: np.ndarray, dtype: str) -> None:
    import numpy as np

    flat = x.reshape(len(x), -1)
    if x.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(flat).all(axis=1))
        if bad.size:
            raise DataError(f"{path}: X sample {bad[0]} holds NaN or infinity")
    if dtype == "int64":
        # 2.0**63 overflows a float16 array's type when compared with it: the comparison is still
        # right (every float16 is below it), so the warning is noise
        with np.errstate(over="ignore"):
            below = (flat < 2.0**63).all(axis=1)
        whole = (flat == np.round(flat)).all(axis=1) & (flat >= 0).all(axis=1) & below
        bad = np.flatnonzero(~whole)
        if bad.size:
            raise DataError(f"{path}: X sample {bad[0]} is not all whole numbers from 0 to 2^63, so it cannot be "
                            "token ids (set input to float32)")
    elif x.dtype.kind in "fiu" and x.dtype.itemsize > 2:
        bad = np.flatnonzero((np.abs(flat) > FLOAT32_MAX).any(axis=1))
        if bad.size:
            raise DataError(f"{path}: X sample {bad[0]} holds a number beyond what a 32-bit float can hold "
                            f"(±{FLOAT32_MAX:.3g}); scale it, or set input to int64 for token ids")


def _reason(e: BaseException) -> str:
    if isinstance(e, MemoryError):
        return f"it declares an array larger than memory: {e}" if str(e) else "it declares an array larger than memory"
    if isinstance(e, RecursionError):
        return "its header is nested too deeply"
    return str(e) or type(e).__name__


DATASETS = (
    DatasetSpec(
        "npz", "NumPy arrays (.npz)", "Arrays X (inputs, samples first) and y (targets) from a .npz file.", "file",
        (TextOption("path", "", "the .npz file, saved with np.savez(path, X=inputs, y=targets)", browse="file", suffixes=(".npz",), required=True),
         Choice("task", "auto", TASKS, "auto: text, booleans or up to 20 distinct whole numbers are classes, other numbers regression"),
         Choice("input", "float32", ("float32", "int64"), "float32 for measurements and pixels, int64 for token ids that feed an Embedding"),
         Bool("standardise", False, "scale every input value to mean 0 and deviation 1 (training split's statistics)")),
        load_npz,
    ),
)
