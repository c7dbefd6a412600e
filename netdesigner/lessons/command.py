"""``netdesigner lesson FILE``: trains the variants an example project's lesson compares and
checks every result it promises, printing what was measured.

Exit codes: 0 every claim holds; 1 a claim fails (or a variant fails to train); 2 the project
or its data set cannot be read, or it has no lesson. Importing this module imports no torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_lesson_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lesson", help="train an example project's variants and check the results its lesson promises")
    parser.add_argument("file", help="a .ndproj project with a lesson")
    parser.add_argument("--variant", action="append", metavar="NAME",
                        help="train only this variant (repeatable; default: every variant a claim names)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the measures and claims as JSON")
    return parser


def run_lesson(args: argparse.Namespace) -> int:
    from netdesigner.core.errors import DataError, ProjectError
    from netdesigner.core.project import Project
    from netdesigner.lessons.runner import check_lesson
    from netdesigner.train.events import RunStarted

    try:
        project = Project.load(args.file)
    except ProjectError as e:
        return _error(str(e), EXIT_USAGE)
    lesson = project.lesson
    if lesson is None:
        return _error(f"{args.file}: the project has no lesson (a 'lesson' object with its claims)", EXIT_USAGE)
    if args.variant:
        unknown = [n for n in args.variant if n not in lesson.variant_names()]
        if unknown:
            return _error(f"{args.file}: the lesson has no variant {unknown[0]!r}; it has {', '.join(lesson.variant_names())}", EXIT_USAGE)
    print(f"{project.name}" + (f" ({lesson.topic})" if lesson.topic else ""))

    def progress(name: str, event: Any) -> None:
        if isinstance(event, RunStarted):
            print(f"training {name!r}: up to {event.epochs} epochs of {event.samples} samples …", flush=True)

    try:
        report = check_lesson(project, names=args.variant, progress=progress)
    except DataError as e:
        return _error(str(e), EXIT_USAGE)
    for run in report.runs.values():
        print(f"  {run.describe()}")
    results = report.results if not args.variant else [r for r in report.results if not r.problem]
    for result in results:
        print(result.describe())
    if args.json:
        try:
            _write_json(args.json, report, results)
        except OSError as e:
            return _error(f"cannot write {args.json}: {e.strerror or e}", EXIT_USAGE)
    failed = [r for r in results if not r.holds] + [r for r in report.runs.values() if not r.ok]
    print("every claim holds" if not failed else f"{len(failed)} claim(s) or run(s) failed")
    return EXIT_FAILED if failed else EXIT_OK


def _write_json(path: str, report: Any, results: list) -> None:
    import math

    def number(v: float | None) -> float | str | None:
        return v if v is None or math.isfinite(v) else str(v)

    doc = {
        "runs": {name: {"failure": run.failure, "curves": run.curves,
                        "measures": {k: number(v) for k, v in (run.measures.values if run.ok else {}).items()}}
                 for name, run in report.runs.items()},
        "claims": [{"claim": r.claim.describe(), "holds": r.holds, "measured": number(r.mine),
                    "compared_with": number(r.theirs), "problem": r.problem} for r in results],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)


def _error(message: str, code: int) -> int:
    print(f"netdesigner lesson: {message}", file=sys.stderr)
    return code
