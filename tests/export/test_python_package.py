"""The exported PyTorch package: model.py computes what the designer's module computes, with
nothing of NetDesigner; train.py trains, on one process and on two under torchrun."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from catalog_examples import EXAMPLES, LAYERS, TOKENS
from safetensors.torch import load_file, save_file

from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.core.shapes import infer_shapes
from netdesigner.data.registry import load_project_data
from netdesigner.export.python_model_source import model_source
from netdesigner.export.python_package import export_python_package

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
WITH_DATA = ["spirals_mlp", "digits_cnn", "lstm_sequence", "sine_mlp", "vae"]
WITHOUT_DATA = ["lenet5", "resnet18"]
BATCH = 4


def _inputs(graph: Graph, seed: int = 0) -> list[torch.Tensor]:
    """A seeded batch for every Input node of ``graph``, in graph order."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, TOKENS, (BATCH, *n.params["shape"]), generator=g) if n.params["dtype"] == "int64"
            else torch.randn(BATCH, *n.params["shape"], generator=g) for n in graph.nodes() if n.type == "Input"]


def _as_tuple(out) -> tuple[torch.Tensor, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _env() -> dict[str, str]:
    """A child process that sees nothing of the repository: no PYTHONPATH, one thread each."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OMP_NUM_THREADS"] = "1"
    return env


# ---- (a) the example projects, checked in a process that never imports netdesigner --------
_CHECK = r"""
import json, sys
import torch
from safetensors.torch import load_file

results = {}
for case in json.loads(sys.argv[1]):
    for name in ("model", "layers"):
        sys.modules.pop(name, None)
    sys.path.insert(0, case["folder"])
    try:
        import model
        net = getattr(model, case["class_name"])()
        net.load_state_dict(load_file(case["folder"] + "/weights.safetensors"), strict=True)
        net.eval()
        data = load_file(case["check"])
        inputs = [data[f"input{i}"] for i in range(case["inputs"])]
        with torch.no_grad():
            out = net(*inputs)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        diffs = [float((o - data[f"expected{i}"]).abs().max()) for i, o in enumerate(outs)]
        results[case["folder"]] = {"diffs": diffs, "outputs": len(outs)}
    except Exception as e:
        results[case["folder"]] = {"error": f"{type(e).__name__}: {e}"}
    finally:
        sys.path.remove(case["folder"])
results["netdesigner imported"] = [m for m in sys.modules if m.split(".")[0] == "netdesigner"]
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Every example project exported once: name → (folder, report)."""
    root = tmp_path_factory.mktemp("packages")
    return {name: (root / name, export_python_package(Project.load(PROJECTS / f"{name}.ndproj"), root / name))
            for name in WITH_DATA + WITHOUT_DATA}


@pytest.fixture(scope="module")
def fresh_process_results(exported, tmp_path_factory) -> dict:
    """The outputs of each exported model.py on a seeded batch, next to the designer's own
    compiled module with the exported weights, from one fresh python process."""
    checks = tmp_path_factory.mktemp("checks")
    cases = []
    for name, (folder, report) in exported.items():
        assert report.ok, report.text()
        project = Project.load(PROJECTS / f"{name}.ndproj")
        module = project.compile()
        module.load_state_dict(load_file(folder / "weights.safetensors"), strict=True)
        module.eval()
        inputs = _inputs(project.graph)
        with torch.no_grad():
            expected = _as_tuple(module(*inputs))
        tensors = {f"input{i}": x for i, x in enumerate(inputs)} | {f"expected{i}": e.contiguous() for i, e in enumerate(expected)}
        save_file(tensors, str(checks / f"{name}.safetensors"))
        cases.append({"folder": str(folder), "class_name": report.class_name, "inputs": len(inputs),
                      "check": str(checks / f"{name}.safetensors"), "name": name, "outputs": len(expected)})
    done = subprocess.run([sys.executable, "-c", _CHECK, json.dumps(cases)], capture_output=True, text=True,
                          cwd=checks, env=_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return {"netdesigner imported": results.pop("netdesigner imported"),
            **{c["name"]: results[c["folder"]] | {"expected_outputs": c["outputs"]} for c in cases}}


@pytest.mark.parametrize("name", WITH_DATA + WITHOUT_DATA)
def test_model_py_with_exported_weights_computes_what_the_designer_computes(name, fresh_process_results) -> None:
    result = fresh_process_results[name]
    assert "error" not in result, result.get("error")
    assert result["outputs"] == result["expected_outputs"]
    assert max(result["diffs"]) <= 1e-5, result["diffs"]


def test_the_package_runs_without_netdesigner(fresh_process_results) -> None:
    assert fresh_process_results["netdesigner imported"] == []


def test_every_project_with_data_gets_the_whole_package(exported) -> None:
    for name in WITH_DATA:
        folder, report = exported[name]
        names = {f.name for f in report.files}
        assert {"model.py", "weights.safetensors", "data.npz", "train.py", "README.md"} <= names, name
        assert all(f.is_file() for f in report.files)
        assert "torchrun" in (folder / "README.md").read_text()


def test_a_project_without_data_gets_the_model_and_says_why_train_py_is_missing(exported) -> None:
    folder, report = exported["lenet5"]
    assert report.ok
    assert not (folder / "train.py").exists() and not (folder / "data.npz").exists()
    assert (folder / "model.py").is_file() and (folder / "weights.safetensors").is_file()
    assert "train.py and data.npz are left out: the project names no data set" in report.text()


def test_only_the_layers_netdesigner_adds_are_copied_into_layers_py(exported) -> None:
    assert not (exported["spirals_mlp"][0] / "layers.py").exists()  # torch.nn alone
    layers = (exported["vae"][0] / "layers.py").read_text()
    assert "class Reparameterize(nn.Module)" in layers and "class Reshape(nn.Module)" in layers
    assert "def kl_divergence" in layers  # what Reparameterize calls comes with it
    assert "class Concat" not in layers and "netdesigner" not in layers.split('"""', 2)[2]


def test_model_py_reads_like_hand_written_pytorch(exported) -> None:
    text = (exported["spirals_mlp"][0] / "model.py").read_text()
    assert "class SpiralsMLP(nn.Module):" in text
    assert "        self.fc1 = nn.Linear(in_features=2, out_features=64)" in text
    assert "        fc1 = self.fc1(point)  # (batch, 64)" in text
    assert "fx" not in text and "None" not in text.split("def forward")[1]


def test_data_npz_holds_the_splits_as_the_trainer_sees_them(exported) -> None:
    project = Project.load(PROJECTS / "digits_cnn.ndproj")
    splits = load_project_data(project)
    with np.load(exported["digits_cnn"][0] / "data.npz") as data:  # allow_pickle is False by default
        for part in ("train", "val", "test"):
            np.testing.assert_array_equal(data[f"{part}_x"], getattr(splits, part).x.numpy())
            np.testing.assert_array_equal(data[f"{part}_y"], getattr(splits, part).y.numpy())
        assert data["class_names"].tolist() == list(splits.info.class_names)
        assert int(data["num_classes"]) == 10 and str(data["task"]) == "classification"
        assert data["input_shape"].tolist() == [1, 8, 8]


def test_the_generated_python_has_no_undefined_or_unused_names(exported, gan_package: Path) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    folders = [str(exported[name][0]) for name in WITH_DATA + WITHOUT_DATA] + [str(gan_package)]
    done = subprocess.run([ruff, "check", "--no-cache", "--isolated", "--select", "F,E9", *folders],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


# ---- (b) every catalogue layer type -------------------------------------------------------
F, L = "float32", "int64"
VARIANTS: dict[str, tuple[str, list[tuple[tuple[int, ...], str]], dict]] = {
    "rnn_relu_bidirectional_last": ("RNN", [((5, 3), F)], {"nonlinearity": "relu", "bidirectional": True, "output": "last", "num_layers": 2, "dropout": 0.2}),
    "gru_last_no_bias": ("GRU", [((5, 3), F)], {"output": "last", "bias": False, "hidden_size": 7}),
    "lstm_bidirectional": ("LSTM", [((5, 3), F)], {"bidirectional": True, "hidden_size": 4}),
    "conv_same_no_bias": ("Conv2d", [((2, 7, 6), F)], {"padding": "same", "bias": False, "dilation": (2, 1)}),
    "avg_pool_ceil": ("AvgPool2d", [((2, 7, 5), F)], {"kernel_size": (3, 3), "ceil_mode": True}),
    "max_pool_overlapping": ("MaxPool1d", [((2, 9), F)], {"kernel_size": (3,), "stride": (2,), "padding": (1,)}),
    "attention_causal": ("MultiheadAttention", [((5, 8), F)], {"num_heads": 2, "causal": True, "bias": False}),
    "encoder_gelu_prenorm": ("TransformerEncoderLayer", [((5, 8), F)], {"nhead": 2, "activation": "gelu", "norm_first": True, "causal": True, "dim_feedforward": 16}),
    "upsample_bilinear": ("Upsample", [((2, 3, 3), F)], {"mode": "bilinear", "scale_factor": 1.5}),
    "prelu_per_channel": ("PReLU", [((3, 4), F)], {"per_channel": True, "init": 0.1}),
    "layer_norm_two_axes": ("LayerNorm", [((5, 6), F)], {"axes": 2, "elementwise_affine": False}),
    "softmax_first_axis": ("Softmax", [((2, 6), F)], {"dim": 0}),
    "split_three": ("Split", [((6, 2), F)], {"chunks": 3}),
    "concat_last_axis": ("Concat", [((2, 3), F), ((2, 4), F)], {"dim": -1}),
    "deconv_output_padding": ("ConvTranspose2d", [((2, 4, 3), F)], {"stride": (3, 3), "kernel_size": (3, 3), "output_padding": (1, 0), "out_channels": 4}),
    "batch_norm_no_affine": ("BatchNorm1d", [((4, 5), F)], {"affine": False, "momentum": 0.3}),
    "reshape_inferred": ("Reshape", [((2, 3, 4), F)], {"shape": (4, -1)}),
    "embedding_small": ("Embedding", [((6,), L)], {"num_embeddings": TOKENS, "embedding_dim": 3}),
}
CASES = {name: (name, EXAMPLES[name][0], EXAMPLES[name][1]) for name in LAYERS} | VARIANTS


def _graph(type_name: str, inputs, params) -> Graph:
    g = Graph()
    sources = [g.input(shape, dtype) for shape, dtype in inputs]
    layer = g.add(type_name, *sources, **params)
    for port in layer:
        g.output(port, loss="none")
    return g


def _import_generated(folder: Path, module_name: str):
    """model.py of ``folder``, imported as a fresh module (its ``from layers import`` too)."""
    sys.modules.pop("layers", None)  # another test's layers.py
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(module_name, folder / "model.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("layers", None)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_layer_type_generates_a_model_that_computes_the_same(case: str, tmp_path: Path) -> None:
    type_name, inputs, params = CASES[case]
    graph = _graph(type_name, inputs, params)
    report = infer_shapes(graph)
    designer = compile_graph(graph, report=report, class_name="Example")
    source = model_source(designer, report, title=case)
    (tmp_path / "model.py").write_text(source.model)
    if source.layers is not None:
        (tmp_path / "layers.py").write_text(source.layers)
    generated = _import_generated(tmp_path, f"generated_{case}").Example()
    generated.load_state_dict(designer.state_dict(), strict=True)
    designer.eval()
    generated.eval()
    x = _inputs(graph, seed=1)
    with torch.no_grad():
        want, got = _as_tuple(designer(*x)), _as_tuple(generated(*x))
    assert len(got) == len(want)
    for w, g in zip(want, got, strict=True):
        torch.testing.assert_close(g, w, rtol=0, atol=0)


def test_a_layer_built_in_training_mode_behaves_alike_too(tmp_path: Path) -> None:
    """Noise and dropout draw the same numbers from the same seed: the modules are the same."""
    graph = _graph("GaussianNoise", [((6,), F)], {"std": 0.5})
    report = infer_shapes(graph)
    designer = compile_graph(graph, report=report, class_name="Noisy")
    source = model_source(designer, report, title="noisy")
    (tmp_path / "model.py").write_text(source.model)
    (tmp_path / "layers.py").write_text(source.layers)
    generated = _import_generated(tmp_path, "generated_noisy").Noisy()
    x = torch.ones(BATCH, 6)
    torch.manual_seed(3)
    want = designer(x)
    torch.manual_seed(3)
    torch.testing.assert_close(generated(x), want, rtol=0, atol=0)
    assert not torch.equal(want, x)


# ---- (c) and (d): train.py ----------------------------------------------------------------
def test_train_py_writes_each_line_in_one_write(exported) -> None:
    """Processes under torchrun share one output: a line must leave in one write, or another
    process's line can land between its text and its newline (print() does that unbuffered)."""
    folder, _ = exported["spirals_mlp"]
    source = (folder / "train.py").read_text()
    assert "say(" in source
    assert "print(" not in source


_LINE = re.compile(r"^epoch (\d+)/\d+ .*?val loss (\S+)", re.M)


def _val_losses(output: str) -> dict[int, float]:
    return {int(epoch): float(loss) for epoch, loss in _LINE.findall(output)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_train_py_trains_on_two_processes_under_torchrun(exported, tmp_path: Path) -> None:
    folder, _ = exported["spirals_mlp"]
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2",
         f"--master_port={_free_port()}", "train.py", "--epochs", "1", "--out", str(out), "--cpu"],
        capture_output=True, text=True, cwd=folder, env=_env() | {"PYTHONUNBUFFERED": "1"}, timeout=180,
    )  # unbuffered, as CI runs it: print() then writes a line and its newline apart
    assert done.returncode == 0, done.stdout + done.stderr
    assert "process 0 of 2 finished 1 epoch(s)" in done.stdout
    assert "process 1 of 2 finished 1 epoch(s)" in done.stdout
    assert "2 process(es) on cpu" in done.stdout
    losses = _val_losses(done.stdout)
    assert set(losses) == {0, 1}, done.stdout  # both lines whole, none run into another process's line
    assert losses[1] < losses[0] - 0.02, done.stdout  # the validation loss before and after the epoch
    assert done.stdout.count("epoch 1/1") == 1  # only rank 0 logs
    trained = load_file(out / "last.safetensors")
    start = load_file(folder / "weights.safetensors")
    assert trained.keys() == start.keys()
    assert not torch.equal(trained["fc1.weight"], start["fc1.weight"])


@pytest.mark.parametrize("name", ["spirals_mlp", "vae", "sine_mlp"])
def test_train_py_trains_on_one_process(name: str, exported, tmp_path: Path) -> None:
    folder, _ = exported[name]
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "train.py", "--epochs", "1", "--out", str(out)],
                          capture_output=True, text=True, cwd=folder, env=_env(), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "process 0 of 1 finished 1 epoch(s)" in done.stdout
    losses = _val_losses(done.stdout)
    assert losses[1] < losses[0], done.stdout
    assert (out / "last.safetensors").is_file() and (out / "best.safetensors").is_file()


# ---- what the export does with weights, folders and broken projects -----------------------
def test_trained_weights_are_exported_as_they_are(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "sine_mlp.ndproj")
    project.weights = {k: torch.full_like(v, 0.25) for k, v in project.compile().state_dict().items()}
    report = export_python_package(project, tmp_path / "pkg")
    assert report.ok, report.text()
    exported = load_file(tmp_path / "pkg" / "weights.safetensors")
    assert exported.keys() == project.weights.keys()
    assert all(torch.equal(exported[k], v) for k, v in project.weights.items())
    assert "no trained weights" not in report.text()


def test_untrained_weights_are_the_seeded_ones_training_starts_from(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    first = export_python_package(project, tmp_path / "a")
    second = export_python_package(project, tmp_path / "b")
    assert first.ok and second.ok
    a, b = load_file(tmp_path / "a" / "weights.safetensors"), load_file(tmp_path / "b" / "weights.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("my own model\n")
    report = export_python_package(Project.load(PROJECTS / "lenet5.ndproj"), tmp_path)
    assert not report.ok
    assert "is not empty and holds no earlier export" in report.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_an_earlier_export_is_replaced(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "lenet5.ndproj")
    assert export_python_package(project, tmp_path / "pkg").ok
    report = export_python_package(project, tmp_path / "pkg")
    assert report.ok, report.text()


def test_a_model_that_cannot_train_on_its_data_is_exported_without_train_py(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "sine_mlp.ndproj")
    for node in project.graph.nodes():
        if node.type == "Output":
            project.graph.set_param(node.id, "loss", "none")
    report = export_python_package(project, tmp_path / "pkg")
    assert report.ok, report.text()
    assert "train.py and data.npz are left out: no Output node has a loss" in report.text()
    assert (tmp_path / "pkg" / "model.py").is_file() and not (tmp_path / "pkg" / "train.py").exists()


def test_an_invalid_graph_writes_nothing_and_says_why(tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    project.graph.remove_node(project.graph.find("fc2").id)  # tanh2 loses its input
    report = export_python_package(project, tmp_path / "pkg")
    assert not report.ok
    assert report.text().startswith(f"nothing was written to {tmp_path / 'pkg'}")
    assert "tanh2 (Tanh): input 'x' is not connected" in report.text()
    assert not (tmp_path / "pkg").exists()


SETTINGS = {
    "sgd_nesterov_one_cycle": dict(optimizer="sgd", nesterov=True, schedule="one_cycle", grad_clip=1.0, init="kaiming",
                                   input_noise=0.1, early_stopping_patience=1, restore_best=True),
    "rmsprop_plateau": dict(optimizer="rmsprop", schedule="plateau", plateau_patience=0, gamma=0.5, init="orthogonal"),
    "adamw_step": dict(optimizer="adamw", schedule="step", step_size=1, gamma=0.5, weight_decay=0.01, init="xavier"),
    "adagrad_cosine": dict(optimizer="adagrad", schedule="cosine"),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_train_py_writes_every_optimiser_and_schedule(name: str, tmp_path: Path) -> None:
    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    for key, value in SETTINGS[name].items():
        setattr(project.training, key, value)
    report = export_python_package(project, tmp_path)
    assert report.ok, report.text()
    text = (tmp_path / "train.py").read_text()
    compile(text, "train.py", "exec")
    optimizer = {"sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW", "adagrad": "Adagrad"}[project.training.optimizer]
    assert f"optimizer = torch.optim.{optimizer}(model.parameters(), lr=args.lr" in text
    scheduler = {"one_cycle": "OneCycleLR", "plateau": "ReduceLROnPlateau", "step": "StepLR", "cosine": "CosineAnnealingLR"}
    assert f"torch.optim.lr_scheduler.{scheduler[project.training.schedule]}(" in text
    if name == "sgd_nesterov_one_cycle":  # every optional part at once, run for real
        assert "GRAD_CLIP = 1.0" in text and "INPUT_NOISE = 0.1" in text and "nn.init.kaiming_normal_" in text
        done = subprocess.run([sys.executable, "train.py", "--epochs", "2", "--out", str(tmp_path / "run")],
                              capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "finished" in done.stdout


# ---- a GAN's train.py ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gan_package(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gan") / "gan_ring"
    report = export_python_package(Project.load(PROJECTS / "gan_ring.ndproj"), folder)
    assert report.ok and (folder / "train.py").is_file() and (folder / "data.npz").is_file(), report.text()
    return folder


def test_a_gans_train_py_learns_the_ring(gan_package: Path, tmp_path: Path) -> None:
    """Its generator, trained by the exported script alone, covers the ring's modes as the
    designer's GAN trainer does (counted with the same rule)."""
    from netdesigner.analysis.gan_samples import generator_samples, mixture_of, mode_coverage
    from netdesigner.data.registry import load_project_data

    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "train.py", "--epochs", "40", "--out", str(out), "--cpu"],
                          capture_output=True, text=True, cwd=gan_package, env=_env(), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "process 0 of 1 finished 40 epoch(s)" in done.stdout and "val generator_loss" in done.stdout
    project = Project.load(PROJECTS / "gan_ring.ndproj")
    module = project.compile()
    trained = load_file(out / "last.safetensors")
    centres, sigma = mixture_of(load_project_data(project))
    before = mode_coverage(generator_samples(module, load_file(gan_package / "weights.safetensors"), 2000), centres, sigma)
    after = mode_coverage(generator_samples(module, trained, 2000), centres, sigma)
    assert after.covered >= 6 and after.covered > before.covered, (before.describe(), after.describe())


def test_a_gans_train_py_runs_on_two_processes_under_torchrun(gan_package: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", "--nproc_per_node=2",
         f"--master_port={_free_port()}", "train.py", "--epochs", "2", "--out", str(out), "--cpu"],
        capture_output=True, text=True, cwd=gan_package, env=_env() | {"PYTHONUNBUFFERED": "1"}, timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "process 0 of 2 finished 2 epoch(s)" in done.stdout and "process 1 of 2 finished 2 epoch(s)" in done.stdout
    assert done.stdout.count("epoch 2/2") == 1 and "2 process(es) on cpu" in done.stdout
    trained, start = load_file(out / "last.safetensors"), load_file(gan_package / "weights.safetensors")
    assert not torch.equal(trained["g_fc1.weight"], start["g_fc1.weight"])
    assert not torch.equal(trained["d_fc1.weight"], start["d_fc1.weight"])
