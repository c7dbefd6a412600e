"""What a layer type is: the one declaration that palette, inspector, shapes and compiler share.

A declaration is a decorated builder function::

    @declare("Linear", Category.DENSE, "fc", "Fully connected: y = x·Wᵀ + b on the last axis.",
             params=[Int("out_features", 64, "size of each output vector", min=1)])
    def linear(p, inputs):
        x = inputs[0]
        return nn.Linear(x.shape[-1], p.out_features, bias=p.bias)

The builder receives the parameter values and the incoming tensors (shape without the batch
axis, dtype), so sizes that follow from the input are never asked of the user. Builders
import torch themselves, which keeps the catalogue importable without torch (rule 8).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import ParamError, ShapeError
from netdesigner.core.params import Param, Params

if TYPE_CHECKING:
    from torch import nn


class Category(Enum):
    """Palette groups, in palette order."""

    IO = "Input / Output"
    DENSE = "Dense"
    CONVOLUTION = "Convolution"
    POOLING = "Pooling"
    NORMALISATION = "Normalisation"
    REGULARISATION = "Regularisation"
    ACTIVATION = "Activation"
    RECURRENT = "Recurrent"
    ATTENTION = "Attention"
    STRUCTURE = "Structure"
    PROBABILISTIC = "Probabilistic"


class LayerKind(Enum):
    SOURCE = "source"  # an Input: makes a tensor from its parameters
    SINK = "sink"  # an Output: names a model output, builds nothing
    LAYER = "layer"  # everything else: a torch module


DTYPES = ("float32", "int64")


@dataclass(frozen=True)
class TensorInfo:
    """A tensor as the editor shows it: shape without the batch axis, and dtype."""

    shape: tuple[int, ...]
    dtype: str = "float32"

    def __str__(self) -> str:
        text = "(" + ", ".join(str(d) for d in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
        return text if self.dtype == "float32" else f"{text} {self.dtype}"


Builder = Callable[[Params, tuple[TensorInfo, ...]], "nn.Module"]


@dataclass(frozen=True)
class LayerType:
    """One layer type of the catalogue. See the module docstring for how one is declared."""

    name: str
    category: Category
    prefix: str  # default node names: prefix + number (conv1, fc2)
    doc: str
    params: tuple[Param, ...] = ()
    inputs: tuple[str, ...] = ("x",)  # port names; for a variadic type, the one repeated name
    min_inputs: int | None = None  # set for variadic types (Add, Concat…): the least number connected
    outputs: int | Callable[[Params], int] = 1
    kind: LayerKind = LayerKind.LAYER
    build: Builder | None = None
    make_source: Callable[[Params], TensorInfo] | None = None
    _by_name: dict[str, Param] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({p.name: p for p in self.params})

    @property
    def variadic(self) -> bool:
        return self.min_inputs is not None

    def param(self, name: str) -> Param:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self._by_name) or "none"
            raise ParamError(f"{self.name} has no parameter {name!r} (it has: {known})") from None

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def coerce_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """All parameters, given values coerced and the rest defaulted; unknown names refused."""
        out = self.defaults()
        for name, value in values.items():
            out[name] = self.param(name).coerce(value)
        return out

    @property
    def returns_tuple(self) -> bool:
        """Whether the module gives a tuple (one per output port), even when it has one output."""
        return callable(self.outputs) or self.outputs > 1

    def output_count(self, params: Mapping[str, Any]) -> int:
        if callable(self.outputs):
            return self.outputs(Params(params))
        return self.outputs

    def input_port_name(self, port: int) -> str:
        if self.variadic:
            return f"{self.inputs[0]}{port + 1}"
        return self.inputs[port]

    def accepts_input_port(self, port: int) -> bool:
        if port < 0:
            return False
        return self.variadic or port < len(self.inputs)


_REGISTRY: dict[str, LayerType] = {}


def declare(
    name: str,
    category: Category,
    prefix: str,
    doc: str,
    *,
    params: Sequence[Param] = (),
    inputs: tuple[str, ...] = ("x",),
    min_inputs: int | None = None,
    outputs: int | Callable[[Params], int] = 1,
) -> Callable[[Builder], Builder]:
    """Registers a layer type whose builder is the decorated function."""

    def register(build: Builder) -> Builder:
        add_type(
            LayerType(
                name, category, prefix, doc, tuple(params), inputs, min_inputs, outputs,
                LayerKind.LAYER, build,
            )
        )
        return build

    return register


def add_type(layer_type: LayerType) -> None:
    assert layer_type.name not in _REGISTRY, f"layer type {layer_type.name} declared twice"
    _REGISTRY[layer_type.name] = layer_type


def registry() -> dict[str, LayerType]:
    return _REGISTRY


def expect_rank(x: TensorInfo, ranks: int | tuple[int, ...], layout: str) -> None:
    """Refuses an input whose number of axes does not fit, naming the layout the layer needs."""
    allowed = (ranks,) if isinstance(ranks, int) else ranks
    if len(x.shape) not in allowed:
        raise ShapeError(f"needs input shaped {layout}, but receives {x}")


def expect_float(x: TensorInfo) -> None:
    if x.dtype != "float32":
        raise ShapeError(f"needs floating-point input, but receives {x} (token ids go into an Embedding first)")
