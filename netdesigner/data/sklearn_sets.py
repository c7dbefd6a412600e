"""The small classic sets that ship inside scikit-learn: digits, iris, wine, breast cancer, diabetes.

They are read from the data files inside the installed scikit-learn package (nothing is
downloaded). The files are parsed here directly because ``import sklearn.datasets`` alone
costs most of a second, far more than reading the files; scikit-learn's own loaders are the
fallback should a release move the files. Tabular features are standardised with the
training split's statistics (``Samples``), digits are scaled to [0, 1] instead.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import DataError
from netdesigner.core.params import Choice
from netdesigner.data.registry import DatasetSpec
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task

if TYPE_CHECKING:
    import numpy as np

_BREAST_CANCER_FEATURES = (
    "radius", "texture", "perimeter", "area", "smoothness", "compactness",
    "concavity", "concave points", "symmetry", "fractal dimension",
)
FEATURES = {
    "iris": ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"),
    "wine": (
        "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
        "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines",
        "proline",
    ),
    "breast_cancer": tuple(
        name for pattern in ("mean {}", "{} error", "worst {}") for name in map(pattern.format, _BREAST_CANCER_FEATURES)
    ),
    "diabetes": ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"),
}
CLASSES = {
    "iris": ("setosa", "versicolor", "virginica"),
    "wine": ("class_0", "class_1", "class_2"),
    "breast_cancer": ("malignant", "benign"),
    "digits": tuple(str(d) for d in range(10)),
}
_FILES = {
    "iris": "iris.csv",
    "wine": "wine_data.csv",
    "breast_cancer": "breast_cancer.csv",
    "digits": "digits.csv.gz",
    "diabetes": "diabetes_data_raw.csv.gz",
}


def _data_dir() -> Path:
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the built-in data sets come with scikit-learn, which is not installed: pip install scikit-learn")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def read_arrays(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(features, targets) of a bundled set, as scikit-learn's ``load_NAME`` gives them
    (diabetes unscaled, as ``load_diabetes(scaled=False)``)."""
    import numpy as np

    folder = _data_dir()
    path = folder / _FILES[name]
    if not path.is_file():
        return _arrays_from_sklearn(name)
    if name == "diabetes":
        return np.loadtxt(path), np.loadtxt(folder / "diabetes_target.csv.gz")
    table = np.loadtxt(path, delimiter=",", skiprows=0 if name == "digits" else 1)
    return table[:, :-1], table[:, -1].astype(np.int64)


def _arrays_from_sklearn(name: str) -> tuple[np.ndarray, np.ndarray]:
    import sklearn.datasets

    load = getattr(sklearn.datasets, f"load_{name}")
    bunch = load(scaled=False) if name == "diabetes" else load()
    return bunch.data, bunch.target


def load_digits(o: dict[str, Any]) -> Samples:
    x, y = read_arrays("digits")
    x = (x / 16.0).astype("float32")  # pixel values are 0…16
    shape = {"image": (1, 8, 8), "sequence": (8, 8), "flat": (64,)}[o["layout"]]
    x = x.reshape((len(x), *shape))
    layout = {"image": "1×8×8 images", "sequence": "8 rows of 8 pixels (time steps × features)", "flat": "64 pixels"}[o["layout"]]
    if o["target"] == "input":
        info = DataInfo(
            "digits", Task.REGRESSION, input_shape=shape, target_shape=shape,
            description=f"1,797 handwritten digits as {layout}; the target is the input (reconstruction)",
        )
        return Samples(x, x.copy(), info)
    info = DataInfo(
        "digits", Task.CLASSIFICATION, input_shape=shape, num_classes=10, class_names=CLASSES["digits"],
        description=f"1,797 handwritten digits as {layout}, pixels scaled to [0, 1]",
    )
    return Samples(x, y, info)


def _table_loader(name: str, description: str):
    def load(o: dict[str, Any]) -> Samples:
        x, y = read_arrays(name)
        features = FEATURES[name]
        if name == "diabetes":
            info = DataInfo(
                name, Task.REGRESSION, input_shape=(len(features),), target_shape=(1,),
                feature_names=features, description=description,
            )
            return Samples(x, y.reshape(-1, 1), info, standardise_x=True, standardise_y=True)
        info = DataInfo(
            name, Task.CLASSIFICATION, input_shape=(len(features),), num_classes=len(CLASSES[name]),
            class_names=CLASSES[name], feature_names=features, description=description,
        )
        return Samples(x, y, info, standardise_x=True)

    return load


DATASETS = (
    DatasetSpec(
        "digits", "Digits (8×8)", "1,797 handwritten digits, 8×8 pixels, 10 classes (scikit-learn's copy of UCI).",
        "builtin",
        (Choice("layout", "image", ("image", "sequence", "flat"),
                "image: (1, 8, 8) for convolutions; sequence: (8, 8), rows as time steps for RNNs; flat: (64,) for dense layers"),
         Choice("target", "class", ("class", "input"),
                "class: the digit (classification); input: the image itself (regression, for autoencoders)")),
        load_digits,
    ),
    DatasetSpec(
        "iris", "Iris", "Fisher's 150 irises: 4 measurements, 3 species.", "builtin", (),
        _table_loader("iris", "150 irises, 4 measurements (standardised), 3 species"),
    ),
    DatasetSpec(
        "wine", "Wine", "178 wines from 3 cultivars, 13 chemical measurements.", "builtin", (),
        _table_loader("wine", "178 wines, 13 chemical measurements (standardised), 3 cultivars"),
    ),
    DatasetSpec(
        "breast_cancer", "Breast cancer (Wisconsin)", "569 tumours, 30 cell-nucleus features, malignant or benign.",
        "builtin", (),
        _table_loader("breast_cancer", "569 tumours, 30 features (standardised), malignant or benign"),
    ),
    DatasetSpec(
        "diabetes", "Diabetes", "442 patients, 10 baseline variables, disease progression after a year (regression).",
        "builtin", (),
        _table_loader("diabetes", "442 patients, 10 variables; target: progression after one year (both standardised)"),
    ),
)
