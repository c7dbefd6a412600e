"""The window: a thin PySide6 view over the Qt-free core (DESIGN rule 1)."""
