"""Every data set NetDesigner offers, by name, with typed options the window builds a form from.

A data set is declared once as a ``DatasetSpec``: its name, a title and one line for the
chooser, its options (``core.params`` declarations, plus ``TextOption`` for paths and column
names, which ``core.params`` has no kind for) and a loader. ``load_dataset`` is the single way
in for the window, the CLI and the trainer: it checks the options against the declarations,
loads, splits with a seed and standardises on the training part only.

Importing this module is cheap: the data set modules import numpy, torch and Pillow inside
their loaders, and are themselves imported only when the list is first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from netdesigner.core.errors import DataError, ParamError
from netdesigner.core.params import Param

if TYPE_CHECKING:
    from netdesigner.core.project import Project
    from netdesigner.data.samples import Samples
    from netdesigner.data.splits import Splits

KINDS = ("synthetic", "builtin", "file")

# The modules that declare data sets, in the order the chooser lists them.
_MODULES = (
    "netdesigner.data.planar",
    "netdesigner.data.functions",
    "netdesigner.data.sequences",
    "netdesigner.data.text_corpus",
    "netdesigner.data.sklearn_sets",
    "netdesigner.data.csv_file",
    "netdesigner.data.npz_file",
    "netdesigner.data.image_folder",
)


@dataclass(frozen=True)
class TextOption:
    """A text option (a file, a folder, a column name): the one kind ``core.params`` lacks.

    ``browse`` tells the form to offer a chooser ("file" or "folder"); ``suffixes`` are the
    file endings the chooser shows. It answers ``coerce`` and ``describe`` like a ``Param``, so
    code that fills a form or checks a value treats both alike.
    """

    kind: ClassVar[str] = "text"

    name: str
    default: str
    doc: str
    browse: str = ""  # "", "file" or "folder"
    suffixes: tuple[str, ...] = ()
    required: bool = False

    def coerce(self, value: Any) -> str:
        if not isinstance(value, str) or (self.required and not value.strip()):
            raise ParamError(f"{self.name} must be {self.describe()}, got {value!r}")
        return value.strip()

    def describe(self) -> str:
        what = {"file": "the path of a file", "folder": "the path of a folder"}.get(self.browse, "a text")
        if self.suffixes:
            what += " (" + ", ".join(self.suffixes) + ")"
        return what


Option = Param | TextOption
Loader = Callable[[dict[str, Any]], "Samples"]


@dataclass(frozen=True)
class DatasetSpec:
    """One data set: what the chooser shows, the options its form asks for, and how to load it.

    The loader gets the options already checked and completed with defaults, and returns every
    sample unsplit (``Samples``); splitting and standardising are the registry's, so every data
    set splits and scales the same way.
    """

    name: str
    title: str
    description: str
    kind: str  # "synthetic", "builtin" or "file"
    params: tuple[Option, ...]
    loader: Loader

    def __post_init__(self) -> None:
        assert self.kind in KINDS, f"{self.name}: kind must be one of {KINDS}"

    def option(self, name: str) -> Option:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise DataError(f"the data set {self.name!r} has no option {name!r}; its options are: {known}")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def coerce_options(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        """Every option in stored form (missing ones at their default), or one ``DataError``
        that names the option and says what is allowed."""
        if options is not None and not isinstance(options, Mapping):
            raise DataError(f"the options of {self.name!r} must be a mapping of names to values, got {options!r}")
        values = self.defaults()
        for key, value in (options or {}).items():
            param = self.option(key)
            try:
                values[key] = param.coerce(value)
            except ParamError as e:
                raise DataError(f"data set {self.name!r}: option {e}") from None
        return values


@cache
def _specs() -> dict[str, DatasetSpec]:
    found: dict[str, DatasetSpec] = {}
    for module_name in _MODULES:
        for spec in importlib.import_module(module_name).DATASETS:
            assert spec.name not in found, f"data set {spec.name!r} is declared twice"
            found[spec.name] = spec
    return found


def all_datasets() -> list[DatasetSpec]:
    """The data sets in the order the chooser shows them."""
    return list(_specs().values())


def dataset_spec(name: str) -> DatasetSpec:
    try:
        return _specs()[name]
    except (KeyError, TypeError):
        known = ", ".join(_specs())
        raise DataError(f"there is no data set called {name!r}; the known ones are: {known}") from None


def load_dataset(
    name: str,
    options: Mapping[str, Any] | None = None,
    *,
    validation_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Splits:
    """Loads data set ``name`` split three ways; the same seed gives the same split.

    Every problem (unknown name or option, bad value, unreadable file) is one ``DataError``.
    """
    from netdesigner.data.split import check_fractions

    spec = dataset_spec(name)
    values = spec.coerce_options(options)
    check_fractions(validation_fraction, test_fraction)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"the split seed must be a whole number ≥ 0, got {seed!r}")
    samples = spec.loader(values)
    try:
        return samples.split(validation_fraction, test_fraction, seed)
    except DataError as e:  # "3 samples are too few to split…": say which file has three
        source = samples.extra.get("source")
        if source and source not in str(e):
            raise DataError(f"{source}: {e}") from None
        raise


def load_project_data(project: Project) -> Splits:
    """The data set a project names, split as its settings say, with the training seed; a
    ``DataError`` when it names none. What the trainer, the CLI, the window and the benches load."""
    data = project.data
    if not data.dataset:
        raise DataError(f"{project.path}: the project names no data set: choose one in the data panel (data.dataset in the file)")
    return load_dataset(data.dataset, data.options, validation_fraction=data.validation_fraction,
                        test_fraction=data.test_fraction, seed=project.training.seed)
