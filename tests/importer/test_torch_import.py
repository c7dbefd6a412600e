"""``netdesigner import-torch FILE.py:Class``: a hand-written module becomes a project whose
outputs equal the module's, with its submodules' names; problems are one clear message."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import torch

from netdesigner.core.project import Project
from netdesigner.importer.command import add_import_torch_parser, run_import_torch
from netdesigner.importer.torch_import import load_module_class

SOURCE = textwrap.dedent("""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)

        def forward(self, x):
            return torch.relu(x + self.bn1(self.conv1(x)))

    class MyNet(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(3)
            self.stem = nn.Conv2d(1, 8, 3, padding=1)
            self.block = Block(8)
            self.head = nn.Linear(8 * 8 * 8, 10)

        def forward(self, x):
            return self.head(torch.flatten(self.block(self.stem(x)), 1))
""")


def import_torch(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_import_torch_parser(parser.add_subparsers())
    return run_import_torch(parser.parse_args(["import-torch", *map(str, argv)]))


def test_a_module_class_becomes_a_project_computing_the_same(tmp_path: Path, capsys) -> None:
    source = tmp_path / "mynet.py"
    source.write_text(SOURCE)
    assert import_torch(f"{source}:MyNet", "--input-shape", "1,8,8") == 0
    assert "MyNet.ndproj" in capsys.readouterr().out
    project = Project.load(tmp_path / "MyNet.ndproj")
    names = [(n.name, n.type) for n in project.graph.nodes()]
    assert names[1:8] == [("stem", "Conv2d"), ("block_conv1", "Conv2d"), ("block_bn1", "BatchNorm2d"), ("add1", "Add"),
                          ("relu1", "ReLU"), ("flatten1", "Flatten"), ("head", "Linear")]
    cls, _ = load_module_class(f"{source}:MyNet")
    original = cls().eval()
    module = project.compile()
    module.load_state_dict(project.weights)
    x = torch.randn(4, 1, 8, 8)
    torch.testing.assert_close(module.eval()(x), original(x), rtol=1e-5, atol=1e-5)


def test_a_missing_class_or_a_failing_file_is_said_plainly(tmp_path: Path, capsys) -> None:
    source = tmp_path / "mynet.py"
    source.write_text(SOURCE)
    assert import_torch(f"{source}:Nope", "--input-shape", "1,8,8") == 1
    assert "has no class Nope; its module classes are: Block, MyNet" in capsys.readouterr().err
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    assert import_torch(f"{broken}:X", "--input-shape", "3") == 1
    assert "failed to run: RuntimeError: boom" in capsys.readouterr().err
    assert import_torch(f"{source}:MyNet", "--input-shape", "1,x") == 2
