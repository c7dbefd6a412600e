"""``netdesigner sample FILE``: text written by a trained character-level language model.

Prints the prompt followed by ``--length`` characters the model writes, one character at a
time at ``--temperature`` (``analysis.text_sampling``), and nothing else, so the output can
be piped. The same seed, temperature and weights print the same text.

Importing this module imports no torch (the CLI's ``--help`` stays fast). Exit codes: 0 done;
1 no trained weights, a project that is not a character language model (its data set is not
``text``, or its model does not give one score per character at every step), or a model that
cannot run; 2 a bad ``--temperature``, ``--length`` or prompt character (a usage error), or a
project or data set that cannot be read (as ``netdesigner activations``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_TEMPERATURE = 0.8  # a little sharper than the model's own distribution: fewer garbled words
DEFAULT_LENGTH = 200


def add_sample_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds the ``sample`` command to the CLI's subparsers; ``run_sample`` runs it."""
    parser = subparsers.add_parser("sample", help="write text with a trained character-level language model")
    parser.add_argument("file", help="a .ndproj project trained on the text data set")
    parser.add_argument("--prompt", default="", metavar="TEXT",
                        help="the text to continue (default: none; the model starts after a new line)")
    parser.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE, metavar="T",
                        help=f"1 samples the model's own distribution, lower is more predictable, 0 always takes "
                             f"the likeliest character (default {DEFAULT_TEMPERATURE})")
    parser.add_argument("--length", type=int, default=DEFAULT_LENGTH, metavar="N",
                        help=f"characters to write after the prompt (default {DEFAULT_LENGTH})")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the random draws (default 0)")
    return parser


def run_sample(args: argparse.Namespace) -> int:
    """Loads the project, writes the text and prints it; returns the exit code."""
    from netdesigner.analysis.text_sampling import MAX_LENGTH, SamplingError, check_temperature

    try:
        check_temperature(args.temperature)
    except SamplingError as e:
        return _error(str(e), EXIT_USAGE)
    if not 0 <= args.length <= MAX_LENGTH:
        return _error(f"--length must be from 0 to {MAX_LENGTH:,}, got {args.length}", EXIT_USAGE)
    if args.seed < 0:
        return _error(f"--seed must be 0 or more, got {args.seed}", EXIT_USAGE)

    from netdesigner.train.project_trainer import LoadFailed, trainer_for_file

    try:
        project, trainer = trainer_for_file(args.file)
    except LoadFailed as e:
        return _error(e.message, e.code)

    from netdesigner.analysis.text_sampling import character_model, encode, sample_text

    model = character_model(trainer.splits)
    if model is None:
        return _error(f"{args.file}: the project trains on {project.data.dataset!r}, not on text: only a character "
                      "language model (data set 'text') writes text", EXIT_INVALID)
    try:
        encode(args.prompt, model.vocabulary)
    except SamplingError as e:
        return _error(str(e), EXIT_USAGE)
    try:
        text = sample_text(trainer.module, None, model, args.prompt, length=args.length,
                           temperature=args.temperature, seed=args.seed)
    except SamplingError as e:
        return _error(f"{args.file}: {e}", EXIT_INVALID)
    except RuntimeError as e:  # an error inside the model's forward
        return _error(f"{args.file}: the model cannot be evaluated: {e}", EXIT_INVALID)
    print(text)
    return EXIT_OK


def _error(message: str, code: int) -> int:
    print(f"netdesigner sample: {message}", file=sys.stderr)
    return code
