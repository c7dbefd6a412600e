"""What every fuzzed load is held to (issue 9, "bad input, attacked on purpose"), shared by the
hypothesis tests in ``tests/trust`` and by ``tests/fuzz_run.py``.

A mutated file either loads to a valid result or is refused with the format's own error type,
whose message names the file; anything else (another exception type, a load slower than
``LIMIT_S``, a file written or changed beside it) is a finding. The formats (``FuzzFormat``)
live in ``fuzz_project_cases``, ``fuzz_data_cases`` and ``fuzz_onnx_cases``; this module
holds what they share: the outcome of one attempt, the byte and value mutations, and the guard
that stops a load that hangs.
"""

from __future__ import annotations

import contextlib
import math
import random
import shutil
import signal
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

LIMIT_S = 2.0  # the longest one load may take
HARD_STOP_S = 10.0  # a load still running then is interrupted, so a hang is reported, not waited on

# the hypothesis tests' settings: a fixed seed per test (derandomize) so CI runs the same inputs every time
FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


class Outcome(Enum):
    LOADED = "loaded"
    REFUSED = "refused with a clear error"
    CRASHED = "other exception"
    SLOW = f"slow (> {LIMIT_S:g} s)"


@dataclass
class Attempt:
    """What one mutated input did: its outcome, how long the load took, and the error's text."""

    format: str
    mutation: str
    outcome: Outcome
    seconds: float
    error: str = ""  # the refusal's message, or the traceback of a crash

    def report(self) -> str:
        return f"{self.format} / {self.mutation}: {self.outcome.value} after {self.seconds:.2f} s\n{self.error}"


class FuzzFormat:
    """One kind of input: its seed files, the mutations that damage them, how it is loaded and
    what a valid result is. Subclasses fill these in; ``attempt`` is the same for all."""

    name: str = ""
    error: type[Exception] = Exception  # the one error type a refusal may have
    mutations: tuple[str, ...] = ()

    def prepare(self, seeds: Path) -> None:
        """Makes the valid seed inputs under ``seeds`` and warms up what the loads import."""

    def write_case(self, folder: Path, rng: random.Random, mutation: str) -> Any:
        """Writes one mutated input into the empty ``folder``; returns what ``load`` takes."""
        raise NotImplementedError

    def load(self, target: Any) -> Any:
        """Loads ``target`` and checks that what loaded is usable (raises if it is not)."""
        raise NotImplementedError

    def names_file(self, message: str, target: Any, folder: Path) -> bool:
        """Whether a refusal's message says which file (or folder) it is about."""
        return str(folder) in message


class _HardStop(BaseException):
    """Raised into a load that runs past ``HARD_STOP_S`` (a BaseException: no loader's
    ``except Exception`` may swallow it)."""


@contextlib.contextmanager
def _hard_stop() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise _HardStop

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, HARD_STOP_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time: what "nothing written"
    compares before and after a load."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if not p.is_symlink()}


def attempt(fmt: FuzzFormat, folder: Path, rng: random.Random, mutation: str) -> Attempt:
    """Writes one mutated input into ``folder``, loads it and judges the outcome.

    Warnings raised in NetDesigner's own code count as errors, as the test suite's
    ``filterwarnings`` makes them.
    """
    target = fmt.write_case(folder, rng, mutation)
    before = listing(folder)
    error, outcome = "", Outcome.LOADED
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), _hard_stop():
            warnings.filterwarnings("error", module="netdesigner")
            fmt.load(target)
    except _HardStop:
        outcome, error = Outcome.SLOW, f"interrupted after {HARD_STOP_S:g} s"
    except fmt.error as e:
        outcome, error = Outcome.REFUSED, str(e)
        if not error.strip() or not fmt.names_file(error, target, folder):
            outcome, error = Outcome.CRASHED, f"the message does not name the file:\n{error}"
    except Exception:  # noqa: BLE001 - every other type (RecursionError and MemoryError too) is the finding
        outcome, error = Outcome.CRASHED, traceback.format_exc()
    seconds = time.perf_counter() - start
    if outcome is not Outcome.CRASHED and seconds > LIMIT_S:
        outcome = Outcome.SLOW
    after = listing(folder)
    if after != before:
        changed = sorted(set(after) ^ set(before) | {k for k in after if k in before and after[k] != before[k]})
        outcome, error = Outcome.CRASHED, f"the load wrote to disk: {changed}\n{error}"
    return Attempt(fmt.name, mutation, outcome, seconds, error)


def attempt_in_scratch(fmt: FuzzFormat, work: Path, rng: random.Random, mutation: str) -> Attempt:
    """``attempt`` in a fresh folder under ``work``, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=work))
    try:
        return attempt(fmt, folder, rng, mutation)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---- byte mutations ---------------------------------------------------------------------------
def random_bytes(rng: random.Random, count: int) -> bytes:
    """``count`` random bytes from one draw of ``rng`` (hypothesis records every draw, so
    thousands of them would make a test case too large to shrink)."""
    return random.Random(rng.getrandbits(64)).randbytes(count)


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """A few bytes replaced by random ones (or bit flips), anywhere in the file."""
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 8, 32))):
        i = rng.randrange(len(out))
        out[i] = out[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut short, as a crashed copy or download leaves it."""
    return data[:rng.randrange(len(data))] if data else data


def splice(data: bytes, rng: random.Random) -> bytes:
    """A span deleted, repeated or replaced by random bytes."""
    if len(data) < 2:
        return data + random_bytes(rng, 4)
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.choice((1, 4, 16, 256, 4096)))
    choice = rng.randrange(3)
    if choice == 0:
        return data[:i] + data[j:]
    if choice == 1:
        return data[:j] + data[i:j] * rng.randint(1, 8) + data[j:]
    return data[:i] + random_bytes(rng, j - i) + data[j:]


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip bytes": flip_bytes,
    "truncate": truncate,
    "splice": splice,
}


# ---- hostile values ---------------------------------------------------------------------------
MEGABYTE = 1 << 20


def nasty_value(rng: random.Random) -> Any:
    """A JSON-able value of the kind that breaks readers: wrong types, extreme and non-finite
    numbers, huge and odd texts, empty and nested containers."""
    return rng.choice(_NASTY)()


def nasty_text(rng: random.Random) -> str:
    return rng.choice(_TEXTS)()


_TEXTS: list[Callable[[], str]] = [
    lambda: "",
    lambda: " ",
    lambda: "x" * MEGABYTE,
    lambda: "ünïcödé",
    lambda: "名前",
    lambda: "\u202eevil",
    lambda: "\ud800",  # a lone surrogate: valid in JSON text, not encodable as UTF-8
    lambda: "\x00",
    lambda: "a\nb",
    lambda: "__import__('os').system('touch pwned')",
    lambda: "../../etc/passwd",
    lambda: "conv1",
    lambda: "n1",
    lambda: "n" + "9" * 5000,
    lambda: "²",
    lambda: "١٢",
    lambda: "1e999",
    lambda: "NaN",
    lambda: "cuda:²",
    lambda: "forward",
]

_NASTY: list[Callable[[], Any]] = [
    lambda: None,
    lambda: True,
    lambda: False,
    lambda: 0,
    lambda: -1,
    lambda: 1,
    lambda: 3,
    lambda: 2**31,
    lambda: 2**63,
    lambda: -(2**63) - 1,
    lambda: 10**400,
    lambda: 0.5,
    lambda: -0.0,
    lambda: 1e308,
    lambda: -1e308,
    lambda: 5e-324,
    lambda: math.nan,
    lambda: math.inf,
    lambda: -math.inf,
    lambda: [],
    lambda: {},
    lambda: [1, 2],
    lambda: [-1, -1],
    lambda: [0] * 9,
    lambda: {"a": 1},
    lambda: [[[[[]]]]],
    *(lambda t=t: t() for t in _TEXTS),
]
