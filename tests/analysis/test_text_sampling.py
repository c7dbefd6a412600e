"""Writing text with a character-level language model: the right position's scores, the
temperature applied to them, the vocabulary's characters, and text that looks like the corpus
once the model is trained."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch

from netdesigner.analysis.landscape import Cancelled
from netdesigner.analysis.text_sampling import (
    CharacterModel,
    SamplingError,
    character_model,
    mean_log_likelihood,
    sample_text,
)
from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.core.project import TrainingSettings
from netdesigner.data.registry import load_dataset
from netdesigner.train.trainer import Trainer

WINDOW = 32
OPTIONS = {"window": WINDOW, "max_chars": 40_000}


def _graph(vocabulary_size: int) -> Graph:
    g = Graph()
    x = g.input((WINDOW,), "int64", name="chars")
    h = g.add("Embedding", x, num_embeddings=vocabulary_size, embedding_dim=16, name="embed")
    h = g.add("GRU", h, hidden_size=64, output="sequence", name="gru")
    g.output(g.add("Linear", h, out_features=vocabulary_size, name="next_char"), name="logits")
    return g


@pytest.fixture(scope="module")
def splits():
    return load_dataset("text", OPTIONS)


@pytest.fixture(scope="module")
def untrained(splits) -> torch.nn.Module:
    torch.manual_seed(0)
    return compile_graph(_graph(splits.info.vocabulary_size))


@pytest.fixture(scope="module")
def trained(splits) -> torch.nn.Module:
    torch.manual_seed(0)
    module = compile_graph(_graph(splits.info.vocabulary_size))
    settings = TrainingSettings(learning_rate=0.01, batch_size=64, epochs=6, grad_clip=1.0, device="cpu")
    end = Trainer(module, splits, settings).run()
    assert end.ok
    return module


@pytest.fixture(scope="module")
def model(splits) -> CharacterModel:
    found = character_model(splits)
    assert found is not None and found.window == WINDOW and found.vocabulary == splits.extra["vocabulary"]
    return found


def _bigram_score(text: str, corpus: str) -> float:
    """Mean log-probability of ``text``'s characters under the corpus's own bigram statistics
    (add-one smoothed): how much ``text`` looks like the corpus, judged without any network."""
    pairs = Counter(zip(corpus, corpus[1:], strict=False))
    firsts = Counter(corpus[:-1])
    size = len(set(corpus))
    return float(np.mean([math.log((pairs[a, b] + 1) / (firsts[a] + size)) for a, b in zip(text, text[1:], strict=False)]))


def test_a_sample_is_the_prompt_then_the_asked_length_of_vocabulary_characters(trained, model) -> None:
    text = sample_text(trained, None, model, "Return the ", length=120, temperature=1.0, seed=3)
    assert text.startswith("Return the ") and len(text) == len("Return the ") + 120
    assert set(text) <= set(model.vocabulary)
    assert sample_text(trained, None, model, "Return the ", length=120, temperature=1.0, seed=3) == text
    assert sample_text(trained, None, model, "Return the ", length=120, temperature=1.0, seed=4) != text
    empty = sample_text(trained, None, model, "", length=30, seed=1)
    assert len(empty) == 30 and set(empty) <= set(model.vocabulary)


def test_temperature_zero_takes_the_likeliest_character_after_the_last_one_every_time(trained, model) -> None:
    prompt = "If the argument is "
    greedy = sample_text(trained, None, model, prompt, length=40, temperature=0, seed=1)
    assert greedy == sample_text(trained, None, model, prompt, length=40, temperature=0, seed=99)  # no randomness
    # the same by hand: the model's scores at the last position of (at most) the last WINDOW characters
    index = {c: k for k, c in enumerate(model.vocabulary)}
    ids = [index[c] for c in prompt]
    trained.eval()
    with torch.no_grad():
        for _ in range(40):
            scores = trained(torch.tensor([ids[-WINDOW:]]))[0, -1]
            ids.append(int(scores.argmax()))
    assert greedy == "".join(model.vocabulary[k] for k in ids)
    assert len(prompt) + 40 > WINDOW  # the context was cut to the window on the way


def test_the_temperature_divides_the_scores_before_the_softmax(untrained, model) -> None:
    prompt = "The value of "
    index = {c: k for k, c in enumerate(model.vocabulary)}
    with torch.no_grad():
        scores = untrained.eval()(torch.tensor([[index[c] for c in prompt]]))[0, -1].double()
    for temperature in (0.1, 1.0):
        p = torch.softmax(scores / temperature, 0).numpy()
        draws = Counter(sample_text(untrained, None, model, prompt, length=1, temperature=temperature, seed=s)[-1]
                        for s in range(200))
        top = model.vocabulary[int(np.argmax(p))]
        expected, spread = 200 * p.max(), math.sqrt(200 * p.max() * (1 - p.max()))
        assert abs(draws[top] - expected) <= 4 * spread + 1, (temperature, draws[top], expected)


def test_a_trained_model_writes_text_like_its_corpus_and_an_untrained_one_does_not(trained, untrained, model, splits) -> None:
    corpus = "".join(model.vocabulary[k] for k in splits.train.x.reshape(-1).tolist())
    written = sample_text(trained, None, model, "The ", length=300, temperature=0.8, seed=0)[4:]
    noise = sample_text(untrained, None, model, "The ", length=300, temperature=0.8, seed=0)[4:]
    good, bad = _bigram_score(written, corpus), _bigram_score(noise, corpus)
    unigram = Counter(corpus)
    baseline = sum(n / len(corpus) * math.log(n / len(corpus)) for n in unigram.values())  # −(unigram entropy)
    assert good > bad + 1.0, (good, bad)  # e^1: each character pair almost 3× likelier in the corpus
    assert good > baseline  # the pairs it writes are likelier than characters drawn by frequency alone
    # and the model itself finds held-out corpus text far likelier than before training
    held_out = ["".join(model.vocabulary[k] for k in window.tolist()) for window in splits.test.x[:6]]
    after = np.mean([mean_log_likelihood(trained, None, model, text) for text in held_out])
    before = np.mean([mean_log_likelihood(untrained, None, model, text) for text in held_out])
    assert after > before + 0.5, (after, before)  # measured: −3.2 against −4.5 (ln 94 = 4.54: a uniform guess)


def test_characters_outside_the_vocabulary_are_named(trained, model) -> None:
    with pytest.raises(SamplingError, match=r"characters the model never saw in its text: '\\x00', 'é'"):
        sample_text(trained, None, model, "caf\x00é", length=5)


@pytest.mark.parametrize("temperature", [-0.5, float("nan"), float("inf")])
def test_a_temperature_below_zero_or_not_finite_is_refused(trained, model, temperature) -> None:
    with pytest.raises(SamplingError, match="temperature must be a number ≥ 0"):
        sample_text(trained, None, model, "a", length=5, temperature=temperature)


def test_a_model_without_per_character_scores_is_refused(model) -> None:
    g = Graph()
    x = g.input((WINDOW,), "int64", name="chars")
    h = g.add("Flatten", g.add("Embedding", x, num_embeddings=len(model.vocabulary), embedding_dim=4))
    g.output(g.add("Linear", h, out_features=len(model.vocabulary)))
    with pytest.raises(SamplingError, match="a character language model gives"):
        sample_text(compile_graph(g), None, model, "x" * WINDOW, length=3)


def test_sampling_stops_when_cancelled_and_leaves_the_weights_alone(trained, model) -> None:
    before = {k: v.clone() for k, v in trained.state_dict().items()}
    with pytest.raises(Cancelled):
        sample_text(trained, None, model, "a", length=50, cancelled=lambda: True)
    done: list[int] = []
    sample_text(trained, None, model, "a", length=7, progress=lambda k, n: done.append(k))
    assert done == list(range(1, 8))
    assert all(torch.equal(v, trained.state_dict()[k]) for k, v in before.items())


def test_other_data_sets_are_no_character_models() -> None:
    assert character_model(load_dataset("parity", {"encoding": "tokens", "samples": 50})) is None
