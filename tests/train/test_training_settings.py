"""Training and data settings in the project file: round trips, old files, clear refusals."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from netdesigner.core.errors import ProjectError
from netdesigner.core.graph import Graph
from netdesigner.core.project import DataSettings, Project, TrainingSettings

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def project() -> Project:
    g = Graph()
    g.output(g.add("Linear", g.input((4,)), out_features=3))
    return Project(g, name="settings")


def test_every_setting_round_trips_through_the_file(tmp_path: Path) -> None:
    p = project()
    p.training = TrainingSettings(
        optimizer="sgd", learning_rate=0.05, batch_size=16, epochs=7, weight_decay=1e-4, momentum=0.8, seed=42,
        device="cpu", nesterov=True, schedule="one_cycle", step_size=3, gamma=0.5, plateau_patience=2, grad_clip=1.5,
        init="orthogonal", early_stopping_patience=4, restore_best=True, amp="bf16", input_noise=0.2, kl_beta=0.5,
        data_parallel=True)
    p.data = DataSettings("digits", {"flatten": True}, validation_fraction=0.1, test_fraction=0.3)
    again = Project.load(p.save(tmp_path / "p.ndproj"))
    assert again.training == p.training and again.data == p.data
    assert again.to_json() == p.to_json()


def test_a_file_without_the_new_settings_loads_their_defaults(tmp_path: Path) -> None:
    doc = project().to_json()
    doc["training"] = {"optimizer": "sgd", "learning_rate": 0.01, "batch_size": 64, "epochs": 10,
                       "weight_decay": 0.0, "momentum": 0.9, "seed": 0, "device": "auto"}
    doc["data"] = {"dataset": "digits", "options": {}, "validation_fraction": 0.2}
    path = tmp_path / "old.ndproj"
    path.write_text(json.dumps(doc))
    loaded = Project.load(path)
    old = {f.name for f in fields(TrainingSettings)} - set(doc["training"])
    defaults = asdict(TrainingSettings())
    assert all(getattr(loaded.training, name) == defaults[name] for name in old)
    assert loaded.training.optimizer == "sgd" and loaded.data.test_fraction == 0.2


def test_every_example_project_loads_with_valid_training_settings() -> None:
    for path in sorted(PROJECTS.glob("*.ndproj")):
        training = Project.load(path).training
        assert training.problems() == [], path.name


def test_an_integer_learning_rate_is_read_as_a_number(tmp_path: Path) -> None:
    doc = project().to_json()
    doc["training"]["learning_rate"] = 1
    path = tmp_path / "p.ndproj"
    path.write_text(json.dumps(doc))
    assert Project.load(path).training.learning_rate == 1.0


@pytest.mark.parametrize(("section", "key", "value", "message"), [
    ("training", "optimizer", "adamax", "training.optimizer: optimizer must be one of sgd, adam, adamw, rmsprop, adagrad"),
    ("training", "schedule", "linear", "schedule must be one of none, step, cosine, one_cycle, plateau"),
    ("training", "init", "he", "init must be one of default, kaiming, xavier, orthogonal"),
    ("training", "amp", "fp8", "amp must be one of off, bf16, fp16"),
    ("training", "device", "gpu", "device must be one of auto, cpu, cuda, cuda:N, mps"),
    ("training", "learning_rate", 0, "learning_rate must be a number above 0"),
    ("training", "batch_size", 0, "batch_size must be a whole number ≥ 1"),
    ("training", "batch_size", 3.5, "expected an integer, found 3.5"),
    ("training", "momentum", 1.0, "momentum must be a number from 0 up to"),
    ("training", "gamma", 2.0, "gamma must be a number above 0 and at most 1"),
    ("training", "grad_clip", -1, "grad_clip must be a number ≥ 0"),
    ("training", "nesterov", 1, "expected true or false, found 1"),
    ("training", "kl_beta", "1", "expected an integer or a number, found \"1\""),
    ("training", "learning_rate", 10**400, "far too large"),
    ("training", "warmup", 3, "unknown setting 'warmup'"),
    ("data", "test_fraction", 0.95, "test_fraction must be a number from 0 to 0.9"),
    ("data", "test_fraction", 0.85, "add up to 1 or more"),
])
def test_a_bad_setting_is_one_clear_error(tmp_path: Path, section: str, key: str, value, message: str) -> None:
    doc = project().to_json()
    doc[section][key] = value
    if (section, key, value) == ("data", "test_fraction", 0.85):
        doc["data"]["validation_fraction"] = 0.2
    path = tmp_path / "bad.ndproj"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProjectError, match=message) as caught:
        Project.load(path)
    assert str(path) in str(caught.value)


def test_nesterov_without_momentum_is_refused() -> None:
    problems = TrainingSettings(optimizer="sgd", nesterov=True, momentum=0.0).problems()
    assert problems == [("nesterov", "nesterov needs a momentum above 0")]
