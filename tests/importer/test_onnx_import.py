"""ONNX files made by torch from hand-written modules open as graphs whose outputs equal
onnxruntime's on the file; what has no layer is listed whole, and nothing is made."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from torch import nn

from netdesigner.core.compiler import compile_graph
from netdesigner.importer.onnx_import import ImportFailed, import_onnx

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)


class Block(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class TinyResNet(nn.Module):
    """A residual network as people write it: stem, a block with a skip Add, global pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.block = Block(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.block(self.stem(x))), 1))


class PoolingCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, stride=1, padding=1)
        self.act = nn.ELU()
        self.pool = nn.MaxPool2d(2)
        self.avg = nn.AvgPool2d(2)
        self.prelu = nn.PReLU(6)
        self.head = nn.Linear(6 * 2 * 2, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.avg(self.prelu(self.pool(self.act(self.conv(x)))))
        return torch.log_softmax(self.head(h.flatten(1)), dim=-1)


class SequenceNet(nn.Module):
    """A Linear on a (steps, features) input exports as MatMul + Add; then a transpose."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(4, 6)
        self.conv = nn.Conv1d(6, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.conv(torch.tanh(self.embed(x)).transpose(1, 2)))


def _randomise_statistics(module: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.weight.data.uniform_(0.5, 1.5)
    return module.eval()


def _export(module: nn.Module, sample: torch.Tensor, path: Path, *, optimize: bool = True, opset: int | None = None) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if opset is None:
            program = torch.onnx.export(module, (sample,), dynamo=True, external_data=False, optimize=optimize,
                                        dynamic_shapes=({0: "batch"},), verbose=False)
            program.save(str(path))
        else:
            torch.onnx.export(module, (sample,), str(path), dynamo=False, opset_version=opset, input_names=["x"],
                              dynamic_axes={"x": {0: "batch"}})
    return path


def _same_as_onnxruntime(path: Path, shape: tuple[int, ...], batch: int = 5) -> tuple:
    imported = import_onnx(path)
    module = compile_graph(imported.graph)
    module.load_state_dict(imported.weights, strict=True)
    module.eval()
    x = torch.randn(batch, *shape, generator=torch.Generator().manual_seed(1))
    ours = module(x).detach().numpy()
    session = ort.InferenceSession(str(path))
    reference = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-5)
    return imported, [node.type for node in imported.graph.nodes()]


@pytest.mark.parametrize("optimize", [False, True])
def test_a_resnet_block_with_its_skip_add_imports_equal_to_onnxruntime(tmp_path: Path, optimize: bool) -> None:
    path = _export(_randomise_statistics(TinyResNet()), torch.randn(2, 1, 8, 8), tmp_path / "res.onnx", optimize=optimize)
    imported, types = _same_as_onnxruntime(path, (1, 8, 8))
    assert types.count("Add") == 1 and types.count("Conv2d") == 3 and "AdaptiveAvgPool2d" in types
    # the exporter's own optimiser folds BatchNorm into the convolution; the unoptimised file keeps it, and so do we
    assert types.count("BatchNorm2d") == (0 if optimize else 2)
    names = {node.name for node in imported.graph.nodes()}
    assert {"stem", "block_conv1", "fc"} <= names  # named after the module's own names, from the weights
    assert imported.weights["stem.weight"].shape == (8, 1, 3, 3)
    add = next(n for n in imported.graph.nodes() if n.type == "Add")
    assert len(imported.graph.in_edges(add.id)) == 2  # the skip connection is wired


def test_pooling_activations_and_log_softmax(tmp_path: Path) -> None:
    path = _export(PoolingCNN().eval(), torch.randn(2, 3, 8, 8), tmp_path / "cnn.onnx")
    imported, types = _same_as_onnxruntime(path, (3, 8, 8))
    assert {"ELU", "MaxPool2d", "AvgPool2d", "PReLU", "LogSoftmax", "Linear"} <= set(types)
    output = next(n for n in imported.graph.nodes() if n.type == "Output")
    assert output.params["loss"] == "nll"  # log-probabilities
    assert any("loss nll" in note for note in imported.notes)


@pytest.mark.parametrize("opset", [9, 11, 13, 17, 19, 20])
def test_files_of_older_opsets_from_the_legacy_exporter(tmp_path: Path, opset: int) -> None:
    path = _export(SequenceNet().eval(), torch.randn(2, 5, 4), tmp_path / f"seq{opset}.onnx", opset=opset)
    assert onnx.load(str(path)).opset_import[0].version == opset
    imported, types = _same_as_onnxruntime(path, (5, 4))
    assert types == ["Input", "Linear", "Tanh", "Permute", "Conv1d", "Sigmoid", "Output"]  # MatMul + Add is one Linear
    linear = next(n for n in imported.graph.nodes() if n.type == "Linear")
    assert linear.params["bias"] is True and linear.params["out_features"] == 6


@pytest.mark.parametrize("opset", [18, 21, 22])
def test_a_resnet_block_of_the_newer_opsets_imports_equal_to_onnxruntime(tmp_path: Path, opset: int) -> None:
    path = tmp_path / f"res{opset}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_randomise_statistics(TinyResNet()), (torch.randn(2, 1, 8, 8),), dynamo=True, external_data=False,
                          optimize=False, opset_version=opset, dynamic_shapes=({0: "batch"},), verbose=False).save(str(path))
    assert onnx.load(str(path)).opset_import[0].version == opset
    _, types = _same_as_onnxruntime(path, (1, 8, 8))
    assert types.count("Conv2d") == 3 and types.count("BatchNorm2d") == 2 and types.count("Add") == 1


class NormNet(nn.Module):
    """GroupNorm on feature maps and LayerNorm on vectors, as modern networks use them."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.gn = nn.GroupNorm(4, 8)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(8 * 6 * 6, 12)
        self.ln = nn.LayerNorm(12)
        self.out = nn.Linear(12, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.ln(self.fc(self.flat(torch.relu(self.gn(self.conv(x)))))))


@pytest.mark.parametrize("opset", [21, 23])
def test_layer_and_group_normalisation_import_as_their_layers(tmp_path: Path, opset: int) -> None:
    torch.manual_seed(0)
    module = NormNet()
    for p in module.parameters():
        p.data.uniform_(-1, 1)  # scales and shifts far from 1 and 0, so a lost one shows
    path = tmp_path / f"norm{opset}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (torch.randn(2, 3, 6, 6),), dynamo=True, external_data=False, optimize=False,
                          opset_version=opset, dynamic_shapes=({0: "batch"},), verbose=False).save(str(path))
    imported, types = _same_as_onnxruntime(path, (3, 6, 6))
    assert types == ["Input", "Conv2d", "GroupNorm", "ReLU", "Flatten", "Linear", "LayerNorm", "Linear", "Output"]
    group = next(n for n in imported.graph.nodes() if n.type == "GroupNorm")
    assert group.params["num_groups"] == 4 and imported.weights[f"{group.name}.weight"].shape == (8,)


def test_a_layer_norm_over_two_axes_keeps_them(tmp_path: Path) -> None:
    module = nn.Sequential(nn.Linear(5, 6), nn.LayerNorm((4, 6)), nn.Linear(6, 2)).eval()
    path = _export(module, torch.randn(2, 4, 5), tmp_path / "ln2.onnx", optimize=False)
    imported, types = _same_as_onnxruntime(path, (4, 5))
    norm = next(n for n in imported.graph.nodes() if n.type == "LayerNorm")
    assert types == ["Input", "Linear", "LayerNorm", "Linear", "Output"] and norm.params["axes"] == 2


def test_unsupported_ops_are_all_listed_and_nothing_is_made(tmp_path: Path) -> None:
    class Odd(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.cumsum(torch.sin(self.fc(x)), dim=1)

    path = _export(Odd().eval(), torch.randn(2, 3), tmp_path / "odd.onnx")
    with pytest.raises(ImportFailed) as caught:
        import_onnx(path)
    message = str(caught.value)
    assert "nothing was changed" in message and "2 nodes without an equal layer" in message
    assert "no layer for Sin" in message and "no layer for CumSum" in message


def test_a_file_that_is_not_onnx_or_reaches_outside_its_folder_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00\x01 this is not a protobuf")
    with pytest.raises(ImportFailed, match="not an ONNX model"):
        import_onnx(junk)
    with pytest.raises(ImportFailed, match="no such file"):
        import_onnx(tmp_path / "missing.onnx")

    path = _export(nn.Sequential(nn.Linear(3, 2)).eval(), torch.randn(2, 3), tmp_path / "far.onnx")
    model = onnx.load(str(path))
    weight = model.graph.initializer[0]
    weight.ClearField("raw_data")
    weight.data_location = onnx.TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "../secrets.bin"
    (tmp_path.parent / "secrets.bin").write_bytes(b"\x00" * 64)
    onnx.save(model, str(path))
    with pytest.raises(ImportFailed, match="outside the model's folder"):
        import_onnx(path)
