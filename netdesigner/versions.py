"""The versions a bug report needs: NetDesigner, Python, Qt, torch, onnx and onnxruntime.

The About dialog shows them and ``netdesigner --versions`` prints them, so what people paste
is the same text either way. Versions are read from the installed distributions' metadata,
which is instant: importing torch only to ask its version would cost a second and a half.
Qt-free; the dialog adds the Qt library's own version, which only a running Qt can tell.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from netdesigner import __version__

# (label, distribution name, module name); the module's __version__ is the fallback where a
# distribution's metadata is missing (a PyInstaller bundle keeps only what it was told to)
LIBRARIES = (
    ("PySide6", "PySide6-Essentials", "PySide6"),
    ("torch", "torch", "torch"),
    ("onnx", "onnx", "onnx"),
    ("onnxruntime", "onnxruntime", "onnxruntime"),
)


def library_version(distribution: str, module: str) -> str:
    """The installed version, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        pass
    if distribution == "PySide6-Essentials":  # the full PySide6 wheel has another name
        try:
            return metadata.version("PySide6")
        except metadata.PackageNotFoundError:
            pass
    loaded = sys.modules.get(module)
    return str(getattr(loaded, "__version__", "not installed"))


def version_lines(qt_version: str | None = None) -> list[str]:
    """One line per component; ``qt_version`` is the running Qt library's, where known."""
    python = f"Python {platform.python_version()} ({platform.python_implementation()})"
    if getattr(sys, "frozen", False):
        python = python[:-1] + ", stand-alone bundle)"
    lines = [f"NetDesigner {__version__}", python]
    for label, distribution, module in LIBRARIES:
        line = f"{label} {library_version(distribution, module)}"
        if label == "PySide6" and qt_version:
            line += f" (Qt {qt_version})"
        lines.append(line)
    lines.append(f"OS {platform.platform()}")
    return lines


def version_report(qt_version: str | None = None) -> str:
    """The text to paste into a bug report."""
    return "\n".join(version_lines(qt_version))
