"""A project as a folder of plain PyTorch that runs without NetDesigner ("taking models away").

The folder holds ``model.py`` (the network as a readable ``nn.Module``), ``layers.py`` (the
NetDesigner layers it uses, as source, when it uses any), ``weights.safetensors`` (the trained
weights, else the seeded fresh ones the trainer would start from), ``data.npz`` (the data
splits exactly as the trainer sees them), ``train.py`` (the project's training, on one
process or many under ``torchrun``) and a ``README.md``. It needs torch, numpy and
safetensors.

Everything is made in memory first; only then are the files written, each atomically. A
project that cannot be exported (an invalid graph, a data set that cannot load) writes
nothing and says why in the report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.core.errors import NetDesignerError
from netdesigner.export.atomic_file import write_atomically
from netdesigner.export.python_model_source import HEADER, ModelSource, model_source

if TYPE_CHECKING:
    import torch
    from torch import fx

    from netdesigner.core.project import Project

FILES = ("model.py", "layers.py", "weights.safetensors", "data.npz", "train.py", "README.md")


@dataclass
class PythonPackageReport:
    """What an export wrote, and what a person should know about it."""

    folder: Path
    ok: bool = False
    files: list[Path] = field(default_factory=list)  # written, in order
    notes: list[str] = field(default_factory=list)  # things left out or changed on the way
    problems: list[str] = field(default_factory=list)  # why nothing was written (ok is False)
    class_name: str = ""

    def text(self) -> str:
        if not self.ok:
            return "\n".join([f"nothing was written to {self.folder}:", *(f"  {p}" for p in self.problems)])
        lines = [f"exported {self.class_name} as a PyTorch package in {self.folder}:"]
        lines += [f"  {f.name:<20} {_size(f)}" for f in self.files]
        lines += [f"note: {n}" for n in self.notes]
        if any(f.name == "train.py" for f in self.files):
            lines.append(f"train it: cd {self.folder} && python train.py   (or: torchrun --nproc_per_node=N train.py)")
        return "\n".join(lines)


def _size(path: Path) -> str:
    try:
        n = path.stat().st_size
    except OSError:
        return ""
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def export_python_package(project: Project, folder: Path) -> PythonPackageReport:
    """Writes ``project`` as a self-contained PyTorch package into ``folder`` (made if missing)."""
    folder = Path(folder)
    report = PythonPackageReport(folder)
    problem = _folder_problem(folder)
    if problem:
        report.problems.append(problem)
        return report
    try:
        contents = _contents(project, report)
    except NetDesignerError as e:
        report.problems.append(str(e))
        return report
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in contents.items():
            write_atomically(folder / name, data)
            report.files.append(folder / name)
        for stale in set(FILES) - set(contents):  # a file of an earlier export that no longer fits
            (folder / stale).unlink(missing_ok=True)
    except OSError as e:
        report.problems.append(f"{folder}: cannot write the package: {e.strerror or e}")
        return report
    except NetDesignerError as e:  # a file that cannot be written names itself
        report.problems.append(str(e))
        return report
    report.ok = True
    return report


def _folder_problem(folder: Path) -> str | None:
    """Refuses a file, or a folder holding anything but an earlier export (never overwrite a
    person's own model.py)."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file; give the name of a folder (it is made if missing)"
    if not folder.is_dir():
        return None
    present = {p.name for p in folder.iterdir()}
    if not present:
        return None
    model = folder / "model.py"
    try:
        earlier = model.is_file() and model.read_text(encoding="utf-8").startswith(f'"""{HEADER}')
    except (OSError, UnicodeDecodeError):
        earlier = False
    if not earlier:
        return f"{folder} is not empty and holds no earlier export; choose a new folder"
    return None


def _contents(project: Project, report: PythonPackageReport) -> dict[str, bytes]:
    """Every file of the package, in memory; a NetDesignerError says why one cannot be made."""
    from netdesigner.core.shapes import infer_shapes

    module = project.compile()
    report.notes += _fill_weights(project, module)
    source = model_source(module, infer_shapes(project.graph), title=project.name, description=project.description)
    report.class_name = source.class_name
    contents = {"model.py": source.model.encode()}
    if source.layers is not None:
        contents["layers.py"] = source.layers.encode()
    contents["weights.safetensors"] = _weights_bytes(module)
    if project.data.dataset:
        try:
            data, train = _data_and_training(project, module, source)
        except NetDesignerError as e:  # the model is still worth taking away
            report.notes.append(f"train.py and data.npz are left out: {e}")
        else:
            contents["data.npz"] = data
            contents["train.py"] = train.encode()
            report.notes += _unreproduced(project)
    else:
        report.notes.append("train.py and data.npz are left out: the project names no data set "
                            "(choose one in the data panel, then export again)")
    contents["README.md"] = _readme(project, source, has_training="train.py" in contents).encode()
    return contents


def _fill_weights(project: Project, module: fx.GraphModule) -> list[str]:
    """The project's trained weights (``compile`` loaded those that fit), else fresh ones drawn
    from the training seed exactly as the trainer starts; notes for whatever was not trained."""
    from netdesigner.train.optim import initialize_weights

    settings = project.training
    if not project.weights:
        initialize_weights(module, settings.init, settings.seed)
        return ["the project has no trained weights: weights.safetensors holds the fresh ones "
                f"its training starts from (seed {settings.seed}, {settings.init} initialisation)"]
    state = module.state_dict()
    untrained = sorted({k.split(".")[0] for k, v in state.items()
                        if k not in project.weights or project.weights[k].shape != v.shape})
    if untrained:
        return [f"layers without trained weights (changed since training) are exported as first built: {', '.join(untrained)}"]
    return []


def _weights_bytes(module: torch.nn.Module) -> bytes:
    from safetensors.torch import save

    return save({k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()})


def _data_and_training(project: Project, module: fx.GraphModule, source: ModelSource) -> tuple[bytes, str]:
    """data.npz (the splits as the trainer places them) and train.py (its objective, written out)."""
    import torch

    from netdesigner.data.registry import load_project_data
    from netdesigner.export.python_train_source import ModelFacts, train_source
    from netdesigner.train.device import choose_precision
    from netdesigner.train.evaluation import probe
    from netdesigner.train.objective import build_objective
    from netdesigner.train.placement import place_data

    gan = getattr(module.meta["netdesigner"], "gan", None)
    if gan is not None:
        return _gan_data_and_training(project, module, source, gan)
    splits, _ = place_data(load_project_data(project), module, project.graph, torch.device("cpu"))
    outputs = probe(module, splits.train.x, choose_precision("off", torch.device("cpu")))
    objective = build_objective(module, splits, outputs, graph=project.graph, kl_beta=project.training.kl_beta)
    outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    facts = ModelFacts(
        class_name=source.class_name, title=project.name, outputs=len(outs),
        output_ranks=tuple(o.dim() for o in outs), target_rank=splits.train.y.dim(),
        float_inputs=splits.train.x.is_floating_point(), copied_layers=source.copied_layers,
    )
    return _npz_bytes(splits, objective.task), train_source(facts, project.training, objective)


def _gan_data_and_training(project: Project, module: fx.GraphModule, source: ModelSource, gan) -> tuple[bytes, str]:
    """data.npz (the real samples, as the GAN trainer places them) and a GAN's train.py."""
    import torch

    from netdesigner.core.compiler import CompiledInfo
    from netdesigner.core.gan import gan_halves
    from netdesigner.data.registry import load_project_data
    from netdesigner.export.python_gan_train import GanFacts, gan_train_source
    from netdesigner.train.placement import place_data

    _generator, discriminator = gan_halves(module)
    discriminator.meta["netdesigner"] = CompiledInfo([gan.real], [gan.score])
    splits, _ = place_data(load_project_data(project), discriminator, project.graph, torch.device("cpu"))
    info = module.meta["netdesigner"]
    layers = tuple(name for name in gan.generator if dict(module.named_children()).get(name) is not None)
    facts = GanFacts(class_name=source.class_name, title=project.name, noise_at=list(info.input_names).index(gan.noise),
                     sample_at=list(info.output_names).index(gan.sample), score_at=list(info.output_names).index(gan.score),
                     noise_shape=tuple(gan.noise_shape), generator_layers=layers)
    return _npz_bytes(splits, "gan"), gan_train_source(facts, project.training)


def _npz_bytes(splits, objective_task: str) -> bytes:
    """The splits as plain arrays (no pickled objects: ``np.load`` reads them with its
    default ``allow_pickle=False``), with what the data set is."""
    import numpy as np

    info = splits.info
    arrays = {f"{name}_{part}": getattr(getattr(splits, name), part).numpy()
              for name in ("train", "val", "test") for part in ("x", "y")}
    arrays.update(
        name=np.array(info.name), task=np.array(info.task.value), objective=np.array(objective_task),
        num_classes=np.array(-1 if info.num_classes is None else info.num_classes),
        class_names=np.array(list(info.class_names), dtype=str),
        input_shape=np.array(splits.train.x.shape[1:], dtype=np.int64),
    )
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _unreproduced(project: Project) -> list[str]:
    s = project.training
    notes = []
    if any(n.params.get("loss") == "gan" for n in project.graph.nodes() if n.type == "Output"):
        if s.init != "default":
            notes.append(f"a GAN's train.py starts from PyTorch's default initialisation, not {s.init}: "
                         "pass --weights weights.safetensors to start from the package's weights")
        if s.early_stopping_patience or s.restore_best:
            notes.append("a GAN's train.py trains every epoch: early stopping and restore-best are left out "
                         "(the summed loss of two opponents does not say which epoch is best)")
    if s.amp != "off":
        notes.append(f"train.py trains in full precision: mixed precision ({s.amp}) is not part of it")
    if s.data_parallel:
        notes.append("train.py replaces data_parallel (DataParallel) with torchrun and DistributedDataParallel")
    if s.device not in ("auto", "cuda") and not s.device.startswith("cuda"):
        notes.append(f"train.py uses the GPU where there is one; the project's device {s.device!r} is `python train.py --cpu`")
    return notes


def _readme(project: Project, source: ModelSource, *, has_training: bool) -> str:
    name = source.class_name
    files = [
        "- `model.py`: the network, `class " + name + "(nn.Module)`, one attribute per layer, `forward` in graph order.",
        *(["- `layers.py`: NetDesigner's own layers the model uses (" + ", ".join(source.copied_layers) + "), as plain PyTorch."]
          if source.layers else []),
        "- `weights.safetensors`: the weights (safetensors: no pickle, nothing runs when loading).",
        *(["- `data.npz`: the train / val / test splits as NetDesigner trained on them "
           "(`train_x`, `train_y`, `val_x`, … plus `class_names`, `num_classes`, `task`).",
           "- `train.py`: the project's training: loss, optimiser, schedule and settings as constants at its top."]
          if has_training else []),
    ]
    use = [
        "## Use the model",
        "",
        "```python",
        "from safetensors.torch import load_file",
        "",
        f"from model import {name}",
        "",
        f"model = {name}()",
        'model.load_state_dict(load_file("weights.safetensors"))',
        "model.eval()  # dropout off, BatchNorm on its running statistics",
        "```",
    ]
    if has_training:
        train = [
            "## Train it",
            "",
            "On one process (the GPU if there is one, else the CPU):",
            "",
            "```sh",
            "python train.py                      # the project's settings",
            "python train.py --epochs 5 --out runs/short",
            "python train.py --weights weights.safetensors   # go on from the exported weights",
            "```",
            "",
            "On several processes with `torchrun` (DistributedDataParallel; NCCL between GPUs, gloo on CPUs):",
            "",
            "```sh",
            "torchrun --standalone --nproc_per_node=4 train.py        # 4 GPUs of this machine",
            "torchrun --standalone --nproc_per_node=2 train.py --cpu  # 2 CPU processes",
            "# two machines with 8 GPUs each: run on both, with --node_rank=0 on the first, 1 on the second",
            "torchrun --nnodes=2 --node_rank=0 --master_addr=FIRST_HOST --master_port=29500 --nproc_per_node=8 train.py",
            "```",
            "",
            "Each process trains on its share of every epoch; the batch size is that of all processes together.",
            "Process 0 prints one line per epoch and writes `last.safetensors` and `best.safetensors` into `--out`",
            "(default: `checkpoints/`). `python train.py --help` lists every option.",
        ]
    else:
        train = [
            "## Train it",
            "",
            "The project names no data set, so this package has no `train.py`. Choose a data set in NetDesigner's",
            "data panel and export again to get one.",
        ]
    return "\n".join([
        f"# {name}",
        "",
        f'The network of the NetDesigner project "{project.name}", exported as plain PyTorch.',
        *(["", project.description.strip()] if project.description.strip() else []),
        "",
        "Needs Python 3.10 or later with `torch`, `numpy` and `safetensors` (`pip install torch numpy safetensors`);",
        "NetDesigner itself is not needed.",
        "",
        *files,
        "",
        *use,
        "",
        *train,
        "",
    ])

