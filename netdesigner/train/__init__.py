"""Training: a Qt-free loop that reports events (DESIGN rule 6).

``Trainer`` (trainer.py) runs the loop; ``events`` are what it tells listeners; ``objective``
turns Output nodes into a loss; ``optim`` makes optimisers and schedules; ``device`` picks
where and in which precision; ``checkpoint`` keeps copies of the weights; ``command`` is the
``netdesigner train`` command. Importing this package is cheap (the CLI's ``--help`` must not
import torch): names are loaded when first used.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Trainer": "netdesigner.train.trainer",
    "BatchEnd": "netdesigner.train.events",
    "Checkpoint": "netdesigner.train.events",
    "EpochEnd": "netdesigner.train.events",
    "Notice": "netdesigner.train.events",
    "RunFailed": "netdesigner.train.events",
    "RunFinished": "netdesigner.train.events",
    "RunStarted": "netdesigner.train.events",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'netdesigner.train' has no attribute {name!r}")
