"""Damaged ONNX files, made from models exported from the example projects, either import to
a graph that validates or are refused with one ``ImportFailed`` naming the file; none raises
anything else, takes longer than two seconds or writes to disk (issue 9; the mutations are in
``fuzz_onnx_cases``, the judgement in ``fuzz_harness``). ``tests/fuzz_run.py`` runs the same
mutations by the thousand."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from fuzz_harness import FUZZ, Outcome, attempt_in_scratch
from fuzz_onnx_cases import OnnxFiles
from hypothesis import given, settings
from hypothesis import strategies as st

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)

@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-onnx")


@pytest.fixture(scope="module")
def onnx_files(work: Path) -> OnnxFiles:
    fmt = OnnxFiles()
    seeds = work / "seeds"
    seeds.mkdir()
    fmt.prepare(seeds)
    return fmt


@pytest.mark.parametrize("mutation", OnnxFiles.mutations)
@settings(FUZZ, max_examples=10)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_onnx_file_imports_or_is_refused_clearly(onnx_files: OnnxFiles, work: Path, mutation: str,
                                                           rng: random.Random) -> None:
    result = attempt_in_scratch(onnx_files, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.parametrize("mutation", ["node inputs", "recursive function", "external data"])
def test_cycles_and_weights_outside_the_folder_are_refused_without_hanging(onnx_files: OnnxFiles, work: Path,
                                                                           mutation: str) -> None:
    for seed in range(6):
        result = attempt_in_scratch(onnx_files, work, random.Random(seed), mutation)
        assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()
