"""Where the folders that ship with the code are: ``resources/`` (icons) and the example
``projects/``.

Both are top-level folders of the repository, where people browse and edit them. A wheel can
only carry files inside its packages, so building one copies them into the package
(``setup.py``), and the PyInstaller bundle puts them in the same place
(``packaging/netdesigner.spec``). So: inside the package first (a wheel, a bundle), then beside
it (a source checkout or an editable install, which run the package from the repository).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SHIPPED = {"resources": "**/*", "projects": "*.ndproj"}  # folder: which of its files ship
LEFT_OUT = ("resources/screenshots/",)  # the README's pictures (1.6 MB), never read at run time


def shipped_folder(name: str) -> Path:
    """The folder ``name`` (a key of ``SHIPPED``) as this installation has it."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def files_to_ship(root: Path) -> list[Path]:
    """The files of the shipped folders in the repository at ``root``, relative to it: what
    setup.py copies into the wheel and the PyInstaller spec into the bundle, under the package."""
    found = []
    for folder, pattern in SHIPPED.items():
        for path in sorted((root / folder).glob(pattern)):
            relative = path.relative_to(root)
            if path.is_file() and not relative.as_posix().startswith(LEFT_OUT):
                found.append(relative)
    return found


def resources_folder() -> Path:
    return shipped_folder("resources")


def projects_folder() -> Path:
    return shipped_folder("projects")
