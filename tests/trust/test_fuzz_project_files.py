"""Damaged project files, and damaged or foreign weights beside them, either load to a usable
project or are refused with one ``ProjectError`` naming the file; none raises anything else,
takes longer than two seconds or writes to disk (issue 9; the mutations are in
``fuzz_project_cases``, the judgement in ``fuzz_harness``). ``tests/fuzz_run.py`` runs the same
mutations by the thousand."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fuzz_harness import FUZZ, Outcome, attempt_in_scratch
from fuzz_project_cases import ProjectFiles, WeightsFiles
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-projects")


@pytest.fixture(scope="module")
def project_files(work: Path) -> ProjectFiles:
    fmt = ProjectFiles()
    fmt.prepare(work)
    return fmt


@pytest.fixture(scope="module")
def weights_files(work: Path) -> WeightsFiles:
    fmt = WeightsFiles()
    fmt.prepare(work)
    return fmt



@pytest.mark.parametrize("mutation", ProjectFiles.mutations)
@settings(FUZZ, max_examples=10)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_project_file_loads_or_is_refused_clearly(project_files: ProjectFiles, work: Path, mutation: str,
                                                            rng: random.Random) -> None:
    result = attempt_in_scratch(project_files, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.parametrize("mutation", WeightsFiles.mutations)
@settings(FUZZ, max_examples=6)
@given(rng=st.randoms(use_true_random=False))
def test_weights_that_do_not_match_the_graph_load_or_are_refused_clearly(weights_files: WeightsFiles, work: Path,
                                                                         mutation: str, rng: random.Random) -> None:
    result = attempt_in_scratch(weights_files, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.parametrize("mutation", ["deep nesting", "non-finite number", "duplicate key", "truncate"])
def test_what_json_allows_but_a_project_cannot_hold_is_always_refused(project_files: ProjectFiles, work: Path,
                                                                      mutation: str) -> None:
    for seed in range(5):
        result = attempt_in_scratch(project_files, work, random.Random(seed), mutation)
        assert result.outcome is Outcome.REFUSED, result.report()
