"""The data set moved onto the training device whole, in the form the model's Input asks for.

Data sets that fit belong on the device in one piece (PERFORMANCE.md: a ``DataLoader`` over
in-memory tensors costs 20–40 %, and a copy per batch more on a GPU). One too large for a
GPU (more than half its free memory: the rest is for the model, its activations and the
optimiser) stays in the computer's memory, the training split pinned, and the trainer copies
each batch over without waiting (``non_blocking``). Samples whose element count equals the
Input's are reshaped to it (64 pixel values feed an Input of (1, 8, 8)), and float64 becomes
float32, the dtype of the weights; each is said in a note rather than failing the run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.data.splits import Split, Splits


def input_shape(module: torch.nn.Module, graph: Graph | None) -> tuple[int, ...] | None:
    """The one sample shape the model's Input node declares; None without a graph to ask."""
    info = getattr(module, "meta", {}).get("netdesigner")
    if info is None:
        return None
    if getattr(info, "gan", None) is not None:
        raise TrainingError("the model is a GAN (an Output has the loss gan): it trains with the GAN trainer "
                            "(netdesigner.train.gan_trainer.GanTrainer), which netdesigner train and the window choose for it")
    if len(info.input_names) != 1:
        raise TrainingError(f"the model has {len(info.input_names)} Input nodes ({', '.join(info.input_names)}), "
                            "but a data set gives one input tensor: keep one Input")
    if graph is None or not graph.has_name(info.input_names[0]):
        return None
    return tuple(graph.find(info.input_names[0]).params["shape"])


def fits_on_device(nbytes: int, device: torch.device) -> bool:
    """Whether ``nbytes`` of data may live on ``device``: on a CUDA GPU, at most half of its
    free memory; anywhere else, always (the CPU's data already lives there)."""
    import torch

    if device.type != "cuda":
        return True
    free, _total = torch.cuda.mem_get_info(device)
    return nbytes <= free // 2


def place_data(splits: Splits, module: torch.nn.Module, graph: Graph | None, device: torch.device) -> tuple[Splits, list[str]]:
    """(the splits on ``device``, notes on what was adapted); ``TrainingError`` if they cannot fit."""
    import torch

    from netdesigner.data.splits import Split, Splits

    if len(splits.train) == 0:
        raise TrainingError(f"the data set {splits.info.name!r} has no training samples")
    notes: list[str] = []
    wanted = input_shape(module, graph)
    have = tuple(splits.train.x.shape[1:])
    reshape = None
    if wanted is not None and have != wanted:
        if math.prod(have) != math.prod(wanted):
            raise TrainingError(f"the data set {splits.info.name!r} gives samples of shape {have} "
                                f"({math.prod(have)} values) but the Input node expects {wanted} ({math.prod(wanted)} values)")
        reshape = wanted
        notes.append(f"samples of shape {have} are reshaped to the Input's {wanted}")

    parts = {name: getattr(splits, name) for name in ("train", "val", "test")}
    for name, part in parts.items():
        if len(part.y) != len(part.x):
            raise TrainingError(f"the {name} split has {len(part.x)} inputs but {len(part.y)} targets")
    nbytes = sum(t.numel() * (4 if t.dtype == torch.float64 else t.element_size()) for p in parts.values() for t in (p.x, p.y))
    home = device if fits_on_device(nbytes, device) else torch.device("cpu")
    if home != device:
        notes.append(f"the data set ({nbytes / 2**30:.1f} GiB) is larger than half of the GPU's free memory: it stays in "
                     "the computer's memory and each batch is copied to the GPU as it is needed")

    def move(t: torch.Tensor, is_x: bool, pin: bool) -> torch.Tensor:
        if t.dtype == torch.float64:
            t = t.float()
        if is_x and reshape is not None:
            t = t.reshape(len(t), *reshape)
        t = t.to(home).contiguous()
        return t.pin_memory() if pin else t

    if splits.train.x.dtype == torch.float64:
        notes.append("float64 samples are trained as float32")
    pin = home != device and device.type == "cuda"
    placed = {name: Split(move(p.x, True, pin and name == "train"), move(p.y, False, pin and name == "train"))
              for name, p in parts.items()}
    return Splits(placed["train"], placed["val"], placed["test"], splits.info, splits.extra), notes


class Shuffler:
    """The training split in each epoch's order: one gather, after which each batch is a slice.
    A split kept in the computer's memory for a GPU run is gathered into pinned buffers, made
    once, so the per-batch copies to the GPU need not wait; an epoch's end reads the device, so
    the copies out of them are done before the next epoch fills them again."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.buffers: tuple[torch.Tensor, torch.Tensor] | None = None

    def epoch(self, split: Split, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        import torch

        x, y = split.x, split.y
        order = torch.randperm(len(x), generator=generator)
        if x.device.type == self.device.type:
            order = order.to(self.device)
            return x[order], y[order]
        if not x.is_pinned():
            return x[order], y[order]
        if self.buffers is None or self.buffers[0].shape != x.shape:
            self.buffers = (torch.empty_like(x, pin_memory=True), torch.empty_like(y, pin_memory=True))
        bx, by = self.buffers
        return torch.index_select(x, 0, order, out=bx), torch.index_select(y, 0, order, out=by)
