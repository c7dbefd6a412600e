"""The wheel is the program: built from the source and installed into a fresh virtual
environment outside the repository, it finds its example projects and icons, summarises an
example and draws the window on one.

The fresh environment takes its dependencies (torch, PySide6, ...) from the environment
running the tests through a ``.pth`` file, so nothing is downloaded; only the wheel is
installed into it. A ``.pth`` line only adds a folder to ``sys.path``: the ``.pth`` files in that
folder are not run, so the editable install's import hook there cannot hand back the source
checkout, and the test checks that the package imported is the installed one.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
NOT_BUILD_INPUT = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "tests",
                                         ".*_cache", ".hypothesis", "screenshots", "*.safetensors", "*-checkpoints")
WHERE_IT_IS = """
import json, netdesigner
from netdesigner.examples import list_examples
from netdesigner.shipped_folders import resources_folder
print(json.dumps({"package": netdesigner.__file__, "examples": [str(e.path) for e in list_examples()],
                  "icon": str(resources_folder() / "icons" / "netdesigner.svg")}))
"""


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the wheel, the fresh environment's bin folder, a working folder outside the repository)."""
    work = tmp_path_factory.mktemp("wheel_install")
    source = work / "source"  # a copy, so the build writes nothing into the checkout
    shutil.copytree(ROOT, source, ignore=NOT_BUILD_INPUT)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet", "-w", work / "wheels", source], work)
    (wheel,) = (work / "wheels").glob("netdesigner-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], work)
    (venv_site,) = (venv / "lib").glob("python*/site-packages")
    (venv_site / "dependencies_from_the_test_environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run([*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", "--quiet", wheel], work)
    run_in = work / "elsewhere"
    run_in.mkdir()
    return wheel, venv / "bin", run_in


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PYTHONNOUSERSITE="1", QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp), XDG_DATA_HOME=str(tmp))
    return env


def test_the_wheel_carries_the_examples_and_the_icons_but_not_the_readme_pictures(installed) -> None:
    wheel, _, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    examples = sorted(p.name for p in (ROOT / "projects").glob("*.ndproj"))
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("netdesigner/projects/")) == examples
    assert "netdesigner/resources/icons/netdesigner.svg" in names
    assert not [n for n in names if "screenshots" in n]


def test_the_installed_package_finds_its_own_examples_and_icon(installed) -> None:
    _, bin_folder, cwd = installed
    found = json.loads(_run([bin_folder / "python", "-c", WHERE_IT_IS], cwd, _env(cwd)))
    venv = bin_folder.parent.resolve()
    assert Path(found["package"]).resolve().is_relative_to(venv), f"imported the source checkout: {found['package']}"
    assert len(found["examples"]) == len(list((ROOT / "projects").glob("*.ndproj")))
    assert all(Path(p).resolve().is_relative_to(venv) for p in found["examples"] + [found["icon"]])
    assert Path(found["icon"]).is_file()
    versions = _run([bin_folder / "netdesigner", "--versions"], cwd, _env(cwd))
    assert versions.startswith("NetDesigner ") and "torch " in versions


def test_the_installed_command_summarises_and_draws_a_bundled_example(installed) -> None:
    _, bin_folder, cwd = installed
    examples = json.loads(_run([bin_folder / "python", "-c", WHERE_IT_IS], cwd, _env(cwd)))["examples"]
    lenet = next(p for p in examples if p.endswith("lenet5.ndproj"))
    table = _run([bin_folder / "netdesigner", "summary", lenet], cwd, _env(cwd))
    assert "61,706" in table or "61706" in table  # LeNet-5's parameters
    shot = cwd / "out.png"
    _run([bin_folder / "netdesigner", "gui", lenet, "--screenshot", shot], cwd, _env(cwd))
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.width >= 640 and image.height >= 400
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the screenshot is blank"
