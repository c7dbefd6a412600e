"""``netdesigner import MODEL.onnx -o FILE.ndproj``: an ONNX model as a project with its
weights, ready to open, train and export again.

Importing this module imports no torch or onnx (``--help`` stays fast). Exit codes: 0 done;
1 the model has ops without an equal layer (all are listed); 2 a file cannot be read or
written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_import_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("import", help="turn an ONNX model into a project with its weights")
    parser.add_argument("model", help="a .onnx file")
    parser.add_argument("-o", "--output", metavar="FILE.ndproj", help="the project to write (default: beside the model)")
    return parser


def run_import(args: argparse.Namespace) -> int:
    from netdesigner.core.errors import ProjectError
    from netdesigner.importer.onnx_import import ImportFailed, project_from_onnx

    model = Path(args.model)
    target = Path(args.output) if args.output else model.with_suffix(".ndproj")
    try:
        project, notes = project_from_onnx(model)
    except ImportFailed as e:
        unreadable = "no such file" in str(e) or "not an ONNX model" in str(e)
        return _error(str(e), EXIT_USAGE if unreadable else EXIT_INVALID)
    try:
        project.save(target)
    except ProjectError as e:
        return _error(str(e), EXIT_USAGE)
    layers = sum(1 for n in project.graph.nodes() if n.type not in ("Input", "Output"))
    print(f"{model}: {layers} layers, {sum(t.numel() for t in project.weights.values()):,} weights → {target}")
    for note in notes:
        print(f"note: {note}")
    return EXIT_OK


def _error(message: str, code: int) -> int:
    print(f"netdesigner import: {message}", file=sys.stderr)
    return code
