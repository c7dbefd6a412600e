"""The command line: commands, exit codes (0 ok, 1 invalid model, 2 usage/unreadable), late imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netdesigner.cli import main
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    g = Graph()
    x = g.input((1, 8, 8))
    h = g.add("Conv2d", x, out_channels=4, kernel_size=3)
    g.output(g.add("Linear", g.add("Flatten", h), out_features=10))
    return Project(g, name="tiny").save(tmp_path / "tiny.ndproj")


@pytest.fixture
def invalid_file(tmp_path: Path) -> Path:
    g = Graph()
    x = g.input((1, 4, 4))
    h = g.add("Conv2d", x, out_channels=4, kernel_size=5)  # kernel larger than the image
    g.output(h)
    return Project(g, name="broken").save(tmp_path / "broken.ndproj")


def test_help_does_not_import_torch() -> None:
    code = "import sys\nfrom netdesigner.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\nprint('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "validate" in out
    assert out.strip().endswith("False")


def test_console_script_runs_summary(valid_file: Path) -> None:
    exe = Path(sys.executable).with_name("netdesigner")
    result = subprocess.run([str(exe), "summary", str(valid_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "conv1" in result.stdout and "Total params" in result.stdout


def test_validate_ok_exits_0(valid_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(valid_file)]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_invalid_model_exits_1_and_names_the_node(invalid_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(invalid_file)]) == 1
    out = capsys.readouterr().out
    assert "conv1 (Conv2d)" in out and "5×5" in out and "input1" in out


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ndproj"
    bad.write_text("{not json")
    assert main(["validate", str(bad)]) == 2
    assert str(bad) in capsys.readouterr().err


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["summary"])
    assert exit_info.value.code == 2


def test_summary_json_lists_layers_and_totals(valid_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(valid_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["name"]: r for r in data["rows"]}
    assert rows["conv1"]["output_shape"] == "(4, 6, 6)"
    assert rows["conv1"]["params"] == 4 * 9 + 4
    assert rows["conv1"]["macs"] == 4 * 9 * 36
    assert data["total_params"] == 40 + (144 * 10 + 10)


def test_summary_of_lenet5_reports_61706_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(ROOT / "projects" / "lenet5.ndproj")]) == 0
    assert "Total params: 61,706" in capsys.readouterr().out


def test_summary_of_resnet18_reports_11689512_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(ROOT / "projects" / "resnet18.ndproj"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 11_689_512


def test_code_prints_pytorch_that_names_the_layers(valid_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", str(valid_file)]) == 0
    out = capsys.readouterr().out
    assert "self.conv1 = nn.Conv2d(in_channels=1, out_channels=4, kernel_size=(3, 3)" in out
    assert "conv1 = self.conv1(input1)" in out
    compile(out, "generated", "exec")  # it is valid Python


def test_code_of_invalid_model_exits_1(invalid_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", str(invalid_file)]) == 1
    assert "conv1" in capsys.readouterr().err


def test_gui_screenshot_renders_an_example_to_png(tmp_path: Path) -> None:
    out = tmp_path / "lenet.png"
    exe = Path(sys.executable).with_name("netdesigner")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([str(exe), "gui", str(ROOT / "projects" / "lenet5.ndproj"), "--screenshot", str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000


def test_gui_on_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ndproj"
    bad.write_text("{")
    exe = Path(sys.executable).with_name("netdesigner")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([str(exe), "gui", str(bad), "--screenshot", str(tmp_path / "x.png")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and str(bad) in result.stderr


def test_code_prints_valid_python_for_settings_a_repr_gets_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """padding='same', a ReLU RNN and an AvgPool with ceil_mode were printed from their reprs
    as invalid or different Python; the code is now the checked model.py of the export."""
    from netdesigner.core.graph import Graph
    from netdesigner.core.project import Project

    g = Graph()
    x = g.input((2, 8, 8), name="image")
    h = g.add("Conv2d", x, name="conv", out_channels=3, padding="same")
    h = g.add("AvgPool2d", h, name="pool", ceil_mode=True, kernel_size=(3, 3))
    h = g.add("Flatten", h, name="flat")
    g.output(g.add("Linear", h, name="fc", out_features=2), "cross_entropy", name="out")
    path = Project(g, name="Odd settings").save(tmp_path / "odd.ndproj")
    assert main(["code", str(path)]) == 0
    out = capsys.readouterr().out
    assert "padding='same'" in out and "ceil_mode=True" in out
    compile(out, "generated", "exec")
