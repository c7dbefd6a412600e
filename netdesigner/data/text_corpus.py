"""Text for a character-level language model: a text file, or the docstrings of Python's own
standard library, which every machine with NetDesigner has.

The text is cut into consecutive windows of ``window`` characters; sample i reads window i
(x, (T,) int64 character ids) and must give, at every step, the character that follows
(y, (T,) int64: x shifted left by one, plus the first character of the next window). The
windows do not overlap, so the seeded random split puts whole passages of text into the
test part that training never saw: a test loss is a loss on unseen text, not on windows that
share most of their characters with training windows.

The vocabulary is the sorted set of the text's characters; character k has id k.
``Splits.extra`` keeps it as ``vocabulary`` (a string, so sampling can map ids back to text)
and ``vocabulary_size``; ``DataInfo.class_names`` holds the characters as a person can read
them (``␣`` for a space, ``⏎`` for a new line), for the confusion table and the preview.

The default corpus is the docstrings (module, class and function) of a fixed list of
standard-library modules, read with ``ast`` from their source files (nothing is imported),
in the list's order, kept to printable ASCII and new lines (tabs become spaces, anything else
is dropped) so that its vocabulary stays under a hundred characters. Each module is read once
per process, and only as many as ``max_chars`` needs (the default 200,000: about 0.2 s). Its unigram entropy (about 3.3 nats per character for Python
3.11) is the honest baseline a model must beat: that is what knowing only the character
frequencies gives.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from netdesigner.core.errors import DataError
from netdesigner.core.params import Int
from netdesigner.data.paths import existing_file, read_bytes
from netdesigner.data.registry import DatasetSpec, TextOption
from netdesigner.data.samples import Samples
from netdesigner.data.splits import DataInfo, Task

MAX_VOCABULARY = 10_000  # as many classes as a target column may have (targets.MAX_CLASSES)
DEFAULT_SOURCE = "docstrings of the Python standard library"

# Modules written in Python, with long docstrings, in every Python from 3.9 to 3.13 (checked: the
# default corpus has 94 to 96 characters and a unigram entropy of 3.31 nats); the order is the corpus's:
# those with the most docstring per line of code first, so the default size parses the fewest.
STDLIB_MODULES = (
    "json/__init__", "codecs", "difflib", "textwrap", "statistics", "doctest", "threading", "logging/__init__",
    "typing", "ipaddress", "random", "configparser", "contextlib", "tempfile", "heapq", "shutil", "traceback",
    "fractions", "functools", "inspect", "collections/__init__", "subprocess", "argparse",
)
READABLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def load_text(o: dict[str, Any]) -> Samples:
    import numpy as np

    text, source = corpus(o["path"], o["max_chars"])
    window = o["window"]
    if len(text) < window + 1:
        where = f"{source}: has" if o["path"] else f"the {source} have"
        raise DataError(f"{where} only {len(text)} characters, but one sample needs {window + 1} (a window of "
                        f"{window} and the character after it): choose a shorter window or a longer text")
    vocabulary = "".join(sorted(set(text)))
    if len(vocabulary) > MAX_VOCABULARY:
        raise DataError(f"{source}: has {len(vocabulary)} different characters, more than the {MAX_VOCABULARY} a "
                        "vocabulary may have")
    lookup = np.zeros(max(map(ord, vocabulary)) + 1, dtype=np.int64)
    lookup[[ord(c) for c in vocabulary]] = np.arange(len(vocabulary))
    ids = lookup[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    count = (len(ids) - 1) // window
    starts = np.arange(count) * window
    steps = starts[:, None] + np.arange(window)
    info = DataInfo(
        "text", Task.SEQUENCE, input_shape=(window,), input_dtype="int64", target_shape=(window,),
        num_classes=len(vocabulary), class_names=tuple(READABLE.get(c, c) for c in vocabulary),
        feature_names=("character",), vocabulary_size=len(vocabulary),
        description=f"{count} windows of {window} characters of the {source} ({len(text):,} characters, "
                    f"{len(vocabulary)} different); predict each next character",
    )
    extra = {"vocabulary": vocabulary, "vocabulary_size": len(vocabulary), "source": source}
    return Samples(ids[steps], ids[steps + 1], info, extra=extra)


def corpus(path: str, max_chars: int) -> tuple[str, str]:
    """(the text, what it is): the file at ``path`` (UTF-8, new lines made ``\\n``), or the
    standard library's docstrings when ``path`` is empty; at most ``max_chars`` characters."""
    if not path:
        return stdlib_docstrings(max_chars), DEFAULT_SOURCE
    file = existing_file(path, "text")
    return read_text(file)[:max_chars], str(file)


def read_text(path: Path) -> str:
    """The file's text, or one ``DataError`` that names it: empty, binary, or not UTF-8."""
    data = read_bytes(path)
    if not data:
        raise DataError(f"{path}: is empty; a language model needs text to learn from")
    if b"\0" in data[:65536]:
        raise DataError(f"{path}: is not a text file (it holds zero bytes, as binary files do)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: is not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start} is not "
                        "valid UTF-8); save it as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError(f"{path}: holds only white space; a language model needs text to learn from")
    return text


def stdlib_docstrings(max_chars: int) -> str:
    """The first ``max_chars`` characters of the default corpus (see the module docstring):
    the modules' docstrings in ``STDLIB_MODULES`` order, only as many modules read as needed."""
    parts: list[str] = []
    length = 0
    for module in STDLIB_MODULES:
        if length >= max_chars:
            break
        text = _module_docstrings(module)
        if text:
            parts.append(text)
            length += len(text) + 2
    if not parts:
        import sysconfig

        raise DataError(f"no standard-library source found under {sysconfig.get_paths()['stdlib']} to read "
                        "docstrings from: choose a text file")
    return "\n\n".join(parts)[:max_chars]


@cache
def _module_docstrings(module: str) -> str:
    """The docstrings of one standard-library module, printable ASCII and new lines only; ""
    when this Python lacks it. Read once per process."""
    import ast
    import sysconfig

    path = Path(sysconfig.get_paths()["stdlib"]) / f"{module}.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ""  # a Python without this module (or a stripped install): the others still make a corpus
    parts = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node)
            if doc:
                parts.append(doc)
    text = "\n\n".join(parts).replace("\t", " ")
    return "".join(c for c in text if c == "\n" or " " <= c <= "~")


DATASETS = (
    DatasetSpec(
        "text", "Text (characters)",
        "Predict each next character of a text: a character-level language model. Default text: the "
        "docstrings of the Python standard library.",
        "file",
        (TextOption("path", "", "a UTF-8 text file; empty: the docstrings of the Python standard library", browse="file"),
         Int("window", 64, "characters per sample: the model reads them and predicts, after each, the next one",
             min=2, max=4096),
         Int("max_chars", 200_000, "use at most this many characters from the start of the text", min=100,
             max=100_000_000)),
        load_text,
    ),
)
