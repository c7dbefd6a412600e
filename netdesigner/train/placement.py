"""The data set moved onto the training device whole, in the form the model's Input asks for.

Small data sets belong on the device in one piece (PERFORMANCE.md: a ``DataLoader`` over
in-memory tensors costs 20–40 %). Samples whose element count equals the Input's are reshaped
to it (64 pixel values feed an Input of (1, 8, 8)), and float64 becomes float32, the dtype of
the weights; both are said in a note rather than failing the run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.data.splits import Splits


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

    def move(t: torch.Tensor, is_x: bool) -> torch.Tensor:
        if t.dtype == torch.float64:
            t = t.float()
        if is_x and reshape is not None:
            t = t.reshape(len(t), *reshape)
        return t.to(device).contiguous()

    if splits.train.x.dtype == torch.float64:
        notes.append("float64 samples are trained as float32")
    parts = {name: getattr(splits, name) for name in ("train", "val", "test")}
    for name, part in parts.items():
        if len(part.y) != len(part.x):
            raise TrainingError(f"the {name} split has {len(part.x)} inputs but {len(part.y)} targets")
    placed = {name: Split(move(p.x, True), move(p.y, False)) for name, p in parts.items()}
    return Splits(placed["train"], placed["val"], placed["test"], splits.info, splits.extra), notes
