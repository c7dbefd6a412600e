"""The one build step pyproject.toml cannot declare: copying the top-level ``resources/`` and
``projects/`` folders into the package, so a wheel carries the icons and the example projects.

They stay at the top of the repository (people browse and edit them there); declarative
package data only reaches files inside a package. Which files ship is said once, in
``netdesigner/shipped_folders.py`` (the PyInstaller spec reads it too). An editable install
needs no copy: it runs the package from the repository, where they are found beside it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the package root is light: importing it imports no torch, no Qt
from netdesigner.shipped_folders import files_to_ship  # noqa: E402


class BuildWithShippedFolders(build_py):
    """``build_py`` that also copies the shipped folders into ``netdesigner/`` in the build."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for relative in files_to_ship(ROOT):
            target = Path(self.build_lib) / "netdesigner" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / relative, target)


setup(cmdclass={"build_py": BuildWithShippedFolders})
