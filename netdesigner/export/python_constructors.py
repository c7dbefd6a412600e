"""The Python call that builds a layer again, e.g. ``nn.Linear(in_features=2, out_features=64)``.

An exported ``model.py`` creates each layer in ``__init__`` with such a call. The call is
read off the built module rather than off its ``repr``, which is not always code (a
``Conv2d`` with ``padding='same'`` prints ``padding=same``) and leaves settings out (an
``AvgPool2d``'s ``ceil_mode``, an ``RNN``'s ``nonlinearity``). For torch.nn's layers and
NetDesigner's own, each constructor argument is kept as an attribute of the same name; the
few layers that keep theirs elsewhere have a recipe here.

Every call is checked by running it again (on the ``meta`` device, so no memory is spent on
weights) and comparing the two modules attribute by attribute, parameter by parameter. A call
that would build a different layer is an ``ExportError`` at export time, never a package
that quietly trains another network.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netdesigner.export.export_error import ExportError

if TYPE_CHECKING:
    from torch import nn

_SKIPPED = ("self", "device", "dtype")  # device and dtype are where the model is, not what it is


@dataclass(frozen=True)
class Call:
    """A constructor call: the class as model.py names it, and the arguments that differ from
    the constructor's defaults (the required ones always), in the constructor's order."""

    callee: str  # "nn.Linear", or "Reshape" for a class copied into layers.py
    arguments: tuple[tuple[str, Any], ...]

    def text(self) -> str:
        return f"{self.callee}(" + ", ".join(f"{k}={v!r}" for k, v in self.arguments) + ")"


def is_netdesigner_layer(cls: type) -> bool:
    """True for NetDesigner's own modules (``netdesigner.nn``), which a package must copy."""
    return cls.__module__.split(".")[0] == "netdesigner"


def constructor_call(module: nn.Module) -> Call:
    """The checked call that builds a layer like ``module`` (weights aside)."""
    cls = type(module)
    recipe = next((make for applies, make in _RECIPES if applies(module)), None)
    if recipe is not None:
        call = Call(_callee(cls), tuple(recipe(module)))
        _check(call, module)
        return call
    try:  # stride=1 rather than stride=(1, 1) where the layer keeps either the same way …
        call = Call(_callee(cls), tuple(_from_signature(module, concise=True)))
        _check(call, module)
    except ExportError:  # … else every tuple spelled out, as the layer keeps it
        call = Call(_callee(cls), tuple(_from_signature(module, concise=False)))
        _check(call, module)
    return call


def _callee(cls: type) -> str:
    from torch import nn

    if is_netdesigner_layer(cls):
        return cls.__name__
    if getattr(nn, cls.__name__, None) is cls:
        return f"nn.{cls.__name__}"
    raise ExportError(f"{cls.__module__}.{cls.__name__} is neither a torch.nn layer nor one of NetDesigner's, "
                      "so the package cannot build it")


def _literal(owner: type, name: str, value: Any) -> Any:
    """``value`` if Python source can spell it (numbers, text, tuples…), else a ExportError."""
    if isinstance(value, list):
        value = tuple(value)
    try:
        same = ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise ExportError(f"{owner.__name__}: the argument {name}={value!r} cannot be written as Python source")
    return value


def _from_signature(module: nn.Module, *, concise: bool) -> list[tuple[str, Any]]:
    """Each constructor argument from the attribute of the same name; an argument whose
    attribute is a tensor or None (``bias``) is the flag that asked for it."""
    import torch

    cls = type(module)
    arguments = []
    first = True
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in _SKIPPED or p.name.startswith("_") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        shown, first = first, False  # the first argument is the layer's main setting: Dropout(p=0.5)
        if not hasattr(module, p.name):
            if p.default is p.empty:
                raise ExportError(f"{cls.__name__} keeps no attribute for its argument {p.name!r}")
            continue  # the default it was built with is checked below
        value = getattr(module, p.name)
        if isinstance(p.default, bool) and (value is None or isinstance(value, torch.Tensor)):
            value = value is not None
        main = shown and isinstance(value, (int, float)) and not isinstance(value, bool)
        if p.default is not p.empty and _equal(value, p.default, concise) and not main:
            continue
        arguments.append((p.name, _literal(cls, p.name, value)))
    return arguments


def _equal(a: Any, b: Any, concise: bool = False) -> bool:
    """Equal values of one type; if ``concise``, a tuple of one number repeated equals that
    number, as most of torch's layers read ``stride=1`` as ``(1, 1)``."""
    if concise and isinstance(a, tuple) and isinstance(b, int) and not isinstance(b, bool):
        return all(_equal(x, b) for x in a)
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def _without_defaults(pairs: list[tuple[str, Any]], defaults: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in pairs if k not in defaults or not _equal(v, defaults[k])]


def _recurrent(module: Any) -> list[tuple[str, Any]]:
    """NetDesigner's RNN, LSTM and GRU pass their arguments on to torch's (always batch first)."""
    pairs = [("input_size", module.input_size), ("hidden_size", module.hidden_size),
             ("num_layers", module.num_layers), ("bias", module.bias), ("dropout", module.dropout),
             ("bidirectional", module.bidirectional)]
    if module.mode.startswith("RNN_"):
        pairs.append(("nonlinearity", module.nonlinearity))
    pairs.append(("return_sequence", module.return_sequence))
    defaults = {"num_layers": 1, "bias": True, "dropout": 0.0, "bidirectional": False,
                "nonlinearity": "tanh", "return_sequence": True}
    return _without_defaults(pairs, defaults)


def _self_attention(module: Any) -> list[tuple[str, Any]]:
    pairs = [("embed_dim", module.embed_dim), ("num_heads", module.num_heads), ("causal", module.causal),
             ("dropout", module.dropout), ("bias", module.in_proj_bias is not None)]
    return _without_defaults(pairs, {"causal": False, "dropout": 0.0, "bias": True})


def _encoder_block(module: Any) -> list[tuple[str, Any]]:
    activation = {1: "relu", 2: "gelu"}.get(module.activation_relu_or_gelu)
    if activation is None:
        raise ExportError("TransformerEncoderBlock: only the relu and gelu activations can be written as source")
    pairs = [("d_model", module.self_attn.embed_dim), ("nhead", module.self_attn.num_heads),
             ("causal", module.causal), ("dim_feedforward", module.linear1.out_features),
             ("dropout", module.dropout.p), ("activation", activation), ("layer_norm_eps", module.norm1.eps),
             ("norm_first", module.norm_first), ("bias", module.linear1.bias is not None)]
    defaults = {"causal": False, "dim_feedforward": 2048, "dropout": 0.1, "activation": "relu",
                "layer_norm_eps": 1e-5, "norm_first": False, "bias": True}
    return _without_defaults(pairs, defaults)


def _is_ours(name: str) -> Callable[[Any], bool]:
    return lambda m: is_netdesigner_layer(type(m)) and any(c.__name__ == name for c in type(m).__mro__)


_RECIPES: list[tuple[Callable[[Any], bool], Callable[[Any], list[tuple[str, Any]]]]] = [
    (_is_ours("_SequenceOrLast"), _recurrent),
    (_is_ours("SelfAttention"), _self_attention),
    (_is_ours("TransformerEncoderBlock"), _encoder_block),
]


# ---- the check -------------------------------------------------------------------------------
def _check(call: Call, module: nn.Module) -> None:
    """Builds ``call`` on the meta device and refuses it unless it makes the same layer."""
    import torch
    from torch import nn

    namespace = {"nn": nn, type(module).__name__: type(module)}
    try:
        with torch.device("meta"):
            rebuilt = eval(call.text(), namespace)  # our own text, made of literals only
    except Exception as e:
        raise ExportError(f"{call.text()} does not build: {e}") from None
    want, got = _fingerprint(module), _fingerprint(rebuilt)
    if want != got:
        raise ExportError(f"{call.text()} builds another layer than the model's ({_difference(want, got)})")


def _difference(want: list[tuple], got: list[tuple]) -> str:
    """Where two fingerprints part, in words: the first submodule, and what differs in it."""
    for (name, cls, settings, tensors), (_, cls2, settings2, tensors2) in zip(want, got, strict=False):
        where = f"in {name}" if name else "in the layer itself"
        if cls is not cls2:
            return f"{where}: {cls.__name__} against {cls2.__name__}"
        keys = [k for k, v in settings if dict(settings2).get(k, object()) != v] if settings != settings2 else []
        if keys:
            return f"{where}: {', '.join(keys)}"
        if tensors != tensors2:
            return f"{where}: its weights"
    return "in their submodules"


def _fingerprint(module: nn.Module) -> list[tuple]:
    """Per submodule: its class, its public settings and its tensors' names, shapes and dtypes."""
    import torch

    rows = []
    for name, m in module.named_modules():
        settings = {k: ("tensor", tuple(v.shape), v.dtype) if isinstance(v, torch.Tensor) else v
                    for k, v in vars(m).items() if not k.startswith("_") and k != "training"}
        tensors = {k: (tuple(v.shape), v.dtype, getattr(v, "requires_grad", False))
                   for k, v in [*m._parameters.items(), *m._buffers.items()] if v is not None}
        rows.append((name, type(m), sorted(settings.items(), key=lambda kv: kv[0]), sorted(tensors.items())))
    return rows
