"""A compiled model as PyTorch source a person can read: the layers, then ``forward``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import fx

_FREE = re.compile(r";\s+(\w+ = )+None$")  # fx frees dead values: "conv1 = …;  x = None"


def module_source(module: fx.GraphModule) -> str:
    """``__init__`` lists each submodule as its repr; ``forward`` is the fx code, tidied."""
    from torch import nn

    name = type(module).__name__
    lines = [
        "import torch",
        "from torch import nn",
        "",
        "import netdesigner.nn as ndnn",
        "",
        "",
        f"class {name}(nn.Module):",
        "    def __init__(self):",
        "        super().__init__()",
    ]
    for child_name, child in module.named_children():
        home = "nn" if type(child).__module__.startswith("torch.nn") else "ndnn"
        text = repr(child) if home == "nn" or not isinstance(child, nn.RNNBase) else _recurrent_repr(child)
        first, *rest = text.splitlines()
        lines.append(f"        self.{child_name} = {home}.{first}")
        lines += [f"        {r}" for r in rest]
    lines.append("")
    for line in module.code.strip("\n").splitlines():
        if not line.strip():
            continue
        lines.append("    " + _FREE.sub("", line.rstrip()))
    return "\n".join(lines) + "\n"


def _recurrent_repr(layer) -> str:
    text = repr(layer).replace(", batch_first=True", "")
    return text[:-1] + f", return_sequence={layer.return_sequence})"
