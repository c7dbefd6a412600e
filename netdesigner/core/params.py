"""Typed layer parameters: one declaration gives the default, the allowed values and the doc.

The inspector form, file loading and validation all ask the same ``Param`` whether a value is
acceptable, so a value that loads from a file is always one the form could have produced.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from netdesigner.core.errors import ParamError


class ParamKind(Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    INT_TUPLE = "int-tuple"


@dataclass(frozen=True)
class Param:
    """One parameter of a layer type. Values are stored in their coerced form (tuples, not lists)."""

    name: str
    kind: ParamKind
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None  # int-tuple: exact length, or None for any length >= 1
    keywords: tuple[str, ...] = ()  # int-tuple: words allowed instead of numbers ("same")
    allow_infer: bool = False  # int-tuple: -1 allowed ("infer this size", as in reshape)

    def coerce(self, value: Any) -> Any:
        """The value in stored form, or a ``ParamError`` that says what is allowed."""
        coerce = _COERCERS[self.kind]
        return coerce(self, value)

    def describe(self) -> str:
        """What values are allowed, in words (used in messages and tooltips)."""
        if self.kind is ParamKind.CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is ParamKind.BOOL:
            return "true or false"
        what = {"int": "an integer", "float": "a number", "int-tuple": "integers"}[self.kind.value]
        if self.kind is ParamKind.INT_TUPLE:
            what = f"{self.length} integers" if self.length else "a list of integers"
            if self.length:
                what += " (or one integer for all)"
        limits = []
        if self.minimum is not None:
            limits.append(f"≥ {_fmt(self.minimum)}")
        if self.maximum is not None:
            limits.append(f"≤ {_fmt(self.maximum)}")
        if limits:
            what += " " + " and ".join(limits)
        if self.allow_infer:
            what += " (-1 infers one size)"
        if self.keywords:
            what += ", or " + " or ".join(repr(k) for k in self.keywords)
        return what

    def _fail(self, value: Any) -> ParamError:
        return ParamError(f"{self.name} must be {self.describe()}, got {_brief(value)}")


def _brief(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut short: a value from a damaged file may be a megabyte of text."""
    text = repr(value) if not isinstance(value, str) or len(value) <= limit else repr(value[:limit])
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _in_range(param: Param, number: float) -> bool:
    if param.minimum is not None and number < param.minimum:
        return False
    return not (param.maximum is not None and number > param.maximum)


def _coerce_int(param: Param, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not _in_range(param, value):
        raise param._fail(value)
    return int(value)


def _coerce_float(param: Param, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise param._fail(value)
    if isinstance(value, int) and abs(value) > 1e300:  # float(10**400) would overflow
        raise param._fail(value)
    if not math.isfinite(value) or not _in_range(param, value):
        raise param._fail(value)
    return float(value)


def _coerce_bool(param: Param, value: Any) -> bool:
    if not isinstance(value, bool):
        raise param._fail(value)
    return value


def _coerce_choice(param: Param, value: Any) -> str:
    if not isinstance(value, str) or value not in param.choices:
        raise param._fail(value)
    return value


def _coerce_int_tuple(param: Param, value: Any) -> tuple[int, ...] | str:
    if isinstance(value, str):
        if value in param.keywords:
            return value
        raise param._fail(value)
    if isinstance(value, int) and not isinstance(value, bool) and param.length:
        value = (value,) * param.length
    if not isinstance(value, (list, tuple)) or not value:
        raise param._fail(value)
    if param.length is not None and len(value) != param.length:
        raise param._fail(value)
    if len(value) > 8:
        raise param._fail(value)
    items = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise param._fail(value)
        if not (param.allow_infer and item == -1) and not _in_range(param, item):
            raise param._fail(value)
        items.append(int(item))
    if param.allow_infer and items.count(-1) > 1:
        raise ParamError(f"{param.name} may infer only one size (one -1), got {_brief(value)}")
    return tuple(items)


_COERCERS = {
    ParamKind.INT: _coerce_int,
    ParamKind.FLOAT: _coerce_float,
    ParamKind.BOOL: _coerce_bool,
    ParamKind.CHOICE: _coerce_choice,
    ParamKind.INT_TUPLE: _coerce_int_tuple,
}


def Int(name: str, default: int, doc: str, *, min: int | None = None, max: int | None = None) -> Param:  # noqa: A002, N802
    return Param(name, ParamKind.INT, default, doc, minimum=min, maximum=max)


def Float(name: str, default: float, doc: str, *, min: float | None = None, max: float | None = None) -> Param:  # noqa: A002, N802
    return Param(name, ParamKind.FLOAT, float(default), doc, minimum=min, maximum=max)


def Bool(name: str, default: bool, doc: str) -> Param:  # noqa: N802
    return Param(name, ParamKind.BOOL, default, doc)


def Choice(name: str, default: str, choices: tuple[str, ...], doc: str) -> Param:  # noqa: N802
    assert default in choices, f"default {default!r} of {name} is not among its choices"
    return Param(name, ParamKind.CHOICE, default, doc, choices=choices)


def IntTuple(  # noqa: N802
    name: str,
    default: tuple[int, ...] | str,
    doc: str,
    *,
    length: int | None = None,
    min: int | None = None,  # noqa: A002
    max: int | None = None,  # noqa: A002
    keywords: tuple[str, ...] = (),
    allow_infer: bool = False,
) -> Param:
    return Param(
        name, ParamKind.INT_TUPLE, default, doc, minimum=min, maximum=max,
        length=length, keywords=keywords, allow_infer=allow_infer,
    )


class Params(Mapping[str, Any]):
    """A node's parameter values, read-only, with attribute access for builders (``p.kernel_size``)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are read-only; change them through the graph")

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params({self._values!r})"
