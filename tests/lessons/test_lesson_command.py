"""``netdesigner lesson``: claims measured from real runs, exit codes, and the JSON report."""

import json

from netdesigner.cli import main
from netdesigner.core.graph import Graph
from netdesigner.core.lesson import Claim, Lesson, Variant
from netdesigner.core.project import DataSettings, Project, TrainingSettings
from netdesigner.lessons.runner import check_lesson


def _blobs_project(claims: list[Claim]) -> Project:
    g = Graph()
    x = g.input((2,), name="x")
    g.output(g.add("Linear", g.add("Tanh", g.add("Linear", x, name="fc1", out_features=16), name="act"),
                   name="fc2", out_features=3), name="logits")
    return Project(graph=g, name="blobs", data=DataSettings("blobs", {"samples": 300}),
                   training=TrainingSettings(optimizer="sgd", momentum=0.0, learning_rate=0.05, epochs=6, batch_size=32),
                   lesson=Lesson(topic="SGD", look_at="curves", base="sgd",
                                 variants=[Variant("adam", training={"optimizer": "adam", "learning_rate": 0.05})],
                                 claims=claims))


def test_a_claim_is_judged_on_what_the_runs_measured():
    reach = ("train_loss", 0.5)
    faster = Claim("at_most", "epochs_to_reach", "adam", than="sgd", reach=reach)
    slower = Claim("at_least", "epochs_to_reach", "adam", than="sgd", factor=2.0, reach=reach)
    report = check_lesson(_blobs_project([faster, slower]))
    adam, sgd = (report.runs[n].measures.get("epochs_to_reach", reach) for n in ("adam", "sgd"))
    assert adam < sgd  # measured: plain SGD at this rate needs more epochs than Adam
    assert [r.holds for r in report.results] == [True, False]
    assert report.results[0].mine == adam and report.results[0].theirs == sgd
    assert len(report.runs["sgd"].curves["train_loss"]) == 6


def test_a_missing_measure_fails_the_claim_and_says_why():
    report = check_lesson(_blobs_project([Claim("at_least", "test_bleu", "adam", value=0.1)]))
    assert not report.holds
    assert "no measure called 'test_bleu'" in report.results[0].describe()
    assert list(report.runs) == ["adam"]  # only the variant a claim names is trained


def test_the_command_prints_the_measures_and_exits_by_the_claims(tmp_path, capsys):
    good = _blobs_project([Claim("at_least", "test_accuracy", "adam", value=0.8)]).save(tmp_path / "good.ndproj")
    assert main(["lesson", str(good), "--json", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "✓" in out and "every claim holds" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["claims"][0]["holds"] and report["claims"][0]["measured"] >= 0.8
    assert len(report["runs"]["adam"]["curves"]["val_loss"]) == 6

    bad = _blobs_project([Claim("at_least", "test_accuracy", "adam", value=1.01)]).save(tmp_path / "bad.ndproj")
    assert main(["lesson", str(bad)]) == 1
    assert "✗" in capsys.readouterr().out


def test_no_lesson_unknown_variant_and_unreadable_files_exit_2(tmp_path, capsys):
    plain = Project(name="plain").save(tmp_path / "plain.ndproj")
    assert main(["lesson", str(plain)]) == 2
    assert "has no lesson" in capsys.readouterr().err
    good = _blobs_project([Claim("at_least", "test_accuracy", "adam", value=0.8)]).save(tmp_path / "g.ndproj")
    assert main(["lesson", str(good), "--variant", "rmsprop"]) == 2
    assert "no variant 'rmsprop'" in capsys.readouterr().err
    (tmp_path / "broken.ndproj").write_text("{")
    assert main(["lesson", str(tmp_path / "broken.ndproj")]) == 2
