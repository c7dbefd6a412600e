"""Text written by a character-level language model: a prompt, then one character at a time.

The compiled graph maps a whole sequence of character ids (B, T) to scores (B, T, V) for the
character after each position, so there is no hidden state to carry from one call to the
next. Each step therefore runs the model on the last ``window`` characters (the data set's
window: the longest context it was trained on; a shorter prompt is fed as it is, as the
first positions of every training window were) and draws the next character from the scores
at the *last* position: softmax(scores / temperature). Temperature 1 samples the model's own
distribution, lower values sharpen it towards its favourite characters, higher ones flatten
it; 0 always takes the most likely character (greedy), which is deterministic.

A prompt character the vocabulary lacks is an error naming each such character: the model
has no id for it, and silently dropping it would answer a prompt the person did not write.
An empty prompt starts after a new line (or the vocabulary's first character when the text
had no new lines), which is not part of the result.

Everything runs on a private copy of a weight snapshot in eval mode (DESIGN rule 6): the
training run's tensors are never read while the optimiser changes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

State = dict[str, "torch.Tensor"]
MAX_LENGTH = 100_000


class SamplingError(ValueError):
    """A prompt, temperature or model that cannot give text; the message says what to change."""


@dataclass(frozen=True)
class CharacterModel:
    """What sampling needs besides the weights: the characters (id k is ``vocabulary[k]``) and
    the longest context, in characters."""

    vocabulary: str
    window: int


def character_model(splits: Any) -> CharacterModel | None:
    """The vocabulary and window of a ``text`` data set's splits; None for any other data set
    (it has no characters to write)."""
    vocabulary = getattr(splits, "extra", {}).get("vocabulary")
    if not isinstance(vocabulary, str) or not vocabulary:
        return None
    shape = tuple(splits.info.input_shape)
    return CharacterModel(vocabulary, int(shape[0]) if len(shape) == 1 else 1)


def encode(text: str, vocabulary: str) -> list[int]:
    """The ids of ``text``'s characters (Windows and old Mac line ends read as new lines, as the
    data set reads them); ``SamplingError`` naming every one the vocabulary lacks."""
    text = _new_lines(text)
    index = {c: k for k, c in enumerate(vocabulary)}
    missing = sorted({c for c in text if c not in index})
    if missing:
        shown = ", ".join(repr(c) for c in missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        many = len(missing) > 1
        raise SamplingError(f"the prompt has {'characters' if many else 'a character'} the model never saw in its "
                            f"text: {shown}; leave {'them' if many else 'it'} out")
    return [index[c] for c in text]


def check_temperature(temperature: float) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature < 0:
        raise SamplingError(f"the temperature must be a number ≥ 0 (0: always the likeliest character), got {temperature!r}")
    return float(temperature)


def sample_text(module: torch.nn.Module, state: State | None, model: CharacterModel, prompt: str, *,
                length: int = 200, temperature: float = 1.0, seed: int = 0,
                cancelled: Callable[[], bool] = lambda: False,
                progress: Callable[[int, int], None] | None = None) -> str:
    """``prompt`` followed by ``length`` characters the model writes (see the module docstring).
    The same seed, temperature and weights give the same text. ``SamplingError`` for a bad
    prompt, temperature or length, or a model whose output is not per-character scores;
    ``analysis.landscape.Cancelled`` when ``cancelled()`` turns true between characters;
    ``progress(done, length)`` after each character."""
    import numpy as np
    import torch

    from netdesigner.analysis.landscape import Cancelled, private_copy

    temperature = check_temperature(temperature)
    if isinstance(length, bool) or not isinstance(length, int) or not 0 <= length <= MAX_LENGTH:
        raise SamplingError(f"the length must be a whole number from 0 to {MAX_LENGTH:,}, got {length!r}")
    prompt = _new_lines(prompt)
    ids = encode(prompt, model.vocabulary)
    start = [] if ids else [_start_id(model.vocabulary)]
    context = start + ids
    net = private_copy(module, state, device="cpu")
    rng = np.random.default_rng(seed)
    size = len(model.vocabulary)
    written: list[int] = []
    with torch.no_grad():
        for _ in range(length):
            if cancelled():
                raise Cancelled()
            scores = _next_scores(net, context[-model.window:], size)
            if temperature == 0:
                choice = int(np.argmax(scores))
            else:
                p = _softmax(scores / temperature)
                choice = int(rng.choice(size, p=p))
            context.append(choice)
            written.append(choice)
            if progress is not None:
                progress(len(written), length)
    return prompt + "".join(model.vocabulary[k] for k in written)


def mean_log_likelihood(module: torch.nn.Module, state: State | None, model: CharacterModel, text: str) -> float:
    """The model's mean log-probability (nats) of each character of ``text`` after the ones
    before it (up to ``window`` of them): minus its cross-entropy on that text. Text from the
    model's own corpus scores high; random characters score about −log V."""
    import numpy as np
    import torch

    from netdesigner.analysis.landscape import private_copy

    ids = encode(text, model.vocabulary)
    if len(ids) < 2:
        raise SamplingError("the text needs at least two characters")
    net = private_copy(module, state, device="cpu")
    size = len(model.vocabulary)
    total = 0.0
    with torch.no_grad():
        for k in range(1, len(ids)):
            scores = _next_scores(net, ids[max(0, k - model.window):k], size)
            total += float(scores[ids[k]] - _logsumexp(scores))
    return total / (len(ids) - 1) if np.isfinite(total) else -math.inf


def _next_scores(net: torch.nn.Module, context: list[int], size: int) -> Any:
    """The scores (float64 numpy, one per character) for the character after ``context``."""
    import torch

    out = net(torch.tensor([context], dtype=torch.int64))
    out = out[0] if isinstance(out, (tuple, list)) else out
    if out.dim() != 3 or out.shape[1] != len(context) or out.shape[2] < size:
        raise SamplingError(
            f"the model gives {tuple(out.shape[1:])} for {len(context)} characters; a character language model "
            f"gives ({len(context)}, {size}): one score per character of the vocabulary at every step "
            "(a recurrent layer with sequence output, then Linear with one output per character)")
    return out[0, -1, :size].double().numpy()


def _softmax(scores: Any) -> Any:
    import numpy as np

    e = np.exp(scores - scores.max())
    return e / e.sum()


def _logsumexp(scores: Any) -> float:
    import numpy as np

    top = scores.max()
    return float(top + np.log(np.exp(scores - top).sum()))


def _new_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _start_id(vocabulary: str) -> int:
    return vocabulary.index("\n") if "\n" in vocabulary else 0
