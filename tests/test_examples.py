"""The example projects in ``projects/``: they load, validate, round-trip, and compile to the
very network a person would write by hand in PyTorch.

Each example is compared with a hand-written ``torch.nn.Module`` given the same weights. The
weights are copied key by key (by order, or by translated name for ResNet-18) and every pair
of shapes must agree one to one, so a missing, extra or mis-sized layer fails the test before
the outputs are even compared; a mis-wired graph (wrong activation, skip or order) fails the
output comparison.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from netdesigner.core.project import Project
from netdesigner.core.project_format import dumps
from netdesigner.core.validation import errors, validate

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


# ---- hand-written reference models ------------------------------------------------------


class LeNet5(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet, for BasicBlock."""

    def __init__(self, layers: list[int], num_classes: int = 1000) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * BasicBlock.expansion, num_classes)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * BasicBlock.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * BasicBlock.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * BasicBlock.expansion),
            )
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * BasicBlock.expansion
        layers += [BasicBlock(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet18() -> ResNet:
    return ResNet([2, 2, 2, 2])


def resnet_key(key: str) -> str:
    """torchvision's state_dict key → the example's (``layer2.0.downsample.0.weight`` →
    ``layer2_0_downsample_conv.weight``)."""
    module, _, tensor = key.rpartition(".")
    module = module.replace("downsample.0", "downsample_conv").replace("downsample.1", "downsample_bn")
    return module.replace(".", "_") + "." + tensor


class SpiralsMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SineMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class DigitsCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class LSTMClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(8, 64, batch_first=True)
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _out, (h_n, _c_n) = self.lstm(x)
        return self.fc(h_n[-1])


class VAE(nn.Module):
    def __init__(self, latent: int = 2) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU())
        self.mean = nn.Linear(128, latent)
        self.logvar = nn.Linear(128, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, 64), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoder(x)
        mean, logvar = self.mean(h), self.logvar(h)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean) if self.training else mean
        return self.decoder(z).reshape(-1, 1, 8, 8)


# ---- the examples -----------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    file: str
    reference: Callable[[], nn.Module]
    input_shape: tuple[int, ...]  # one sample, without the batch axis
    parameters: int | None = None  # exact count required, where the design fixes it
    rename: Callable[[str], str] | None = None  # reference key → compiled key; None: by order


EXAMPLES = [
    Example("lenet5.ndproj", LeNet5, (1, 32, 32), parameters=61_706),
    Example("resnet18.ndproj", resnet18, (3, 224, 224), parameters=11_689_512, rename=resnet_key),
    Example("spirals_mlp.ndproj", SpiralsMLP, (2,)),
    Example("sine_mlp.ndproj", SineMLP, (1,)),
    Example("digits_cnn.ndproj", DigitsCNN, (1, 8, 8)),
    Example("lstm_sequence.ndproj", LSTMClassifier, (8, 8)),
    Example("vae.ndproj", VAE, (1, 8, 8)),
]
IDS = [e.file.removesuffix(".ndproj") for e in EXAMPLES]
ALL_FILES = sorted(p.name for p in PROJECTS.glob("*.ndproj"))  # the lessons' examples besides those above


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def randomise_normalisation(module: nn.Module) -> None:
    """Non-trivial batch-norm statistics and affine terms, so eval mode really uses them."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0.0, 0.1)


def copy_weights(compiled: nn.Module, reference: nn.Module, rename: Callable[[str], str] | None) -> None:
    """Loads the compiled module's state into the reference, each tensor into its one counterpart.

    Both state dicts must have the same number of entries, and each pair the same shape: a
    layer missing from (or added to) the example shifts the pairing and fails here.
    """
    source = compiled.state_dict()
    target = reference.state_dict()
    assert len(source) == len(target), (
        f"the example has {len(source)} state tensors, the reference {len(target)}:\n"
        f"  example:   {list(source)}\n  reference: {list(target)}"
    )
    if rename is None:
        pairs = list(zip(target, source, strict=True))
    else:
        pairs = [(key, rename(key)) for key in target]
        missing = [c for _, c in pairs if c not in source]
        assert not missing, f"the example lacks {missing}"
        assert len({c for _, c in pairs}) == len(source)
    loaded = {}
    for ref_key, ex_key in pairs:
        value = source[ex_key]
        assert value.shape == target[ref_key].shape, (
            f"{ex_key} {tuple(value.shape)} does not fit {ref_key} {tuple(target[ref_key].shape)}"
        )
        loaded[ref_key] = value.clone()
    reference.load_state_dict(loaded, strict=True)


def load(example: Example) -> Project:
    return Project.load(PROJECTS / example.file)


@pytest.fixture(scope="module")
def compiled() -> dict[str, torch.fx.GraphModule]:
    """Each example compiled once (ResNet-18 takes a moment)."""
    return {e.file: load(e).compile() for e in EXAMPLES}


# ---- the tests --------------------------------------------------------------------------


def test_every_reference_example_is_a_project_file() -> None:
    assert {e.file for e in EXAMPLES} <= set(ALL_FILES)


@pytest.mark.parametrize("file", ALL_FILES)
def test_example_loads_with_a_description_and_a_layout(file: str) -> None:
    project = Project.load(PROJECTS / file)
    assert project.description.strip() and "\n" not in project.description
    positions = [n.position for n in project.graph.nodes()]
    assert len(set(positions)) == len(positions), "nodes overlap: the example was saved without a layout"


@pytest.mark.parametrize("file", ALL_FILES)
def test_example_validates_without_problems(file: str) -> None:
    project = Project.load(PROJECTS / file)
    graphs = [project.graph] + [v.graph for v in (project.lesson.variants if project.lesson else []) if v.graph]
    for graph in graphs:
        problems = validate(graph)
        assert not errors(problems), [p.describe(graph) for p in problems]
        assert not problems, [p.describe(graph) for p in problems]


@pytest.mark.parametrize("file", ALL_FILES)
def test_example_round_trips(file: str, tmp_path: Path) -> None:
    path = PROJECTS / file
    doc = Project.load(path).to_json()
    # the file is exactly what the saver writes
    assert dumps(doc) == path.read_text(encoding="utf-8")
    saved = Project.load(path).save(tmp_path / file)
    again = Project.load(saved).to_json()
    assert again == doc
    assert json.loads(saved.read_text(encoding="utf-8")) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_has_the_reference_parameter_count(example: Example, compiled) -> None:
    module = compiled[example.file]
    reference = example.reference()
    assert count(module) == count(reference)
    if example.parameters is not None:
        assert count(module) == example.parameters
        assert count(reference) == example.parameters


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_computes_what_the_hand_written_model_computes(example: Example, compiled) -> None:
    torch.manual_seed(0)
    module = compiled[example.file]
    randomise_normalisation(module)
    reference = example.reference()
    copy_weights(module, reference, example.rename)
    module.eval()
    reference.eval()
    x = torch.randn(2, *example.input_shape)
    with torch.no_grad():
        got = module(x)
        want = reference(x)
    assert got.shape == want.shape
    assert got.abs().max() > 0
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_lenet5_layers() -> None:
    project = load(EXAMPLES[0])
    module = project.compile()
    assert [name for name, _ in module.named_children()] == [
        "conv1", "tanh1", "pool1", "conv2", "tanh2", "pool2", "flatten", "fc1", "tanh3", "fc2", "tanh4", "fc3",
    ]
    assert module(torch.zeros(1, 1, 32, 32)).shape == (1, 10)


def test_resnet18_names_follow_torchvision(compiled) -> None:
    module = compiled["resnet18.ndproj"]
    expected = {resnet_key(k) for k in resnet18().state_dict()}
    assert set(module.state_dict()) == expected
    assert isinstance(module.get_submodule("layer2_0_downsample_conv"), nn.Conv2d)
    assert module.get_submodule("layer2_0_downsample_conv").stride == (2, 2)
    assert not any(name.startswith("layer1_0_downsample") for name, _ in module.named_children())


def test_vae_samples_like_the_reference_while_training(compiled) -> None:
    """In training mode both draw the same noise from the same seed and give the KL term."""
    torch.manual_seed(1)
    module = compiled["vae.ndproj"]
    reference = VAE()
    copy_weights(module, reference, None)
    module.train()
    reference.train()
    x = torch.rand(2, 1, 8, 8)
    with torch.no_grad():
        torch.manual_seed(7)
        got = module(x)
        torch.manual_seed(7)
        want = reference(x)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    assert module.get_submodule("z").kl is not None
    module.eval()


def test_a_mis_wired_example_is_caught() -> None:
    """The checks above can fail: a changed size breaks the weight copy, a skipped
    activation changes the outputs."""
    example = EXAMPLES[0]
    resized = load(example)
    resized.graph.set_param(resized.graph.find("fc2").id, "out_features", 85)
    with pytest.raises(AssertionError, match="does not fit"):
        copy_weights(resized.compile(), LeNet5(), None)

    skipped = load(example)
    g = skipped.graph
    tanh3 = g.find("tanh3").id
    for edge in g.in_edges(tanh3) + g.out_edges(tanh3):
        g.disconnect(edge)
    g.remove_node(tanh3)
    g.connect(g.find("fc1").id, g.find("fc2").id)
    module = skipped.compile()
    reference = LeNet5()
    copy_weights(module, reference, None)  # same weights: only the wiring differs
    x = torch.randn(2, 1, 32, 32)
    with torch.no_grad():
        assert not torch.allclose(module.eval()(x), reference.eval()(x), rtol=1e-5, atol=1e-6)
