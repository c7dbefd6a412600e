"""Silence for torch's exporters: their warnings and logs are for torch developers.

A failed ``torch.export`` logs whole graphs to stderr, the ONNX registry logs "torchvision is
not installed", and tracing warns about deprecated internals. The person exporting gets our
report instead, whose message names the node and the reason.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr

LOGGER_PREFIXES = ("torch", "onnxscript", "onnx_ir")


@contextmanager
def quiet_exporter() -> Iterator[None]:
    """Within: no Python warnings, the loggers of torch and onnxscript report only critical
    errors, and ``sys.stderr`` is a buffer (a failed ``torch.export`` prints its partial graph
    there with ``print``). Levels and stderr are restored afterwards. The stderr swap is
    process-wide: what another thread prints meanwhile is lost, which only costs log lines."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in LOGGER_PREFIXES]
    names += [p for p in LOGGER_PREFIXES if p not in names]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.CRITICAL)
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
