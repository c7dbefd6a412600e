"""A model built in another tool — hand-written PyTorch exported to ONNX — opens, trains on a
data set and exports again, verified: the issue's "done when" for the way in."""

from __future__ import annotations

import logging
import warnings
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from netdesigner.core.project import DataSettings, Project
from netdesigner.export.onnx_export import export_onnx
from netdesigner.importer.onnx_import import project_from_onnx
from netdesigner.train.project_trainer import cpu_trainer_for

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)


class SmallResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.conv = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.stem(x))
        h = torch.relu(h + self.bn(self.conv(h)))
        return self.fc(torch.flatten(self.pool(h), 1))


def test_a_hand_written_model_opens_trains_and_exports_again(tmp_path: Path) -> None:
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(SmallResNet().eval(), (torch.randn(2, 1, 8, 8),), dynamo=True, external_data=False, optimize=False,
                          dynamic_shapes=({0: "batch"},), verbose=False).save(str(tmp_path / "small.onnx"))
    project, _ = project_from_onnx(tmp_path / "small.onnx")
    project.data = DataSettings("digits", {"layout": "image"})
    project.training = replace(project.training, epochs=10, learning_rate=0.02, optimizer="adam", batch_size=64)
    trainer = cpu_trainer_for(project)  # starts from the imported weights
    before = trainer.evaluate("val")[0]
    result = trainer.run()
    assert result.ok, result
    after, metrics, _ = trainer.evaluate("val")
    assert after < 0.8 * before and metrics["accuracy"] > 0.5  # it learned the digits
    project.weights = {k: v.detach().clone() for k, v in trainer.module.state_dict().items()}
    saved = project.save(tmp_path / "small.ndproj")
    report = export_onnx(Project.load(saved), tmp_path / "again.onnx")
    assert report.ok, report.text()
    assert max(d.max_abs for d in report.differences) < 1e-4
