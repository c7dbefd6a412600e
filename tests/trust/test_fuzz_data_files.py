"""Damaged CSV tables, ``.npz`` archives and image folders either load to a usable data set
or are refused with one ``DataError`` naming the file; none raises anything else, takes longer
than two seconds or writes to disk, and no ``.npz`` is ever unpickled (issue 9; the mutations
are in ``fuzz_data_cases``, the judgement in ``fuzz_harness``). ``tests/fuzz_run.py`` runs the
same mutations by the thousand."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fuzz_data_cases import CsvFiles, ImageFolders, NpzFiles
from fuzz_harness import FUZZ, FuzzFormat, Outcome, attempt_in_scratch
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-data")


def _prepared(fmt: FuzzFormat, work: Path) -> FuzzFormat:
    seeds = work / f"{fmt.name}-seeds"
    seeds.mkdir()
    fmt.prepare(seeds)
    return fmt


@pytest.fixture(scope="module")
def csv_files(work: Path) -> FuzzFormat:
    return _prepared(CsvFiles(), work)


@pytest.fixture(scope="module")
def npz_files(work: Path) -> FuzzFormat:
    return _prepared(NpzFiles(), work)


@pytest.fixture(scope="module")
def image_folders(work: Path) -> FuzzFormat:
    return _prepared(ImageFolders(), work)



@pytest.mark.parametrize("mutation", CsvFiles.mutations)
@settings(FUZZ, max_examples=10)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_csv_file_loads_or_is_refused_clearly(csv_files: FuzzFormat, work: Path, mutation: str,
                                                        rng: random.Random) -> None:
    result = attempt_in_scratch(csv_files, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.parametrize("mutation", NpzFiles.mutations)
@settings(FUZZ, max_examples=12)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_npz_file_loads_or_is_refused_clearly(npz_files: FuzzFormat, work: Path, mutation: str,
                                                        rng: random.Random) -> None:
    result = attempt_in_scratch(npz_files, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, before the refusal
@pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # "Corrupt EXIF data" and the like, in files made to be corrupt
@pytest.mark.parametrize("mutation", ImageFolders.mutations)
@settings(FUZZ, max_examples=10)
@given(rng=st.randoms(use_true_random=False))
def test_a_damaged_image_folder_loads_or_is_refused_clearly(image_folders: FuzzFormat, work: Path, mutation: str,
                                                            rng: random.Random) -> None:
    result = attempt_in_scratch(image_folders, work, rng, mutation)
    assert result.outcome in (Outcome.LOADED, Outcome.REFUSED), result.report()


@pytest.mark.parametrize("mutation", ["pickle", "not an archive", "zero-size giant"])
def test_an_npz_that_would_need_unpickling_or_declares_giant_arrays_is_refused(npz_files: FuzzFormat, work: Path,
                                                                              mutation: str) -> None:
    """The pickles would write a file if run (the harness's "nothing written" check); the
    giant is 10^18 samples of no bytes, which must be refused before anything walks it."""
    for seed in range(8):
        result = attempt_in_scratch(npz_files, work, random.Random(seed), mutation)
        assert result.outcome is Outcome.REFUSED, result.report()
        if mutation == "pickle":
            assert "never unpickles" in result.error
