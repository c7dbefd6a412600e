"""Project files: round trips, atomic saves, weights beside the project, hostile input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from netdesigner.core.errors import ProjectError
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project, TrainingSettings
from netdesigner.core.project_format import VERSION


def small_project() -> Project:
    g = Graph()
    x = g.input((1, 8, 8))
    h = g.add("Conv2d", x, out_channels=4, kernel_size=3, padding="same")
    a, b = g.add("Split", h, chunks=2)
    h = g.add("Concat", b, a)
    h = g.add("Linear", g.add("Flatten", h), out_features=10)
    g.output(h)
    return Project(g, name="small", training=TrainingSettings(epochs=3, learning_rate=0.01))


def test_save_then_load_gives_the_same_document(tmp_path: Path) -> None:
    project = small_project()
    path = project.save(tmp_path / "small.ndproj")
    again = Project.load(path)
    assert again.to_json() == project.to_json()
    assert again.training.epochs == 3 and again.training.learning_rate == 0.01


def test_file_is_readable_json_with_one_node_per_line(tmp_path: Path) -> None:
    path = small_project().save(tmp_path / "small.ndproj")
    lines = path.read_text().splitlines()
    conv_lines = [line for line in lines if '"type": "Conv2d"' in line]
    assert len(conv_lines) == 1 and '"name": "conv1"' in conv_lines[0]
    assert any('"from": "split1:1", "to": "concat1"' in line for line in lines)


def test_weights_round_trip_through_safetensors(tmp_path: Path) -> None:
    project = small_project()
    module = project.compile()
    project.weights = {k: v.clone() for k, v in module.state_dict().items()}
    path = project.save(tmp_path / "small.ndproj")
    assert project.weights_path.parent == tmp_path and project.weights_path.name.startswith("small.")
    loaded = Project.load(path).compile()
    for key, value in module.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)


def test_swapped_weights_file_is_refused(tmp_path: Path) -> None:
    project = small_project()
    project.weights = project.compile().state_dict()
    path = project.save(tmp_path / "small.ndproj")
    other = small_project()
    other.weights = other.compile().state_dict()
    other.save(tmp_path / "other.ndproj")
    os.replace(other.weights_path, project.weights_path)
    with pytest.raises(ProjectError, match="other weights"):
        Project.load(path)


def test_failed_save_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = small_project().save(tmp_path / "small.ndproj")
    before = path.read_bytes()
    changed = small_project()
    changed.name = "changed"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ProjectError, match="previous file is unchanged"):
        changed.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["small.ndproj"]  # no temporary left behind


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "shared.ndproj"
    path.write_text("{}")
    path.chmod(0o644)
    small_project().save(path)
    assert path.stat().st_mode & 0o777 == 0o644


def _write(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "hostile.ndproj"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _valid_doc() -> dict:
    return small_project().to_json()


HOSTILE = {
    "empty": b"",
    "truncated": json.dumps(_valid_doc())[:200],
    "binary": bytes(range(256)),
    "pickle": b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",
    "not an object": "[1, 2, 3]",
    "other json": json.dumps({"hello": "world"}),
    "deeply nested": '{"format": "netdesigner-project", "version": 1, "graph": ' + "[" * 100000 + "]" * 100000 + "}",
    "NaN": json.dumps(_valid_doc()).replace('"learning_rate": 0.01', '"learning_rate": NaN'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_bytes_give_one_project_error_naming_the_file(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, HOSTILE[case])
    before = path.read_bytes()
    with pytest.raises(ProjectError) as error:
        Project.load(path)
    assert str(path) in str(error.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["hostile.ndproj"]


def _mutated(change) -> dict:
    doc = _valid_doc()
    change(doc)
    return doc


BAD_DOCUMENTS = {
    "newer version": (lambda d: d.update(version=VERSION + 1), "newer NetDesigner"),
    "version as text": (lambda d: d.update(version="1"), "version"),
    "nodes not a list": (lambda d: d["graph"].update(nodes={}), "graph.nodes"),
    "unknown layer type": (lambda d: d["graph"]["nodes"][1].update(type="Conv5d"), "unknown layer type 'Conv5d'"),
    "code as a name": (lambda d: d["graph"]["nodes"][1].update(name="__import__('os').system('touch pwned')"), "not a valid name"),
    "reserved name": (lambda d: d["graph"]["nodes"][1].update(name="forward"), "reserved"),
    "duplicate names": (lambda d: d["graph"]["nodes"][2].update(name="conv1"), "taken"),
    "negative channels": (lambda d: d["graph"]["nodes"][1]["params"].update(out_channels=-3), "out_channels"),
    "absurd channels": (lambda d: d["graph"]["nodes"][1]["params"].update(out_channels=10**12), "out_channels"),
    "kernel as text": (lambda d: d["graph"]["nodes"][1]["params"].update(kernel_size="3; rm -rf /"), "kernel_size"),
    "bool as int": (lambda d: d["graph"]["nodes"][1]["params"].update(out_channels=True), "out_channels"),
    "unknown parameter": (lambda d: d["graph"]["nodes"][1]["params"].update(evil=1), "no parameter 'evil'"),
    "edge to nowhere": (lambda d: d["graph"]["edges"].append({"from": "conv1", "to": "ghost"}), "no node named 'ghost'"),
    "edge port not a number": (lambda d: d["graph"]["edges"].append({"from": "split1:x", "to": "fc1"}), "port"),
    "occupied port": (lambda d: d["graph"]["edges"].append({"from": "input1", "to": "conv1"}), "already fed"),
    "position not numbers": (lambda d: d["graph"]["nodes"][0].update(position=["a", 1]), "position"),
    "unknown setting": (lambda d: d["training"].update(exploit=True), "unknown setting"),
    "epochs as text": (lambda d: d["training"].update(epochs="ten"), "training.epochs"),
    "weights outside the folder": (lambda d: d.update(weights={"file": "../../etc/passwd"}), "beside the project"),
    "missing weights file": (lambda d: d.update(weights={"file": "gone.safetensors"}), "cannot be read"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_damaged_document_gives_a_clear_error_and_changes_nothing(tmp_path: Path, case: str) -> None:
    change, expected = BAD_DOCUMENTS[case]
    path = _write(tmp_path, json.dumps(_mutated(change)))
    before = path.read_bytes()
    with pytest.raises(ProjectError) as error:
        Project.load(path)
    message = str(error.value)
    assert str(path) in message
    assert expected in message
    assert path.read_bytes() == before
    assert not (tmp_path / "pwned").exists()


def test_damaged_weights_file_gives_a_project_error(tmp_path: Path) -> None:
    doc = _valid_doc()
    (tmp_path / "w.safetensors").write_bytes(b"\x00" * 64)
    doc["weights"] = {"file": "w.safetensors"}
    path = _write(tmp_path, json.dumps(doc))
    with pytest.raises(ProjectError, match="safetensors"):
        Project.load(path)


def test_missing_file_gives_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="cannot read"):
        Project.load(tmp_path / "nothing.ndproj")


def test_a_cycle_in_a_file_loads_and_validation_names_it(tmp_path: Path) -> None:
    from netdesigner.core.validation import errors, validate

    doc = _valid_doc()
    doc["graph"]["nodes"].append({"name": "relu9", "type": "ReLU"})
    doc["graph"]["edges"] = [e for e in doc["graph"]["edges"] if e["to"] != "conv1"]
    doc["graph"]["edges"] += [{"from": "fc1", "to": "relu9"}, {"from": "relu9", "to": "conv1"}]
    project = Project.load(_write(tmp_path, json.dumps(doc)))  # the work is not lost
    messages = [p.message for p in errors(validate(project.graph))]
    assert any("cycle" in m and "relu9" in m and "conv1" in m for m in messages)
