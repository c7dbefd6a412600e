"""The ``text`` data set: windows of characters and the character after each, from a file or
from the standard library's docstrings; bad files are one DataError naming the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from netdesigner.core.errors import DataError
from netdesigner.core.graph import Graph
from netdesigner.core.shapes import infer_shapes
from netdesigner.data.fit_graph import fit_edit, propose_fit
from netdesigner.data.preview import preview_dataset
from netdesigner.data.registry import dataset_spec, load_dataset
from netdesigner.data.splits import Task
from netdesigner.data.text_corpus import stdlib_docstrings


def _samples(**options):
    spec = dataset_spec("text")
    return spec.loader(spec.coerce_options(options))


def _decode(vocabulary: str, ids) -> str:
    return "".join(vocabulary[int(k)] for k in ids)


def test_the_default_corpus_is_printable_ascii_docstrings_and_the_same_every_time() -> None:
    text = stdlib_docstrings(50_000)
    assert len(text) == 50_000
    assert text.startswith("JSON (JavaScript Object Notation)")  # json's module docstring comes first
    assert all(c == "\n" or " " <= c <= "~" for c in text)
    assert stdlib_docstrings(50_000) == text
    assert stdlib_docstrings(200_000).startswith(text)  # a longer corpus only adds to the end


def test_windows_are_consecutive_text_and_targets_are_the_next_characters() -> None:
    samples = _samples(window=32, max_chars=10_000)
    x, y, vocabulary = samples.x, samples.y, samples.extra["vocabulary"]
    assert x.dtype == np.int64 and y.dtype == np.int64
    assert x.shape == y.shape == ((10_000 - 1) // 32, 32)
    text = stdlib_docstrings(10_000)
    assert _decode(vocabulary, x.reshape(-1)) == text[:x.size]  # the windows, one after the other, are the text
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])  # the target at step t is the input at step t + 1
    np.testing.assert_array_equal(y[:-1, -1], x[1:, 0])  # and the last one is the next window's first
    assert _decode(vocabulary, y[-1]) == text[x.size - 31:x.size + 1]


def test_the_vocabulary_is_the_sorted_characters_and_the_info_says_so() -> None:
    splits = load_dataset("text", {"window": 64})
    vocabulary = splits.extra["vocabulary"]
    assert vocabulary == "".join(sorted(set(stdlib_docstrings(200_000))))
    assert 80 <= len(vocabulary) <= 96 and "\n" in vocabulary and " " in vocabulary
    info = splits.info
    assert info.task is Task.SEQUENCE and info.input_dtype == "int64"
    assert info.input_shape == (64,) and info.target_shape == (64,)
    assert info.num_classes == info.vocabulary_size == splits.extra["vocabulary_size"] == len(vocabulary)
    assert info.class_names[vocabulary.index(" ")] == "␣" and info.class_names[vocabulary.index("\n")] == "⏎"
    assert info.class_names[vocabulary.index("a")] == "a"
    assert splits.train.x.dtype == splits.train.y.dtype == splits.train.x.dtype  # int64 both
    assert int(splits.train.x.max()) < len(vocabulary) and int(splits.test.y.max()) < len(vocabulary)
    assert len(splits.train) + len(splits.val) + len(splits.test) == (200_000 - 1) // 64


def test_a_text_file_gives_its_own_characters(tmp_path: Path) -> None:
    path = tmp_path / "poem.txt"
    path.write_bytes("Ünïcode is fine,\r\nand so are new lines.\r\n".encode() * 5)
    samples = _samples(path=str(path), window=8)
    vocabulary = samples.extra["vocabulary"]
    assert vocabulary == "".join(sorted(set("Ünïcode is fine,\nand so are new lines.\n")))
    assert "\r" not in vocabulary  # Windows line ends are one new line
    assert samples.extra["source"] == str(path) and "poem.txt" in samples.info.description
    assert _decode(vocabulary, samples.x[0]) == "Ünïcode "


@pytest.mark.parametrize(("content", "problem"), [
    (None, "no such file"),
    (b"", "is empty"),
    (b"  \n\t\n", "only white space"),
    (b"PK\x03\x04\x00\x00binary", "not a text file"),
    ("caf\xe9 au lait, with an old encoding".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3"),
    (b"too short", "only 9 characters, but one sample needs 65"),
])
def test_bad_files_are_one_data_error_naming_the_file(tmp_path: Path, content: bytes | None, problem: str) -> None:
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_dataset("text", {"path": str(path)})
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_folder_is_not_a_text_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder"):
        load_dataset("text", {"path": str(tmp_path)})


def test_fitting_a_graph_sizes_the_embedding_and_the_last_linear_to_the_vocabulary() -> None:
    g = Graph()
    x = g.input((10,), name="chars")
    h = g.add("Embedding", x, num_embeddings=1000, embedding_dim=8, name="embed")
    h = g.add("GRU", h, hidden_size=16, output="sequence")
    g.output(g.add("Linear", h, out_features=10, name="head"))
    info = load_dataset("text", {"window": 32}).info
    size = info.vocabulary_size
    proposals = {(p.param, p.old, p.new) for p in propose_fit(g, info)}
    assert proposals == {("shape", (10,), (32,)), ("dtype", "float32", "int64"), ("num_embeddings", 1000, size),
                         ("out_features", 10, size)}
    g.apply(fit_edit(propose_fit(g, info)))
    assert propose_fit(g, info) == [] and infer_shapes(g).errors() == {}


def test_the_preview_shows_windows_as_text_with_the_next_character() -> None:
    p = preview_dataset("text", {"window": 16}, count=3)
    assert p.kind == "table" and p.columns == ("text", "next character")
    text = stdlib_docstrings(200_000)
    shown = [row[0].replace("⏎", "\n") for row in p.rows]
    assert all(len(s) == 16 and s in text for s in shown)
    assert len(p.rows) == 3 and all(len(row[1]) == 1 for row in p.rows)
