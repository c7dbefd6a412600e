"""Lessons: an example project's variants trained and its promised results checked (Qt-free)."""
