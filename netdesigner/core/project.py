"""A project: one graph plus the data and training settings and the view, saved as ``.ndproj``.

Trained weights live beside the project as ``NAME.<content hash>.safetensors`` (never pickle;
``core.weights_file``). Saves are atomic: each file is written to a temporary file in the same
folder, flushed to disk and renamed over the old one, and the weights never over the file the
project on disk names, so a crash leaves the old project with its weights or the new one with its.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.atomic_file import (
    AtomicWriteError,
    remove_stale_temporaries,
    write_atomically,
)
from netdesigner.core.backup import keep_previous
from netdesigner.core.errors import ProjectError
from netdesigner.core.graph import Graph
from netdesigner.core.lesson import Lesson, lesson_from_json, lesson_to_json
from netdesigner.core.project_format import (
    FORMAT,
    VERSION,
    _Reader,
    _short,
    dumps,
    graph_from_json,
    graph_to_json,
    parse_json,
)
from netdesigner.core.weights_file import remove_unnamed_weights, weights_file_name

if TYPE_CHECKING:
    import torch
    from torch import fx


OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULES = ("none", "step", "cosine", "one_cycle", "plateau")
INITS = ("default", "kaiming", "xavier", "orthogonal")
AMP_MODES = ("off", "bf16", "fp16")
DEVICE_CHOICES = ("auto", "cpu", "cuda", "cuda:N", "mps")
MAX_FRACTION = 0.9  # as the data sets' splitter allows


@dataclass
class DataSettings:
    """Which data set trains the model, and how much of it is held back to validate and test."""

    dataset: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    validation_fraction: float = 0.2
    test_fraction: float = 0.2

    def problems(self) -> list[tuple[str, str]]:
        """(field, what is wrong) for every value outside its range; empty when all are fine."""
        found = []
        for name in ("validation_fraction", "test_fraction"):
            value = getattr(self, name)
            if not (_is_number(value) and 0 <= value <= MAX_FRACTION):
                found.append((name, f"{name} must be a number from 0 to {MAX_FRACTION}, got {value!r}"))
        if not found and self.validation_fraction + self.test_fraction >= 1:
            found.append(("test_fraction", "validation_fraction and test_fraction add up to 1 or more, which leaves nothing to train on"))
        return found


@dataclass
class TrainingSettings:
    """How a model is trained. Each field is one control of the training panel and one JSON key.

    Defaults are those of a plain first run; a file written before a field existed loads with
    its default, so old projects keep training as they did.
    """

    optimizer: str = "adam"  # one of OPTIMIZERS
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 10  # epochs per run; "continue training" runs this many more
    weight_decay: float = 0.0  # L2 penalty (decoupled for adamw)
    momentum: float = 0.9  # sgd and rmsprop
    seed: int = 0  # weights, shuffling and noise: the same seed repeats a CPU run exactly
    device: str = "auto"  # auto (cuda, then mps, then cpu), cpu, cuda, cuda:N or mps
    nesterov: bool = False  # sgd with momentum only
    schedule: str = "none"  # one of SCHEDULES
    step_size: int = 10  # step: epochs between two drops of the learning rate
    gamma: float = 0.1  # step and plateau: factor each drop multiplies the learning rate by
    plateau_patience: int = 3  # plateau: epochs without a better validation loss before a drop
    grad_clip: float = 0.0  # largest gradient norm (all parameters together); 0 = off
    init: str = "default"  # one of INITS, applied to Linear and Conv weights at the start
    early_stopping_patience: int = 0  # epochs without a better validation loss; 0 = off
    restore_best: bool = False  # end a run with the weights of its best validation epoch
    amp: str = "off"  # mixed precision on CUDA: off, bf16 or fp16 (with loss scaling)
    input_noise: float = 0.0  # std of Gaussian noise added to training inputs (denoising)
    kl_beta: float = 1.0  # weight of the KL terms of Reparameterize layers (β-VAE)
    data_parallel: bool = False  # split each batch over all CUDA GPUs (torch DataParallel)

    def problems(self) -> list[tuple[str, str]]:
        """(field, what is wrong) for every value outside its range or choices."""
        found: list[tuple[str, str]] = []

        def need(ok: bool, name: str, text: str) -> None:
            if not ok:
                found.append((name, f"{text}, got {getattr(self, name)!r}"))

        for name, choices in (("optimizer", OPTIMIZERS), ("schedule", SCHEDULES), ("init", INITS), ("amp", AMP_MODES)):
            need(getattr(self, name) in choices, name, f"{name} must be one of {', '.join(choices)}")
        need(_is_device(self.device), "device", f"device must be one of {', '.join(DEVICE_CHOICES)}")
        need(_is_number(self.learning_rate) and self.learning_rate > 0, "learning_rate", "learning_rate must be a number above 0")
        for name, low in (("batch_size", 1), ("epochs", 1), ("step_size", 1), ("seed", 0),
                          ("plateau_patience", 0), ("early_stopping_patience", 0)):
            value = getattr(self, name)
            need(_is_int(value) and low <= value < 2**63, name, f"{name} must be a whole number ≥ {low}")
        for name in ("weight_decay", "grad_clip", "input_noise", "kl_beta"):
            need(_is_number(getattr(self, name)) and getattr(self, name) >= 0, name, f"{name} must be a number ≥ 0")
        need(_is_number(self.momentum) and 0 <= self.momentum < 1, "momentum", "momentum must be a number from 0 up to (not including) 1")
        need(_is_number(self.gamma) and 0 < self.gamma <= 1, "gamma", "gamma must be a number above 0 and at most 1")
        for name in ("nesterov", "restore_best", "data_parallel"):
            need(isinstance(getattr(self, name), bool), name, f"{name} must be true or false")
        if self.optimizer == "sgd" and self.nesterov is True and self.momentum == 0:
            found.append(("nesterov", "nesterov needs a momentum above 0"))
        return found


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool) that a float can hold."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= 1e300


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_device(value: Any) -> bool:
    if value in ("auto", "cpu", "cuda", "mps"):
        return True
    return isinstance(value, str) and value.startswith("cuda:") and value[5:].isdigit() and len(value) <= 8


def _settings_from_json(cls: type, obj: Any, where: str, r: _Reader) -> Any:
    """Settings from their JSON object: missing keys take their defaults (older files), a wrong
    type, an unknown key or a value out of range is one ``ProjectError`` naming the key."""
    if obj is None:
        return cls()
    if not isinstance(obj, dict):
        raise r.fail(where, f"expected an object, found {type(obj).__name__}")
    defaults = cls()
    values = {}
    for f in fields(cls):
        default = getattr(defaults, f.name)
        kind: type | tuple[type, ...] = (int, float) if isinstance(default, float) else type(default)
        value = r.get(obj, f.name, kind, where, default=default)
        if isinstance(default, float):
            if abs(value) > 1e300:
                raise r.fail(f"{where}.{f.name}", f"{f.name} is far too large ({_short(value)})")
            value = float(value)
        values[f.name] = value
    unknown = set(obj) - {f.name for f in fields(cls)}
    if unknown:
        raise r.fail(where, f"unknown setting {sorted(unknown)[0]!r}")
    settings = cls(**values)
    for name, problem in settings.problems():
        raise r.fail(f"{where}.{name}", problem)
    return settings


@dataclass
class Project:
    graph: Graph = field(default_factory=Graph)
    name: str = "Untitled"
    description: str = ""
    data: DataSettings = field(default_factory=DataSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    view: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)  # one summary per training run, oldest first
    lesson: Lesson | None = None  # what an example project teaches and promises (core.lesson)
    weights: dict[str, torch.Tensor] | None = None  # trained state_dict, if any
    path: Path | None = None
    weights_path: Path | None = field(default=None, compare=False, repr=False)  # the file they were read from or saved to

    # ---- files -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike) -> Project:
        """Reads a project (and its weights, if it names them); ``ProjectError`` on any problem."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ProjectError(f"{path}: cannot read the file: {e.strerror or e}") from None
        return cls.from_json(parse_json(data, str(path)), path)

    @classmethod
    def from_json(cls, doc: dict, path: Path | None = None) -> Project:
        source = str(path) if path else "project"
        r = _Reader(source)
        project = cls(
            graph=graph_from_json(doc.get("graph"), source),
            name=r.get(doc, "name", str, "", default="Untitled"),
            description=r.get(doc, "description", str, "", default=""),
            data=_settings_from_json(DataSettings, doc.get("data"), "data", r),
            training=_settings_from_json(TrainingSettings, doc.get("training"), "training", r),
            view=r.get(doc, "view", dict, "", default={}),
            runs=_runs_from_json(r.get(doc, "runs", list, "", default=[]), r),
            lesson=lesson_from_json(doc.get("lesson"), r, {f.name for f in fields(TrainingSettings)},
                                    {f.name for f in fields(DataSettings)}),
            path=path,
        )
        weights = r.get(doc, "weights", (dict, type(None)), "", default=None)
        if weights is not None:
            if path is None:
                raise r.fail("weights", "a project with weights must be loaded from a file")
            project.weights = _read_weights(path, weights, r)
            project.weights_path = path.parent / weights["file"]
        return project

    def to_json(self) -> dict:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "graph": graph_to_json(self.graph),
            "data": asdict(self.data),
            "training": asdict(self.training),
            "view": self.view,
        }
        if self.lesson is not None:
            doc["lesson"] = lesson_to_json(self.lesson)
        if self.runs:
            doc["runs"] = self.runs
        return doc

    def save(self, path: str | os.PathLike | None = None, *, keep_backup: bool = True) -> Path:
        """Writes the project and its weights atomically together: the weights to a file named
        by their content (``core.weights_file``), then the project file naming it, the file it
        replaces kept as ``NAME.ndproj.bak`` (``core.backup``) unless ``keep_backup`` is False;
        returns the path."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ProjectError("the project has no file yet: give a path to save it")
        doc = self.to_json()
        blob = _weights_bytes(self.weights) if self.weights is not None else None
        backup = keep_previous(target, _atomic_write) if keep_backup else None  # NAME.ndproj.bak before anything changes
        weights_path = None
        if blob is not None:
            digest = hashlib.sha256(blob).hexdigest()
            weights_path = target.with_name(weights_file_name(target.stem, digest))
            _atomic_write(weights_path, blob)  # a new name: the file the old project names stays
            doc["weights"] = {"file": weights_path.name, "sha256": digest}
        _atomic_write(target, dumps(doc).encode("utf-8"))
        remove_unnamed_weights(target, *([backup] if backup else []))
        for written in (target, backup, weights_path):
            if written is not None:
                remove_stale_temporaries(written)  # what a save killed mid-write left
        self.path, self.weights_path = target, weights_path
        return target

    # ---- lessons -----------------------------------------------------------------------
    def variant(self, name: str) -> Project:
        """A new project that is the lesson's variant ``name`` (the base, or ``""``, is a copy
        of this one): its settings changed as the variant says, its own graph if it has one,
        no weights, no file and no lesson of its own, so training it never touches this project.
        A ``ProjectError`` when the variant does not exist or its settings are impossible."""

        doc = self.to_json()
        doc.pop("runs", None)
        found = None
        if self.lesson is not None:
            try:
                found = self.lesson.variant(name)
            except KeyError:
                raise ProjectError(f"the lesson has no variant called {name!r}; it has {', '.join(self.lesson.variant_names())}") from None
        elif name:
            raise ProjectError(f"the project has no lesson, so no variant called {name!r}")
        if found is not None:
            doc["training"] = {**doc["training"], **found.training}
            doc["data"] = {**doc["data"], **found.data}
            if found.graph is not None:
                doc["graph"] = graph_to_json(found.graph)
        source = f"{self.path or 'project'} (variant {name or 'as drawn'})"
        r = _Reader(source)
        return Project(
            graph=graph_from_json(doc["graph"], source),
            name=f"{self.name} — {found.name}" if found is not None else self.name,
            description=self.description,
            data=_settings_from_json(DataSettings, doc["data"], "data", r),
            training=_settings_from_json(TrainingSettings, doc["training"], "training", r),
        )

    # ---- models ------------------------------------------------------------------------
    def compile(self, *, device: str | None = None, previous: fx.GraphModule | None = None) -> fx.GraphModule:
        """The trainable module, with the project's trained weights where they fit."""
        from netdesigner.core.compiler import compile_graph

        module = compile_graph(self.graph, previous=previous, device=device, class_name=class_name_for(self.name))
        if self.weights:
            state = module.state_dict()
            # complex numbers (a damaged or foreign file) would lose their imaginary part: never a fit
            fitting = {k: v for k, v in self.weights.items()
                       if k in state and state[k].shape == v.shape and v.is_complex() == state[k].is_complex()}
            module.load_state_dict(fitting, strict=False)
        return module


def _runs_from_json(runs: list, r: _Reader) -> list[dict[str, Any]]:
    """Run summaries are records for people (metrics, dates); each must be an object."""
    for i, run in enumerate(runs):
        if not isinstance(run, dict):
            raise r.fail(f"runs[{i}]", f"expected an object, found {type(run).__name__}")
    return runs


def class_name_for(name: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in name).split()
    text = "".join(w[:1].upper() + w[1:] for w in words)
    return text if text and text[0].isalpha() else "Network"


def _weights_bytes(weights: dict[str, torch.Tensor]) -> bytes:
    from safetensors.torch import save

    return save({k: v.detach().cpu().contiguous() for k, v in weights.items()})


def _read_weights(path: Path, entry: dict, r: _Reader) -> dict[str, torch.Tensor]:
    from safetensors.torch import load

    name = r.get(entry, "file", str, "weights")
    if Path(name).name != name or not name.endswith(".safetensors"):
        raise r.fail("weights.file", f"{name!r} must be a .safetensors file name beside the project")
    weights_path = path.parent / name
    try:
        blob = weights_path.read_bytes()
    except OSError as e:
        raise ProjectError(f"{path}: its weights file {name} cannot be read: {e.strerror or e}") from None
    expected = r.get(entry, "sha256", str, "weights", default=None)
    if expected is not None and hashlib.sha256(blob).hexdigest() != expected:
        raise ProjectError(f"{path}: {name} holds other weights than the ones this project was saved with (checksum differs)")
    try:
        return load(blob)
    except Exception as e:
        raise ProjectError(f"{path}: its weights file {name} is not a readable safetensors file ({e})") from None


def _atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename: the old file survives any failure."""
    try:
        write_atomically(path, data)
    except AtomicWriteError as e:
        if e.stage == "create":
            raise ProjectError(f"{path}: cannot write here: {e.reason}") from None
        raise ProjectError(f"{path}: saving failed, the previous file is unchanged: {e.reason}") from None
