"""The lesson part of a project file: read back as written, every mistake one clear ProjectError,
and a variant is a new project that leaves the one it came from alone."""

import json

import pytest

from netdesigner.core.errors import ProjectError
from netdesigner.core.graph import Graph
from netdesigner.core.lesson import Claim, Lesson, Variant
from netdesigner.core.project import Project, TrainingSettings


def _graph(width: int) -> Graph:
    g = Graph()
    x = g.input((2,), name="x")
    h = g.add("Linear", x, name="fc1", out_features=width)
    g.output(g.add("Linear", g.add("ReLU", h, name="act"), name="fc2", out_features=2), name="logits")
    return g


def _project() -> Project:
    p = Project(graph=_graph(8), name="lesson test", training=TrainingSettings(optimizer="sgd", momentum=0.0))
    p.lesson = Lesson(
        topic="SGD and variants", look_at="the loss curves", base="plain SGD",
        variants=[Variant("momentum", training={"momentum": 0.9}, note="β = 0.9"),
                  Variant("wide", graph=_graph(64))],
        claims=[Claim("at_most", "epochs_to_reach", "momentum", than="plain SGD", factor=0.5, reach=("train_loss", 0.3)),
                Claim("at_least", "test_accuracy", "wide", value=0.9, text="wide is accurate")])
    return p


def test_a_lesson_reads_back_as_written(tmp_path):
    path = _project().save(tmp_path / "l.ndproj")
    back = Project.load(path)
    assert back.to_json()["lesson"] == _project().to_json()["lesson"]
    assert back.lesson.variant_names() == ["plain SGD", "momentum", "wide"]
    assert back.lesson.claims[0].reach == ("train_loss", 0.3)
    assert back.lesson.claims[1].describe() == "wide is accurate"
    assert len(back.lesson.variant("wide").graph) == len(_graph(64))


def test_a_variant_changes_settings_and_graph_but_not_the_project(tmp_path):
    p = _project()
    momentum = p.variant("momentum")
    assert momentum.training.momentum == 0.9 and p.training.momentum == 0.0
    assert momentum.path is None and momentum.weights is None
    wide = p.variant("wide")
    assert wide.graph.find("fc1").params["out_features"] == 64
    assert p.graph.find("fc1").params["out_features"] == 8
    assert p.variant("plain SGD").training == p.training
    with pytest.raises(ProjectError, match="no variant called 'nope'"):
        p.variant("nope")


@pytest.mark.parametrize(("change", "message"), [
    (lambda lesson: lesson["expect"][0].update(than="fast"), "names the variant 'fast'"),
    (lambda lesson: lesson["expect"][1].update(kind="about"), "kind must be one of"),
    (lambda lesson: lesson["expect"][1].update(than="momentum"), "either a value or a variant"),
    (lambda lesson: lesson["expect"][0].pop("reach"), "epochs_to_reach needs"),
    (lambda lesson: lesson["variants"][0].update(training={"momentun": 0.9}), "unknown setting 'momentun'"),
    (lambda lesson: lesson["variants"][1].update(name="momentum"), "same name"),
    (lambda lesson: lesson.update(lookat="x"), "unknown field 'lookat'"),
    (lambda lesson: lesson["expect"][0].update(factor=-1), "factor must be a number above 0"),
    (lambda lesson: lesson["variants"][1]["graph"].update(nodes="x"), "variants"),
])
def test_a_broken_lesson_is_one_clear_error(tmp_path, change, message):
    doc = _project().to_json()
    change(doc["lesson"])
    path = tmp_path / "bad.ndproj"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProjectError, match=message) as caught:
        Project.load(path)
    assert "bad.ndproj" in str(caught.value) and "lesson" in str(caught.value)


def test_a_variant_with_impossible_settings_says_so():
    p = _project()
    p.lesson.variants[0].training["momentum"] = 2.0
    with pytest.raises(ProjectError, match="momentum"):
        p.variant("momentum")


def test_claims_compare_as_they_read():
    at_least = Claim("at_least", "test_accuracy", value=0.9)
    assert at_least.holds(0.95) and not at_least.holds(0.85) and not at_least.holds(float("nan"))
    smaller = Claim("at_most", "first_layer_grad_norm", "a", than="b", factor=0.01)
    assert smaller.holds(1e-5, 1e-2) and not smaller.holds(1e-3, 1e-2)
    assert not Claim("at_most", "epochs_to_reach", "a", than="b", reach=("train_loss", 0.1)).holds(float("inf"), 5)
