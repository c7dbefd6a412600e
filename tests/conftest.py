"""Shared test set-up: Qt without a screen, and settings kept out of the person's own.

Both are set before anything imports Qt's widgets.
"""

import os
import tempfile

if not os.environ.get("QT_QPA_PLATFORM"):  # unset or empty: no screen in CI
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
_SETTINGS = tempfile.mkdtemp(prefix="netdesigner-test-settings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS  # QSettings' user scope on Linux
os.environ["XDG_DATA_HOME"] = _SETTINGS
