"""The program's log: rotating files in the user's data folder, where an error dialog points.

Qt-free: the window gives the folder (``<user data>/NetDesigner/logs``); the log keeps five
files of 1 MB, so it never grows without bound, and each line says when and which thread.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER = "netdesigner"
FILE_NAME = "netdesigner.log"
MAX_BYTES = 1_000_000
BACKUPS = 5


def open_log(folder: Path) -> Path | None:
    """Sends the ``netdesigner`` logger to ``folder/netdesigner.log`` (rotating); returns the
    file, or None when the folder cannot be written (the program runs on without a log)."""
    logger = logging.getLogger(LOGGER)
    path = Path(folder) / FILE_NAME
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def log_path() -> Path | None:
    """The file the log goes to, if one is open."""
    for handler in logging.getLogger(LOGGER).handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None
