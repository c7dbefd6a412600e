"""``netdesigner landscape FILE``: the loss landscape around a project's trained weights.

- ``--mode surface`` (default): L(θ + α d₁ + β d₂) on a grid over [-R, R]² with two seeded
  filter-normalised random directions, on a fixed batch of the training split.
- ``--mode pca``: the surface on the plane of the training path (Li et al. 2018): the project
  is trained afresh from its seed with its own settings on the CPU, keeping a weight snapshot
  per epoch, and the surface is drawn on the two leading principal directions of that path
  around the run's final weights, with the path on it. The saved weights are not used: a path
  belongs to one run, and a CPU run repeats exactly from the seed. The project is not changed.
- ``--mode line``: L((1−α) θ₀ + α θ) for α in [-0.5, 1.5], from fresh weights θ₀ (the
  project's seed and init setting, drawn as the trainer draws them) to the trained ones θ,
  on fixed batches of the training and validation splits.
- ``--sharpness``: the Hessian's top eigenvalue and trace at θ on the training batch.

Importing this module imports no torch (the CLI's ``--help`` stays fast); ``run_landscape``
does. Exit codes: 0 done, 1 no weights or a model that cannot run, 2 a usage error (a grid,
batch or range out of bounds, as argparse's own errors) or the project, its data set or an
output file cannot be read or written; the same codes as ``netdesigner activations``.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
EXIT_USAGE = 2
LINE_RANGE = (-0.5, 1.5)


def add_landscape_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``landscape`` command to the CLI's subparsers; ``run_landscape`` runs it."""
    parser = subparsers.add_parser("landscape", help="compute the loss landscape around a project's trained weights")
    parser.add_argument("file", help="a .ndproj project with trained weights")
    parser.add_argument("--grid", type=int, default=21, metavar="N", help="points per axis (default 21)")
    parser.add_argument("--range", dest="span", type=float, default=1.0, metavar="R",
                        help="surface: α and β over [-R, R] (default 1.0)")
    parser.add_argument("--mode", choices=("surface", "pca", "line"), default="surface",
                        help="surface: a 2-D grid around the weights; pca: the surface on the plane of the training path "
                             "(retrains the project from its seed); line: from fresh weights to the trained ones (default surface)")
    parser.add_argument("--batch", type=int, default=1000, metavar="B", help="samples in the fixed evaluation batch (default 1000)")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the directions and the batch (default: the project's seed)")
    parser.add_argument("--sharpness", action="store_true", help="also the Hessian's top eigenvalue and trace at the weights")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.npz", help="where to write the arrays (.npz)")
    parser.add_argument("--png", metavar="OUT.png", help="also draw a picture")
    parser.add_argument("--csv", metavar="OUT.csv", help="also write the points as CSV")
    return parser


def run_landscape(args: argparse.Namespace) -> int:
    """Loads the project, computes what the arguments ask, saves and reports; returns the exit code."""
    from netdesigner.core.errors import TrainingError
    from netdesigner.train.project_trainer import LoadFailed, trainer_for_file

    if args.grid < 2:
        return _error(f"--grid must be at least 2, got {args.grid}", EXIT_USAGE)
    if args.batch < 1 or args.span <= 0:
        return _error("--batch must be at least 1 and --range above 0", EXIT_USAGE)
    pca = args.mode == "pca"
    try:
        project, trainer = trainer_for_file(args.file, need_weights=not pca, initialize=pca, keep_trajectory=pca)
    except LoadFailed as e:
        return _error(e.message, e.code)
    if trainer.objective.task == "gan":
        return _error(f"{args.file}: a GAN is two networks in a game, not one loss to walk: the loss landscape is "
                      "not drawn for it (see its samples with: netdesigner picture)", EXIT_INVALID)
    settings = trainer.settings

    seed = settings.seed if args.seed is None else args.seed
    started = time.perf_counter()
    try:
        if args.mode == "surface":
            arrays, lines = _surface(trainer, args, seed)
        elif args.mode == "pca":
            arrays, lines = _pca(trainer, args, seed)
        else:
            arrays, lines = _line(trainer, project, settings, args, seed)
        if args.sharpness:
            s_arrays, s_lines = _sharpness(trainer, args, seed)
            arrays.update(s_arrays)
            lines += s_lines
    except (RuntimeError, ValueError, TrainingError) as e:  # an error inside the model's forward
        return _error(f"{args.file}: the model cannot be evaluated: {e}", EXIT_INVALID)
    seconds = time.perf_counter() - started
    arrays["seconds"] = seconds

    import numpy as np

    try:
        np.savez(args.output, **{k: np.asarray(v) for k, v in arrays.items()})
        if args.csv:
            _write_csv(args.csv, args.mode, arrays)
        if args.png:
            from netdesigner.analysis import png

            if args.mode in ("surface", "pca"):
                png.surface_png(args.png, arrays["alphas"], arrays["betas"], arrays["losses"], arrays.get("path"))
            else:
                png.line_png(args.png, arrays["alphas"], {"train": arrays["train"], "validation": arrays["validation"]})
    except OSError as e:
        return _error(f"cannot write the output: {e.strerror or e}", EXIT_UNREADABLE)
    for line in lines:
        print(line)
    print(f"{seconds:.2f} s; saved {args.output}" + "".join(f", {p}" for p in (args.png, args.csv) if p))
    return EXIT_OK


def _surface(trainer: Any, args: argparse.Namespace, seed: int) -> tuple[dict[str, Any], list[str]]:
    from netdesigner.analysis.landscape import evaluation_batch, loss_fn_for, surface

    x, y = evaluation_batch(trainer.splits, "train", args.batch, seed)
    state = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    result = surface(trainer.module, state, loss_fn_for(trainer.objective), x, y, grid=args.grid, span=args.span, seed=seed)
    a, b, low = result.minimum
    lines = [f"surface {args.grid}x{args.grid} over [-{args.span:g}, {args.span:g}]^2, {int(x.shape[0])} training samples, seed {seed}",
             f"centre loss {result.centre_loss:.6g}; min loss {low:.6g} at alpha {a:+.3g}, beta {b:+.3g}"]
    arrays = {"alphas": result.alphas, "betas": result.betas, "losses": result.losses, "centre_loss": result.centre_loss}
    return arrays, lines


def _pca(trainer: Any, args: argparse.Namespace, seed: int) -> tuple[dict[str, Any], list[str]]:
    from netdesigner.analysis.landscape import evaluation_batch, loss_fn_for, trajectory_surface
    from netdesigner.core.errors import TrainingError

    settings = trainer.settings
    print(f"training {settings.epochs} epoch(s) from seed {settings.seed} to record the path…", flush=True)
    end = trainer.run()
    if not end.ok:
        raise TrainingError(end.message)
    x, y = evaluation_batch(trainer.splits, "train", args.batch, seed)
    final = trainer.snapshot()
    result = trajectory_surface(trainer.module, trainer.trajectory, final, loss_fn_for(trainer.objective), x, y,
                                grid=args.grid)
    a, b, low = result.minimum
    start = result.path[0]
    lines = [f"trained {trainer.epoch} epoch(s): {len(result.path)} snapshots; the plane's axes explain "
             f"{100 * result.explained[0]:.1f}% and {100 * result.explained[1]:.1f}% of the path's spread",
             f"surface {args.grid}x{args.grid} over alpha [{result.alphas[0]:.3g}, {result.alphas[-1]:.3g}], "
             f"beta [{result.betas[0]:.3g}, {result.betas[-1]:.3g}], {int(x.shape[0])} training samples",
             f"start at ({start[0]:+.3g}, {start[1]:+.3g}); final loss {result.centre_loss:.6g}; "
             f"min loss {low:.6g} at alpha {a:+.3g}, beta {b:+.3g}"]
    arrays = {"alphas": result.alphas, "betas": result.betas, "losses": result.losses, "centre_loss": result.centre_loss,
              "path": result.path, "explained": result.explained}
    return arrays, lines


def _line(trainer: Any, project: Any, settings: Any, args: argparse.Namespace, seed: int) -> tuple[dict[str, Any], list[str]]:
    import copy

    import numpy as np

    from netdesigner.analysis.landscape import evaluation_batch, interpolation, loss_fn_for
    from netdesigner.train.optim import initialize_weights

    fresh = copy.deepcopy(trainer.module)
    initialize_weights(fresh, settings.init, settings.seed)  # as a new training run starts
    start = {k: v.detach().clone() for k, v in fresh.state_dict().items()}
    end = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    batches = {"train": evaluation_batch(trainer.splits, "train", args.batch, seed),
               "validation": evaluation_batch(trainer.splits, "val", args.batch, seed)}
    alphas = np.linspace(*LINE_RANGE, args.grid)
    alphas[np.abs(alphas) < 1e-12] = 0.0
    out = interpolation(trainer.module, start, end, loss_fn_for(trainer.objective), batches, alphas=alphas)
    lines = [f"line {args.grid} points, alpha over [{LINE_RANGE[0]:g}, {LINE_RANGE[1]:g}] from fresh weights "
             f"(seed {settings.seed}, init {settings.init}) to the trained ones"]
    for name in ("train", "validation"):
        losses = out[name]
        at_one = float(np.interp(1.0, alphas, losses))
        k = int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan))) if np.isfinite(losses).any() else 0
        lines.append(f"{name}: loss at the weights (alpha 1) {at_one:.6g}, at the start (alpha 0) "
                     f"{float(np.interp(0.0, alphas, losses)):.6g}; min loss {losses[k]:.6g} at alpha {alphas[k]:+.3g}")
    return {"alphas": alphas, "train": out["train"], "validation": out["validation"]}, lines


def _sharpness(trainer: Any, args: argparse.Namespace, seed: int) -> tuple[dict[str, Any], list[str]]:
    from netdesigner.analysis.landscape import evaluation_batch, loss_tensor_fn_for
    from netdesigner.analysis.sharpness import sharpness

    x, y = evaluation_batch(trainer.splits, "train", args.batch, seed)
    arrays = sharpness(trainer.module, loss_tensor_fn_for(trainer.objective), x, y, seed=seed)
    lines = [f"sharpness: top Hessian eigenvalue {arrays['top_eigenvalue']:.6g} ({arrays['eigenvalue_iterations']} iterations, "
             f"tol {arrays['eigenvalue_tol']:g}); trace {arrays['hessian_trace']:.6g} ± {arrays['trace_standard_error']:.2g} "
             f"({arrays['trace_samples']} Hutchinson samples, until the standard error is {arrays['trace_tol']:g} of it)"]
    return arrays, lines


def _write_csv(path: str, mode: str, arrays: dict[str, Any]) -> None:
    import numpy as np

    if mode in ("surface", "pca"):
        a, b = np.meshgrid(arrays["alphas"], arrays["betas"], indexing="ij")
        table, header = np.column_stack([a.ravel(), b.ravel(), np.ravel(arrays["losses"])]), "alpha,beta,loss"
    else:
        table, header = np.column_stack([arrays["alphas"], arrays["train"], arrays["validation"]]), "alpha,train,validation"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.9g")


def _error(message: str, code: int) -> int:
    print(f"netdesigner landscape: {message}", file=sys.stderr)
    return code
