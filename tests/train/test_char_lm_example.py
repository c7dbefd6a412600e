"""The character language model example keeps its lesson's promise: trained as the file says,
its test cross-entropy per character is at most the claimed value, far below the unigram
entropy of its text (what knowing only the character frequencies gives)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from netdesigner.analysis.text_sampling import character_model, sample_text
from netdesigner.core.project import Project
from netdesigner.data.registry import load_project_data
from netdesigner.train.trainer import Trainer

EXAMPLE = Path(__file__).resolve().parents[2] / "projects" / "char_lm.ndproj"


def test_the_example_beats_the_unigram_entropy_as_its_lesson_claims() -> None:
    project = Project.load(EXAMPLE)
    (claim,) = project.lesson.claims
    assert (claim.kind, claim.metric) == ("at_most", "test_loss")
    project.training.device = "cpu"
    splits = load_project_data(project)
    train_text = splits.train.x.reshape(-1).tolist()
    counts = Counter(train_text)
    unigram = -sum(n / len(train_text) * math.log(n / len(train_text)) for n in counts.values())
    assert 3.0 < unigram < 3.6  # nats per character; 3.3 for the docstrings of Python 3.11
    assert claim.value < unigram - 1.0  # the claim is a real step beyond the frequencies

    trainer = Trainer(project.compile(), splits, project.training, graph=project.graph)
    end = trainer.run()
    assert end.ok, getattr(end, "message", "")
    assert claim.holds(end.test_metrics["loss"]), end.test_metrics  # measured: 1.63
    model = character_model(splits)
    text = sample_text(trainer.module, None, model, "Return the ", length=100, temperature=0.5, seed=0)
    assert len(text) == len("Return the ") + 100 and " the " in text[11:]  # it writes the corpus's commonest word
