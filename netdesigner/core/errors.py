"""Our own exception types, with messages written for a person, not for a stack trace."""

from __future__ import annotations


class NetDesignerError(Exception):
    """Base of every error NetDesigner raises on purpose."""


class GraphError(NetDesignerError):
    """An edit that the graph document refuses (unknown node, occupied port, bad name…)."""


class ParamError(GraphError):
    """A parameter value that does not fit its declaration."""


class ShapeError(NetDesignerError):
    """A layer cannot take the tensor that reaches it."""


class ProjectError(NetDesignerError):
    """A project file that cannot be read or written; the message names the file."""


class DataError(NetDesignerError):
    """A data set that cannot be made or read; the message names the file and row or image."""


class TrainingError(NetDesignerError):
    """A run that cannot start or had to stop (NaN loss, out of memory…); says what to do."""
