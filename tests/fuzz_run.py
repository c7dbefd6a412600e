"""Runs many seeded random mutations per input format and counts what each did (issue 9).

    .venv/bin/python tests/fuzz_run.py --count 10000 [--format project|weights|csv|npz|images|onnx] [--seed 0]

The same mutations and judgement as the hypothesis tests in ``tests/trust`` (``fuzz_harness``),
without shrinking: per format it prints how many inputs loaded, how many were refused with the
format's clear error, how many raised anything else (with the first tracebacks of each kind)
and how many took longer than the limit. Exits 1 when any input crashed or was slow.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "trust"))

from fuzz_harness import LIMIT_S, Attempt, FuzzFormat, Outcome, attempt  # noqa: E402

SHOWN_PER_KIND = 3  # tracebacks printed for each distinct last line


def formats() -> dict[str, FuzzFormat]:
    from fuzz_data_cases import CsvFiles, ImageFolders, NpzFiles
    from fuzz_onnx_cases import OnnxFiles
    from fuzz_project_cases import ProjectFiles, WeightsFiles

    found = [ProjectFiles(), WeightsFiles(), CsvFiles(), NpzFiles(), ImageFolders(), OnnxFiles()]
    return {f.name: f for f in found}


def run_format(fmt: FuzzFormat, count: int, seed: int, work: Path, *, progress: bool = True,
               keep: Path | None = None) -> list[Attempt]:
    """``count`` mutations of ``fmt``'s seeds, each loaded in a fresh folder under ``work``;
    the folders of inputs that crashed or were slow are copied under ``keep``, if given."""
    seeds = work / f"{fmt.name}-seeds"
    seeds.mkdir()
    fmt.prepare(seeds)
    rng = random.Random(f"{seed}/{fmt.name}")
    attempts = []
    started = time.perf_counter()
    for i in range(count):
        folder = work / f"{fmt.name}-{i}"
        folder.mkdir()
        mutation = rng.choice(fmt.mutations)
        case_rng = random.Random(rng.getrandbits(64))
        result = attempt(fmt, folder, case_rng, mutation)
        attempts.append(result)
        if keep is not None and result.outcome in (Outcome.CRASHED, Outcome.SLOW):
            shutil.copytree(folder, keep / folder.name, symlinks=True, dirs_exist_ok=True)
            (keep / folder.name / "REPORT.txt").write_text(result.report())
        shutil.rmtree(folder, ignore_errors=True)
        if progress and (i + 1) % 500 == 0:
            print(f"  {fmt.name}: {i + 1}/{count} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return attempts


def summary(name: str, attempts: list[Attempt], seconds: float) -> str:
    counts = Counter(a.outcome for a in attempts)
    slowest = max(attempts, key=lambda a: a.seconds, default=None)
    slow_text = f"slowest load {slowest.seconds:.2f} s, {slowest.mutation}" if slowest else "none"
    lines = [f"{name}: {len(attempts)} inputs in {seconds:.0f} s ({slow_text}): "
             + ", ".join(f"{counts[o]} {o.value}" for o in Outcome)]
    by_kind: dict[str, list[Attempt]] = {}
    for a in attempts:
        if a.outcome in (Outcome.CRASHED, Outcome.SLOW):
            last = a.error.strip().splitlines()[-1] if a.error.strip() else a.outcome.value
            by_kind.setdefault(last, []).append(a)
    for last, group in by_kind.items():
        lines.append(f"  {len(group)} × {last}")
        for a in group[:SHOWN_PER_KIND]:
            lines.append("    " + a.report().replace("\n", "\n    "))
    by_mutation = Counter((a.mutation, a.outcome) for a in attempts)
    lines.append("  per mutation: " + "; ".join(
        f"{m} {by_mutation[m, Outcome.LOADED]}/{by_mutation[m, Outcome.REFUSED]}"
        + (f"/crash {by_mutation[m, Outcome.CRASHED]}" if by_mutation[m, Outcome.CRASHED] else "")
        + (f"/slow {by_mutation[m, Outcome.SLOW]}" if by_mutation[m, Outcome.SLOW] else "")
        for m in sorted({a.mutation for a in attempts})) + "  (loaded/refused)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    all_formats = formats()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="mutations per format")
    parser.add_argument("--format", choices=sorted(all_formats), action="append",
                        help="only this format (repeat for several; default: all)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed repeats the same inputs")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="copy the inputs that crashed or were slow here")
    args = parser.parse_args(argv)
    chosen = args.format or list(all_formats)
    print(f"fuzzing {', '.join(chosen)}: {args.count} inputs each, seed {args.seed}, limit {LIMIT_S:g} s per load", flush=True)
    bad = 0
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"fuzzA_{name}_") as work:
            started = time.perf_counter()
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
            attempts = run_format(all_formats[name], args.count, args.seed, Path(work), keep=args.keep)
            print(summary(name, attempts, time.perf_counter() - started), flush=True)
        bad += sum(a.outcome in (Outcome.CRASHED, Outcome.SLOW) for a in attempts)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
