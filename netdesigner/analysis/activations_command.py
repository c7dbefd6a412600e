"""``netdesigner activations FILE``: what each layer of a trained project gives out.

One fixed batch of the validation split (the training split when there is none), drawn with
the seed, runs once through a private copy of the trained model with forward hooks on the
chosen nodes (``layer_outputs.capture``). Per node it prints the catalogue type, the output
shape, mean ± std over the batch and, after a ReLU, the share of dead units (zero for every
sample) or, after tanh or sigmoid, the share of saturated values; and saves, without pickle:

- ``nodes``, ``types``: the nodes in the model's order and their catalogue types;
- ``NODE/values``: the outputs of the first ``--samples`` samples (batch first);
- ``NODE/counts``, ``NODE/edges``: a histogram over the whole batch;
- ``NODE/mean``, ``NODE/std`` and ``NODE/dead_fraction`` or ``NODE/saturated_fraction``;
- ``NODE/pca``, ``NODE/pca_explained``: every sample's output on its two principal axes and
  the share of the spread they explain (the embedding view), with ``labels`` to colour them
  when the targets are class ids;
- ``batch``, ``seed``, ``seconds``.

``--png`` draws one node (the first ``--node``, else the first with feature maps, else the
first) for sample 0 beside its histogram (``activation_png``).

Importing this module imports no torch (the CLI's ``--help`` stays fast); ``run_activations``
does. Exit codes: 0 done; 1 no trained weights or a model that cannot run; 2 an unknown node
name (a usage error), or the project, its data set or an output file cannot be read or
written.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_activations_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``activations`` command to the CLI's subparsers; ``run_activations`` runs it."""
    parser = subparsers.add_parser("activations", help="what each layer of a trained project gives out for a fixed batch")
    parser.add_argument("file", help="a .ndproj project with trained weights")
    parser.add_argument("--node", action="append", metavar="NAME",
                        help="a node to look at (repeat for several; default: every node with an output of its own)")
    parser.add_argument("--samples", type=int, default=8, metavar="K",
                        help="samples whose outputs are saved (the first K of the batch; default 8)")
    parser.add_argument("--batch", type=int, default=256, metavar="B",
                        help="samples in the fixed batch the statistics are taken over (default 256)")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the batch (default: the project's seed)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.npz", help="where to write the arrays (.npz)")
    parser.add_argument("--png", metavar="OUT.png", help="also draw one node's outputs for sample 0 and its histogram")
    return parser


def run_activations(args: argparse.Namespace) -> int:
    """Loads the project, captures the chosen nodes' outputs, saves and reports; returns the
    exit code."""
    from netdesigner.train.project_trainer import LoadFailed, trainer_for_file

    if args.batch < 1 or args.samples < 1:
        return _error("--batch and --samples must be at least 1", EXIT_INVALID)
    try:
        project, trainer = trainer_for_file(args.file)
    except LoadFailed as e:
        return _error(e.message, e.code)
    if trainer.objective.task == "gan":
        return _error(f"{args.file}: the activations of a GAN's two networks are not captured yet (the model takes "
                      "noise and samples at once); see its samples with: netdesigner picture", EXIT_INVALID)
    settings, module = trainer.settings, trainer.module

    from netdesigner.analysis.layer_outputs import layer_names

    known = layer_names(module)
    types = {node.name: node.type for node in project.graph.nodes()}
    wanted = list(dict.fromkeys(args.node)) if args.node else known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        return _error(_unknown_message(unknown, known, types), EXIT_USAGE)

    from netdesigner.analysis.landscape import evaluation_batch
    from netdesigner.analysis.layer_outputs import capture

    seed = settings.seed if args.seed is None else args.seed
    split = "val" if len(trainer.splits.val) else "train"
    started = time.perf_counter()
    x, y = evaluation_batch(trainer.splits, split, args.batch, seed)
    try:
        found = capture(module, None, x, wanted, types)  # a private copy: the module keeps its weights
    except (RuntimeError, ValueError) as e:  # an error inside the model's forward
        return _error(f"{args.file}: the model cannot be evaluated: {e}", EXIT_INVALID)
    arrays, lines = _arrays(found, args.samples, y)
    seconds = time.perf_counter() - started
    arrays.update(batch=int(x.shape[0]), seed=seed, seconds=seconds)
    shown = _shown(found, args.node)

    import numpy as np

    try:
        np.savez(args.output, **{k: np.asarray(v) for k, v in arrays.items()})
        if args.png and shown is not None:
            from netdesigner.analysis.activation_png import layer_png

            layer_png(args.png, shown)
    except OSError as e:
        return _error(f"cannot write the output: {e.strerror or e}", EXIT_USAGE)
    print(f"{int(x.shape[0])} samples of the {'validation' if split == 'val' else 'training'} split, seed {seed}")
    for line in lines:
        print(line)
    missing = [name for name in wanted if name not in found]
    if missing:
        print(f"no tensor to show from: {', '.join(missing)}")
    pictured = f", {args.png} ({shown.name})" if args.png and shown is not None else ""
    print(f"{seconds:.2f} s; saved {args.output}{pictured}")
    return EXIT_OK


def _arrays(found: dict[str, Any], samples: int, y: Any) -> tuple[dict[str, Any], list[str]]:
    import numpy as np

    from netdesigner.analysis.layer_outputs import embedding_pca

    arrays: dict[str, Any] = {"nodes": np.array(list(found), dtype=str),
                              "types": np.array([out.layer_type for out in found.values()], dtype=str)}
    lines = []
    for name, out in found.items():
        counts, edges = out.histogram()
        coords, explained = embedding_pca(out.values)
        arrays.update({f"{name}/values": out.values[:samples], f"{name}/counts": counts, f"{name}/edges": edges,
                       f"{name}/mean": float(out.values.mean()), f"{name}/std": float(out.values.std()),
                       f"{name}/pca": coords.astype(np.float32), f"{name}/pca_explained": explained})
        dead, saturated = out.dead_fraction(), out.saturated_fraction()
        if dead is not None:
            arrays[f"{name}/dead_fraction"] = dead
        if saturated is not None:
            arrays[f"{name}/saturated_fraction"] = saturated
        lines.append(out.describe())
    labels = y.detach().cpu().numpy()
    if labels.ndim == 1 and labels.dtype.kind in "iu":
        arrays["labels"] = labels
    return arrays, lines


def _shown(found: dict[str, Any], asked: list[str] | None) -> Any:
    """The node the picture shows: the first asked for, else the first with feature maps, else
    the first."""
    from netdesigner.analysis.layer_outputs import OutputKind

    if not found:
        return None
    if asked:
        return next((found[n] for n in asked if n in found), None)
    return next((out for out in found.values() if out.kind is OutputKind.FEATURE_MAPS), next(iter(found.values())))


def _unknown_message(unknown: list[str], known: list[str], types: dict[str, str]) -> str:
    """One message for every bad ``--node``: a name the graph has but that has no output of
    its own (an Input or Output node) is told apart from a name that is not there."""
    parts = []
    for name in unknown:
        if types.get(name) in ("Input", "Output"):
            parts.append(f"{name} is the model's {types[name].lower()}: it has no output of its own")
        else:
            parts.append(f"no node named {name}")
    return f"{'; '.join(parts)}. The nodes with outputs are: {', '.join(known)}"


def _error(message: str, code: int) -> int:
    print(f"netdesigner activations: {message}", file=sys.stderr)
    return code
