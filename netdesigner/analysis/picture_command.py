"""``netdesigner picture FILE -o OUT.png``: what a trained project's model draws, as the
window's Model view shows it (``model_picture``): a two-feature classifier's decision
boundary over its training points, a one-input regression's learned curve, an autoencoder's
or VAE's reconstructions, a CNN's first-layer filters. ``--npz`` also saves the numbers.

Importing this module imports no torch (the CLI's ``--help`` stays fast). Exit codes: 0 done;
1 no trained weights, a model without such a picture, or one that cannot run; 2 the project,
its data set or an output file cannot be read or written (as ``netdesigner activations``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_picture_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "picture", help="draw what a trained project's model does: decision boundary, learned curve, "
                        "reconstructions, first-layer filters or a GAN's samples (the window's Model view)")
    parser.add_argument("file", help="a .ndproj project with trained weights")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.png", help="where to draw it (.png)")
    parser.add_argument("--npz", metavar="OUT.npz", help="also save the numbers drawn (no pickle)")
    return parser


def run_picture(args: argparse.Namespace) -> int:
    from netdesigner.train.project_trainer import LoadFailed, trainer_for_file

    try:
        _, trainer = trainer_for_file(args.file)
    except LoadFailed as e:
        return _error(e.message, e.code)

    from netdesigner.analysis.model_picture import model_picture

    objective = trainer.objective
    try:
        picture = model_picture(trainer.module, None, objective.task, objective.classifies, trainer.splits)
    except (RuntimeError, ValueError) as e:
        return _error(f"{args.file}: the model cannot be evaluated: {e}", EXIT_INVALID)
    if picture is None:
        return _error(f"{args.file}: a {objective.task} model of inputs shaped {tuple(trainer.splits.train.x.shape[1:])} "
                      "has no picture of this kind (it is drawn for two-feature classifiers, one-input regressions, "
                      "image autoencoders and CNNs); see its layers with: netdesigner activations", EXIT_INVALID)
    from netdesigner.analysis.picture_png import picture_png

    try:
        picture_png(args.output, picture)
        if args.npz:
            _save_npz(args.npz, picture)
    except OSError as e:
        return _error(f"cannot write the output: {e.strerror or e}", EXIT_USAGE)
    print(f"{picture.title}: {picture.caption}")
    print(f"saved {args.output}" + (f" and {args.npz}" if args.npz else ""))
    return EXIT_OK


def _save_npz(path: str, picture: Any) -> None:
    import numpy as np

    arrays: dict[str, Any] = {"kind": np.array(picture.kind.name)}
    if picture.boundary is not None:
        b = picture.boundary
        arrays.update(xs=b.xs, ys=b.ys, classes=b.classes, confidence=b.confidence)
    if picture.curve is not None:
        arrays.update(curve_x=picture.curve[0], curve_y=picture.curve[1])
    if picture.points is not None:
        arrays.update(points=picture.points, targets=picture.targets)
    if picture.samples is not None:
        arrays.update(samples=picture.samples)
    if picture.mosaic is not None:
        arrays.update(mosaic=picture.mosaic)
    np.savez(path, **arrays)


def _error(message: str, code: int) -> int:
    print(f"netdesigner: {message}", file=sys.stderr)
    return code
