"""Shared test set-up: Qt without a screen, and settings kept out of the person's own.

Both are set before anything imports Qt's widgets.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SETTINGS = tempfile.mkdtemp(prefix="netdesigner-test-settings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS  # QSettings' user scope on Linux
os.environ["XDG_DATA_HOME"] = _SETTINGS
