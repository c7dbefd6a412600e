"""``netdesigner export FILE --format onnx|safetensors|pt|pt2|python``: take a model away.

Importing this module imports no torch (the CLI's ``--help`` stays fast); ``run_export`` does.
Every format is checked after it is written (ONNX against onnxruntime, weights by reading them
back, ``.pt2`` by reloading and running it) and the check is printed.
Exit codes: 0 exported and verified, 1 the model cannot be exported or the check failed,
2 usage error, or a file that cannot be read or written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("onnx", "safetensors", "pt", "pt2", "python")  # ExportFormat's values, without importing it for --help


def add_export_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``export`` command to the CLI's subparsers; ``run_export`` runs it."""
    parser = subparsers.add_parser(
        "export", help="export the model as ONNX, weights, a torch.export program or PyTorch code, and verify it",
        description="Exports a project's model (eval mode, its current weights) and checks the result.")
    parser.add_argument("file", help="a .ndproj project")
    parser.add_argument("--format", choices=FORMATS, default="onnx",
                        help="onnx: one self-contained .onnx file checked with onnxruntime (default); "
                             "safetensors or pt: the weights (state_dict); pt2: a torch.export program; "
                             "python: a folder of plain PyTorch code with weights, data and a training script")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="file (or folder, for python) to write; default beside the project, named after it "
                             "(NAME.onnx, NAME.weights.safetensors, NAME.weights.pt, NAME.pt2, NAME_pytorch/)")
    parser.add_argument("--opset", type=int, metavar="N",
                        help="ONNX opset (default: the newest both the exporter and onnxruntime support)")
    return parser


def run_export(args: argparse.Namespace) -> int:
    """Loads, exports, verifies and reports as the arguments say; returns the exit code."""
    from netdesigner.core.errors import GraphError, ProjectError, ShapeError
    from netdesigner.core.project import Project
    from netdesigner.export.export_error import ExportError
    from netdesigner.export.formats import ExportFormat, default_output, export_project

    fmt = ExportFormat(args.format)
    if args.opset is not None and fmt is not ExportFormat.ONNX:
        return _error("--opset applies to --format onnx only", EXIT_USAGE)
    if args.opset is not None:
        from netdesigner.export.onnx_opset import check_opset

        wrong = check_opset(args.opset)
        if wrong:
            return _error(wrong, EXIT_USAGE)
    output = Path(args.output) if args.output else default_output(args.file, fmt)
    try:
        project = Project.load(args.file)
        if project.weights_path is not None and output.resolve() == project.weights_path.resolve():
            return _error(f"{output} holds the project's own weights; choose another output file", EXIT_USAGE)
        outcome = export_project(project, fmt, output, opset=args.opset)
    except ProjectError as e:
        return _error(str(e), EXIT_USAGE)
    except ExportError as e:
        return _error(str(e), EXIT_USAGE)
    except (GraphError, ShapeError) as e:
        return _error(f"{args.file}: {e}", EXIT_FAILED)
    print(outcome.text)
    return EXIT_OK if outcome.ok else EXIT_FAILED


def _error(message: str, code: int) -> int:
    print(f"netdesigner export: {message}", file=sys.stderr)
    return code
