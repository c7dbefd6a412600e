"""``netdesigner sample``: the prompt and what the model writes, on stdout alone; one line on
stderr and the analysis commands' exit codes for what cannot be done."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netdesigner.cli import main
from netdesigner.core.graph import Graph
from netdesigner.core.project import DataSettings, Project, TrainingSettings

OPTIONS = {"window": 16, "max_chars": 5_000}


def _project(path: Path, dataset: str = "text", options: dict | None = None, weights: bool = True) -> Path:
    """A small character model; with ``weights``, freshly initialised ones saved beside it
    (the command reads weights, whether a run made them or not)."""
    from netdesigner.data.registry import load_dataset

    info = load_dataset(dataset, options or OPTIONS).info
    size = info.vocabulary_size
    g = Graph()
    x = g.input(info.input_shape, "int64", name="chars")
    h = g.add("LSTM", g.add("Embedding", x, num_embeddings=size, embedding_dim=8), hidden_size=16)
    if dataset != "text":
        h = g.add("Flatten", h)
    g.output(g.add("Linear", h, out_features=size if dataset == "text" else 2))
    project = Project(graph=g, name="tiny", data=DataSettings(dataset, options or OPTIONS),
                      training=TrainingSettings(device="cpu"))
    if weights:
        torch.manual_seed(0)
        project.weights = project.compile().state_dict()
    project.save(path)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return _project(tmp_path_factory.mktemp("sample") / "tiny.ndproj")


def test_it_prints_the_prompt_and_the_asked_length(tiny: Path, capsys) -> None:
    assert main(["sample", str(tiny), "--prompt", "The ", "--length", "40", "--seed", "5"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("The ") and len(out.out) == len("The ") + 40 + 1  # and print's new line
    assert out.err == ""
    assert main(["sample", str(tiny), "--prompt", "The ", "--length", "40", "--seed", "5"]) == 0
    assert capsys.readouterr().out == out.out  # the same seed writes the same text
    assert main(["sample", str(tiny), "--prompt", "The ", "--length", "40", "--temperature", "0"]) == 0
    greedy = capsys.readouterr().out
    assert main(["sample", str(tiny), "--prompt", "The ", "--length", "40", "--temperature", "0", "--seed", "9"]) == 0
    assert capsys.readouterr().out == greedy  # greedy: no randomness at all


@pytest.mark.parametrize(("argv", "message"), [
    (["--temperature", "-1"], "the temperature must be a number ≥ 0"),
    (["--temperature", "nan"], "the temperature must be a number ≥ 0"),
    (["--length", "-3"], "--length must be from 0"),
    (["--prompt", "naïve"], "a character the model never saw in its text: 'ï'"),
])
def test_usage_errors_exit_2_with_one_line(tiny: Path, capsys, argv: list[str], message: str) -> None:
    assert main(["sample", str(tiny), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("netdesigner sample: ") and message in err


def test_a_project_without_weights_exits_1(tmp_path: Path, capsys) -> None:
    path = _project(tmp_path / "fresh.ndproj", weights=False)
    assert main(["sample", str(path)]) == 1
    assert "has no trained weights: train it first" in capsys.readouterr().err


def test_a_project_that_is_no_language_model_exits_1(tmp_path: Path, capsys) -> None:
    path = _project(tmp_path / "parity.ndproj", "parity", {"encoding": "tokens", "samples": 50})
    assert main(["sample", str(path)]) == 1
    err = capsys.readouterr().err
    assert "trains on 'parity', not on text" in err and err.count("\n") == 1


def test_an_unreadable_project_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["sample", str(tmp_path / "missing.ndproj")]) == 2
    assert "missing.ndproj" in capsys.readouterr().err
