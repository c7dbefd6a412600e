"""What the window remembers between runs (QSettings): recent files and the dock layout."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10


def _settings() -> QSettings:
    return QSettings("NetDesigner", "NetDesigner")


def recent_files() -> list[Path]:
    """Most recent first; files that have gone away are left out."""
    value = _settings().value("recent_files", [])
    if isinstance(value, str):  # QSettings gives a bare string for a one-element list
        value = [value]
    return [Path(p) for p in value or [] if isinstance(p, str) and Path(p).is_file()]


def remember_file(path: Path) -> None:
    path = Path(path).resolve()
    files = [str(path)] + [str(p) for p in recent_files() if p.resolve() != path]
    _settings().setValue("recent_files", files[:MAX_RECENT])


def clear_recent_files() -> None:
    _settings().setValue("recent_files", [])


def save_layout(geometry: QByteArray, state: QByteArray) -> None:
    settings = _settings()
    settings.setValue("window/geometry", geometry)
    settings.setValue("window/state", state)


def saved_layout() -> tuple[QByteArray | None, QByteArray | None]:
    settings = _settings()
    return settings.value("window/geometry"), settings.value("window/state")
