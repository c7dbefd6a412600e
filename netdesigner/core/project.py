"""A project: one graph plus the data and training settings and the view, saved as ``.ndproj``.

Trained weights live beside the project as ``NAME.safetensors`` (never pickle). Saves are
atomic: each file is written to a temporary file in the same folder, flushed to disk and
renamed over the old one, so a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import ProjectError
from netdesigner.core.graph import Graph
from netdesigner.core.project_format import (
    FORMAT,
    VERSION,
    _Reader,
    dumps,
    graph_from_json,
    graph_to_json,
    parse_json,
)

if TYPE_CHECKING:
    import torch
    from torch import fx


@dataclass
class DataSettings:
    """Which data set trains the model (filled in by the training issue's data sets)."""

    dataset: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    validation_fraction: float = 0.2


@dataclass
class TrainingSettings:
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 10
    weight_decay: float = 0.0
    momentum: float = 0.9
    seed: int = 0
    device: str = "auto"


def _settings_from_json(cls: type, obj: Any, where: str, r: _Reader) -> Any:
    if obj is None:
        return cls()
    if not isinstance(obj, dict):
        raise r.fail(where, f"expected an object, found {type(obj).__name__}")
    defaults = cls()
    values = {}
    for f in fields(cls):
        default = getattr(defaults, f.name)
        kind: type | tuple[type, ...] = (int, float) if isinstance(default, float) else type(default)
        values[f.name] = r.get(obj, f.name, kind, where, default=default)
    unknown = set(obj) - {f.name for f in fields(cls)}
    if unknown:
        raise r.fail(where, f"unknown setting {sorted(unknown)[0]!r}")
    return cls(**values)


@dataclass
class Project:
    graph: Graph = field(default_factory=Graph)
    name: str = "Untitled"
    description: str = ""
    data: DataSettings = field(default_factory=DataSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    view: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, torch.Tensor] | None = None  # trained state_dict, if any
    path: Path | None = None

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
            path=path,
        )
        weights = r.get(doc, "weights", (dict, type(None)), "", default=None)
        if weights is not None:
            if path is None:
                raise r.fail("weights", "a project with weights must be loaded from a file")
            project.weights = _read_weights(path, weights, r)
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
        return doc

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Writes the project (and its weights beside it) atomically; returns the path."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ProjectError("the project has no file yet: give a path to save it")
        doc = self.to_json()
        if self.weights is not None:
            weights_path = target.with_suffix(".safetensors")
            blob = _weights_bytes(self.weights)
            _atomic_write(weights_path, blob)
            doc["weights"] = {"file": weights_path.name, "sha256": hashlib.sha256(blob).hexdigest()}
        _atomic_write(target, dumps(doc).encode("utf-8"))
        self.path = target
        return target

    # ---- models ------------------------------------------------------------------------
    def compile(self, *, device: str | None = None, previous: fx.GraphModule | None = None) -> fx.GraphModule:
        """The trainable module, with the project's trained weights where they fit."""
        from netdesigner.core.compiler import compile_graph

        module = compile_graph(self.graph, previous=previous, device=device, class_name=_class_name(self.name))
        if self.weights:
            state = module.state_dict()
            fitting = {k: v for k, v in self.weights.items() if k in state and state[k].shape == v.shape}
            module.load_state_dict(fitting, strict=False)
        return module


def _class_name(name: str) -> str:
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


def _mode_for(path: Path) -> int:
    """The file's present permissions, or what a plain new file would get (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename: the old file survives any failure."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise ProjectError(f"{path}: cannot write here: {e.strerror or e}") from None
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ProjectError(f"{path}: saving failed, the previous file is unchanged: {e.strerror or e}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
