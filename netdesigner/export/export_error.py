"""The one error type of the export package: a file that cannot be written, or read safely."""

from __future__ import annotations

from netdesigner.core.errors import NetDesignerError


class ExportError(NetDesignerError):
    """An export that cannot be written, or an exported file that cannot be read safely.

    The message names the file and says what to do; a model that exports but disagrees with
    PyTorch is not an error but a failed report (``OnnxReport.ok``).
    """
