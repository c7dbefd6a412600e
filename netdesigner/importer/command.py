"""``netdesigner import MODEL.onnx -o FILE.ndproj``: an ONNX model as a project with its
weights, ready to open, train and export again; ``netdesigner import-torch
module.py:ClassName --input-shape 1,28,28`` the same from a PyTorch module (which is run).

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


def add_import_torch_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import-torch", help="turn a PyTorch nn.Module class into a project (runs the Python file)",
        description="Imports FILE.py and builds ClassName() to trace it. This RUNS THE PYTHON FILE as code, "
                    "with your permissions, as 'python FILE.py' would: use it only on code you trust. "
                    "Project, weights, data and ONNX files are never run; this command is the one exception.")
    parser.add_argument("spec", metavar="FILE.py:ClassName", help="the module class, built without arguments")
    parser.add_argument("--input-shape", action="append", required=True, metavar="C,H,W",
                        help="the shape of one sample, without the batch (repeat for several inputs)")
    parser.add_argument("-o", "--output", metavar="FILE.ndproj", help="the project to write (default: beside the file)")
    return parser


def run_import_torch(args: argparse.Namespace) -> int:
    from netdesigner.core.errors import ProjectError
    from netdesigner.core.project import Project
    from netdesigner.importer.onnx_import import ImportFailed
    from netdesigner.importer.torch_import import import_class

    try:
        shapes = [tuple(int(d) for d in text.split(",") if d.strip()) for text in args.input_shape]
    except ValueError:
        return _error(f"--input-shape takes sizes separated by commas, e.g. 1,28,28, not {args.input_shape}", EXIT_USAGE)
    source = Path(args.spec.rpartition(":")[0])
    target = Path(args.output) if args.output else source.with_name(f"{args.spec.rpartition(':')[2]}.ndproj")
    try:
        imported = import_class(args.spec, shapes)
    except ImportFailed as e:
        return _error(str(e), EXIT_INVALID)
    project = Project(imported.graph, name=imported.name, description=f"Imported from {args.spec}.",
                      weights=imported.weights)
    try:
        project.save(target)
    except ProjectError as e:
        return _error(str(e), EXIT_USAGE)
    return _done(args.spec, project, target, imported.notes)


def _done(source: Any, project: Any, target: Path, notes: list[str]) -> int:
    layers = sum(1 for n in project.graph.nodes() if n.type not in ("Input", "Output"))
    print(f"{source}: {layers} layers, {sum(t.numel() for t in project.weights.values()):,} weights → {target}")
    for note in notes:
        print(f"note: {note}")
    return EXIT_OK


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
    return _done(model, project, target, notes)


def _error(message: str, code: int) -> int:
    print(f"netdesigner import: {message}", file=sys.stderr)
    return code
