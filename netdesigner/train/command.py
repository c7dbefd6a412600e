"""``netdesigner train FILE``: train a project's model on its data set and keep the weights.

Importing this module imports no torch (the CLI's ``--help`` stays fast); ``run_train`` does.
Exit codes: 0 trained (also when stopped by Ctrl-C: what was learnt is saved), 1 the model or
the settings cannot train, 2 the project or its data set cannot be read or saved, 3 the run
failed (NaN loss, out of memory, an error in the model) and nothing was saved.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_FAILED = 0, 1, 2, 3


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``train`` command to the CLI's subparsers; ``run_train`` runs it."""
    parser = subparsers.add_parser("train", help="train a project's model on its data set and save the weights into the project")
    parser.add_argument("file", help="a .ndproj project")
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs to train (default: the project's setting)")
    parser.add_argument("--device", metavar="DEVICE", help="auto, cpu, cuda, cuda:N or mps (default: the project's setting)")
    parser.add_argument("--batch-size", type=int, metavar="B", help="samples per batch (default: the project's setting)")
    parser.add_argument("--lr", type=float, metavar="X", help="learning rate (default: the project's setting)")
    parser.add_argument("--continue", dest="resume", action="store_true",
                        help="start from the weights saved with the project instead of fresh ones, and from the "
                             "optimiser state of the last checkpoint when it holds those weights (turns on --checkpoints)")
    parser.add_argument("--checkpoints", nargs="?", const="", metavar="DIR",
                        help="write best/last checkpoints, the optimiser state and the metrics history "
                             "(into DIR, or NAME-checkpoints/ beside the project, where the window writes them too)")
    parser.add_argument("--no-save", action="store_true", help="train and report, but leave the project file as it is")
    parser.add_argument("--json", action="store_true", help="print the final metrics as JSON (progress goes to stderr)")
    parser.add_argument("--layer-history", metavar="OUT.npz",
                        help="record every layer's output and weight histograms and gradient norm per epoch "
                             f"(on {HISTORY_BATCH} validation samples) and save them")
    return parser


HISTORY_BATCH = 256  # samples the per-epoch layer histograms are taken over


def run_train(args: argparse.Namespace) -> int:
    """Loads, trains, reports and saves as the arguments say; returns the exit code."""
    from netdesigner.core.errors import DataError, GraphError, ProjectError, TrainingError
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data

    log = sys.stderr if args.json else sys.stdout
    try:
        project = Project.load(args.file)
        overrides = {k: v for k, v in (("epochs", args.epochs), ("device", args.device),
                                       ("batch_size", args.batch_size), ("learning_rate", args.lr)) if v is not None}
        settings = replace(project.training, **overrides)
        for _, problem in settings.problems():
            return _error(f"{args.file}: {problem}", EXIT_INVALID)
        splits = load_project_data(project)
        module = project.compile()
        resume = args.resume and bool(project.weights)
        if args.resume and not resume:
            print("the project has no saved weights: training starts from fresh ones", file=log)
        from netdesigner.train.checkpoint import checkpoint_folder

        checkpoints = None
        if args.checkpoints is not None or resume:
            checkpoints = Path(args.checkpoints) if args.checkpoints else checkpoint_folder(Path(args.file))
        from netdesigner.train.gan_trainer import trainer_class

        progress = Progress(log, settings.epochs)
        trainer = trainer_class(project.graph)(module, splits, settings, graph=project.graph, listeners=[progress],
                                               checkpoint_dir=checkpoints, checkpoint_stem=Path(args.file).stem,
                                               initialize=not resume)
    except (ProjectError, DataError) as e:
        return _error(str(e), EXIT_UNREADABLE)
    except (GraphError, TrainingError) as e:
        return _error(f"{args.file}: {e}", EXIT_INVALID)

    history = _follow_layers(trainer, settings.seed) if args.layer_history else None
    started = time.perf_counter()
    with StopOnInterrupt(trainer, log):
        result = trainer.run()
    seconds = time.perf_counter() - started
    progress.clear()
    if not result.ok:
        if args.json:
            print(json.dumps({"failed": result.kind, "message": result.message}, indent=2))
        return _error(f"{args.file}: {result.message}", EXIT_FAILED)

    saved = None
    if not args.no_save:
        project.weights = {k: v.detach().cpu() for k, v in module.state_dict().items()}
        try:
            project.save()
        except ProjectError as e:
            return _error(str(e), EXIT_UNREADABLE)
        saved = str(project.weights_path) if project.weights_path else None
    if history is not None:
        try:
            history.to_npz(args.layer_history)
        except OSError as e:
            return _error(f"cannot write {args.layer_history}: {e.strerror or e}", EXIT_UNREADABLE)
        records = len(next(iter(history.outputs.values())).epochs) if history.outputs else 0
        print(f"histograms of {len(history.outputs)} layers at {records} epochs (the start and each one trained) "
              f"saved to {args.layer_history}", file=log)
    report = _report(trainer, result, seconds, saved)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report, log)
    return EXIT_OK


def _follow_layers(trainer: Any, seed: int) -> Any:
    """A ``LayerHistory`` recording the start and every epoch of ``trainer``'s run."""
    from netdesigner.analysis.activations import LayerHistory
    from netdesigner.analysis.landscape import evaluation_batch

    x, _ = evaluation_batch(trainer.splits, "val", HISTORY_BATCH, seed)
    history = LayerHistory()
    history.record(trainer.epoch, trainer.module, trainer.snapshot(), x)
    history.follow(trainer, x)
    return history


def _error(message: str, code: int) -> int:
    print(f"netdesigner train: {message}", file=sys.stderr)
    return code


class StopOnInterrupt:
    """The first Ctrl-C stops the run after its batch (and the weights are saved); a second
    one interrupts at once."""

    def __init__(self, trainer: Any, log: TextIO) -> None:
        self.trainer, self.log, self.previous = trainer, log, None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        print("\nstopping after this batch (Ctrl-C again to abort)", file=self.log)
        self.trainer.stop()
        signal.signal(signal.SIGINT, self.previous or signal.default_int_handler)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class Progress:
    """A listener that prints one line per epoch, with a live bar between them on a terminal."""

    def __init__(self, out: TextIO, epochs: int) -> None:
        self.out, self.epochs, self.first, self.batches = out, epochs, 1, 1
        self.live = out.isatty()
        self._drawn = 0.0
        self._width = 0

    def __call__(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "RunStarted":
            self.first, self.batches = event.first_epoch, event.batches_per_epoch
            print(f"training on {event.device}: {event.task}, {event.parameters:,} parameters, {event.samples:,} samples, "
                  f"{event.batches_per_epoch} batches per epoch", file=self.out)
        elif kind == "Notice":
            self._line(f"note: {event.message}")
        elif kind == "BatchEnd" and self.live and time.perf_counter() - self._drawn > 0.1:
            self._drawn = time.perf_counter()
            done = (event.batch + 1) / self.batches
            bar = "#" * int(24 * done)
            text = f"epoch {event.epoch}/{self.first + self.epochs - 1} [{bar:<24}] loss {event.loss_value:.4f}"
            self.out.write("\r" + text.ljust(self._width))
            self.out.flush()
            self._width = len(text)
        elif kind == "EpochEnd":
            self._line(epoch_line(event, self.first + self.epochs - 1))

    def _line(self, text: str) -> None:
        self.clear()
        print(text, file=self.out)

    def clear(self) -> None:
        if self.live and self._width:
            self.out.write("\r" + " " * self._width + "\r")
            self._width = 0


def epoch_line(event: Any, last_epoch: int) -> str:
    parts = [f"epoch {event.epoch:>{len(str(last_epoch))}}/{last_epoch}", f"loss {event.train_loss:.4f}"]
    if event.val_loss is not None:
        parts.append(f"val {event.val_loss:.4f}")
    parts += [_metric(k, v) for k, v in event.metrics.items() if not k.startswith("train_") and "." not in k]
    parts += [f"lr {event.lr:.2e}", f"{event.seconds:.2f} s", f"{event.samples_per_s:,.0f} samples/s"]
    return "  ".join(parts)


def _metric(name: str, value: float) -> str:
    return f"{name} {100 * value:.1f}%" if name.endswith("accuracy") else f"{name} {value:.4g}"


def _report(trainer: Any, result: Any, seconds: float, saved: str | None) -> dict[str, Any]:
    last = trainer.history[-1] if trainer.history else None
    test = {k: _finite(v) for k, v in result.test_metrics.items()}
    return {
        "reason": result.reason,
        "device": str(trainer.device),
        "task": trainer.objective.task,
        "epochs": trainer.epoch,
        "best_epoch": result.best_epoch,
        "train_loss": _finite(last.train_loss) if last else None,
        "val_loss": _finite(last.val_loss) if last else None,
        "metrics": {k: _finite(v) for k, v in last.metrics.items()} if last else {},
        "test": test,
        "test_accuracy": test.get("accuracy"),
        "confusion": result.confusion,
        "seconds": round(seconds, 3),
        "samples_per_s": round(last.samples_per_s, 1) if last else None,
        "weights": saved,
    }


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _print_report(report: dict[str, Any], out: TextIO) -> None:
    best = f", best epoch {report['best_epoch']}" if report["best_epoch"] else ""
    print(f"{report['reason'].replace('_', ' ')} after {report['epochs']} epochs in {report['seconds']:.1f} s{best}", file=out)
    if report["test"]:
        print("test: " + "  ".join(_metric(k, v) for k, v in report["test"].items() if v is not None), file=out)
    if report["weights"]:
        print(f"weights saved to {report['weights']}", file=out)
