"""What an import gives back (``ImportedModel``) and how it refuses (``ImportFailed``): the words
every reader of foreign models shares (the ONNX reader, the stored design, ``import-torch``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import NetDesignerError

if TYPE_CHECKING:
    import numpy as np
    import onnx

    from netdesigner.core.graph import Graph


class ImportFailed(NetDesignerError):
    """The file cannot be imported; the message says every reason (all ops at once)."""


@dataclass
class ImportedModel:
    graph: Graph
    weights: dict[str, Any]  # state-dict key of the compiled module → tensor
    name: str
    notes: list[str] = field(default_factory=list)  # what a person should know (guessed losses, sizes)
    input_names: list[str] = field(default_factory=list)  # the ONNX inputs, in order
    output_names: list[str] = field(default_factory=list)


def as_array(tensor: onnx.TensorProto) -> np.ndarray:
    from onnx import numpy_helper

    return numpy_helper.to_array(tensor)
