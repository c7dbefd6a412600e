"""The ``netdesigner`` command. ``--help`` answers without importing torch (DESIGN rule 8).

Exit codes: 0 ok, 1 the model is invalid, 2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from netdesigner import __version__

    parser = argparse.ArgumentParser(
        prog="netdesigner",
        description="Design, train and ship neural networks visually. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"netdesigner {__version__}")
    parser.add_argument("--versions", action=_PrintVersions,
                        help="print the versions of NetDesigner, Python, PySide6, torch, onnx and onnxruntime "
                             "(for bug reports; the same as Help > About) and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the window (optionally on a project)")
    gui.add_argument("file", nargs="?", help="a .ndproj project")
    gui.add_argument("--screenshot", metavar="PNG", help="render the window to PNG and quit")
    gui.add_argument("--theme", choices=("system", "light", "dark"), default="system", help="colour scheme (default: the system's)")

    validate = sub.add_parser("validate", help="check a project; exit 1 if the model has errors")
    validate.add_argument("file", help="a .ndproj project")

    summary = sub.add_parser("summary", help="layer table: output shapes, parameters, MACs")
    summary.add_argument("file", help="a .ndproj project")
    summary.add_argument("--json", action="store_true", help="machine-readable output")

    from netdesigner.train.command import add_train_parser

    add_train_parser(sub)

    from netdesigner.analysis.command import add_landscape_parser

    add_landscape_parser(sub)

    from netdesigner.analysis.activations_command import add_activations_parser

    add_activations_parser(sub)

    from netdesigner.analysis.picture_command import add_picture_parser

    add_picture_parser(sub)

    from netdesigner.analysis.sample_command import add_sample_parser

    add_sample_parser(sub)

    from netdesigner.lessons.command import add_lesson_parser

    add_lesson_parser(sub)

    from netdesigner.export.command import add_export_parser

    add_export_parser(sub)

    from netdesigner.importer.command import add_import_parser, add_import_torch_parser

    add_import_parser(sub)
    add_import_torch_parser(sub)

    code = sub.add_parser("code", help="print the PyTorch code the compiler generates")
    code.add_argument("file", help="a .ndproj project")

    bench = sub.add_parser("bench", help="measure shape inference, compile and window speed")
    bench.add_argument("--repeat", type=int, default=7, help="timed repetitions per figure (median is shown)")
    bench.add_argument("--json", action="store_true", help="machine-readable output")
    bench.add_argument("--only", choices=("core", "ui", "train", "analysis"),
                       help="core: shape inference and compile; ui: the window (offscreen); "
                            "train: the trainer against a hand-written loop; analysis: the loss landscape, live views, "
                            "ONNX export, import and onnxruntime; default all")
    return parser


class _PrintVersions(argparse.Action):
    """``--versions``: like ``--version``, it answers and exits before any command is parsed."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from netdesigner.versions import version_report

        print(version_report())
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].endswith(".ndproj") and len(argv) == 1):
        argv = ["gui", *argv]
    args = _parser().parse_args(argv)
    from netdesigner.core.errors import ProjectError

    try:
        return COMMANDS[args.command](args)
    except ProjectError as e:
        print(f"netdesigner: {e}", file=sys.stderr)
        return EXIT_USAGE


def _gui(args: argparse.Namespace) -> int:
    from netdesigner.ui.app import run_window

    return run_window(args.file, args.screenshot, args.theme)


def _validate(args: argparse.Namespace) -> int:
    from netdesigner.core.project import Project
    from netdesigner.core.shapes import infer_shapes
    from netdesigner.core.validation import Severity, validate

    project = Project.load(args.file)
    problems = validate(project.graph, infer_shapes(project.graph))
    for problem in problems:
        print(problem.describe(project.graph))
    bad = [p for p in problems if p.severity is Severity.ERROR]
    if bad:
        print(f"{args.file}: {len(bad)} error(s)")
        return EXIT_INVALID
    print(f"{args.file}: ok ({len(project.graph)} layers)")
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    from netdesigner.core.project import Project
    from netdesigner.core.summary import format_table, summarize

    project = Project.load(args.file)
    summary = summarize(project.graph)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(format_table(summary, title=project.name))
    return EXIT_INVALID if summary.errors else EXIT_OK


def _code(args: argparse.Namespace) -> int:
    from netdesigner.core.errors import NetDesignerError
    from netdesigner.core.project import Project
    from netdesigner.export.python_model_source import graph_source

    project = Project.load(args.file)
    try:
        text = graph_source(project.graph, project.name)
    except NetDesignerError as e:
        print(f"netdesigner: {args.file}: {e}", file=sys.stderr)
        return EXIT_INVALID
    print(text)
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from netdesigner.bench import run_bench

    return run_bench(repeat=args.repeat, as_json=args.json, only=args.only)


def _train(args: argparse.Namespace) -> int:
    from netdesigner.train.command import run_train

    return run_train(args)


def _landscape(args: argparse.Namespace) -> int:
    from netdesigner.analysis.command import run_landscape

    return run_landscape(args)


def _activations(args: argparse.Namespace) -> int:
    from netdesigner.analysis.activations_command import run_activations

    return run_activations(args)


def _picture(args: argparse.Namespace) -> int:
    from netdesigner.analysis.picture_command import run_picture

    return run_picture(args)


def _lesson(args: argparse.Namespace) -> int:
    from netdesigner.lessons.command import run_lesson

    return run_lesson(args)


def _sample(args: argparse.Namespace) -> int:
    from netdesigner.analysis.sample_command import run_sample

    return run_sample(args)


def _import(args: argparse.Namespace) -> int:
    from netdesigner.importer.command import run_import

    return run_import(args)


def _import_torch(args: argparse.Namespace) -> int:
    from netdesigner.importer.command import run_import_torch

    return run_import_torch(args)


def _export(args: argparse.Namespace) -> int:
    from netdesigner.export.command import run_export

    return run_export(args)


COMMANDS = {"gui": _gui, "validate": _validate, "summary": _summary, "code": _code, "bench": _bench,
            "train": _train, "landscape": _landscape, "activations": _activations, "picture": _picture, "sample": _sample,
            "lesson": _lesson, "import": _import, "import-torch": _import_torch, "export": _export}


if __name__ == "__main__":
    raise SystemExit(main())
