"""A project's lesson: the idea it shows, what to look at, the variants it compares and the
result it promises, kept in the ``.ndproj`` beside the graph.

An example project teaches one idea of the deep-learning canon. Its *claims* are statements a
run can check ("test accuracy ≥ 0.97", "the sigmoid net's first-layer gradient norm is ≥ 100×
smaller than the ReLU + BatchNorm net's"); ``netdesigner lesson FILE`` and the window's lesson
panel train every variant the claims name and measure them, so a claim is a promise the
program keeps, not a number written beside the picture.

A *variant* is the project with some settings changed (another optimiser, another batch size)
or another graph (the same depth with ReLU + BatchNorm instead of sigmoid). The project as
drawn is the variant named ``lesson.base``; the others are stored as changes to it, so a
person who edits the project edits the lesson's starting point.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from netdesigner.core.graph import Graph
from netdesigner.core.project_format import _Reader, _short, graph_from_json, graph_to_json

COMPARISONS = ("at_least", "at_most")


@dataclass(frozen=True)
class Claim:
    """``metric`` of ``variant`` is at least / at most ``value``, or, with ``than``, at least /
    at most ``factor`` times the same metric of the variant ``than``.

    ``reach`` parametrises the metric ``epochs_to_reach``: the first epoch whose ``metric``
    (an epoch measure such as ``train_loss``) is at most ``value``.
    """

    kind: str  # one of COMPARISONS
    metric: str
    variant: str = ""  # "" = the project as drawn (lesson.base)
    value: float | None = None
    than: str | None = None
    factor: float = 1.0
    reach: tuple[str, float] | None = None
    text: str = ""  # the claim in words, as the gallery and the panel show it

    def variants(self) -> list[str]:
        return [self.variant] + ([self.than] if self.than is not None else [])

    def describe(self) -> str:
        """The claim in words: its own text, or one made from its fields."""
        if self.text:
            return self.text
        word = "≥" if self.kind == "at_least" else "≤"
        metric = self.metric if self.reach is None else f"epochs until {self.reach[0]} ≤ {self.reach[1]:g}"
        who = f"{self.variant}: " if self.variant else ""
        if self.than is None:
            return f"{who}{metric} {word} {self.value:g}"
        times = "" if self.factor == 1 else f"{self.factor:g} × "
        return f"{who}{metric} {word} {times}that of {self.than}"

    def holds(self, mine: float, theirs: float | None = None) -> bool:
        """Whether the measured ``mine`` (and ``theirs``, for a comparison) keep the claim; NaN never does."""
        bound = self.value if self.than is None else (None if theirs is None else self.factor * theirs)
        if bound is None or math.isnan(mine) or math.isnan(bound):
            return False
        return mine >= bound if self.kind == "at_least" else mine <= bound


@dataclass
class Variant:
    """The project with ``training`` and ``data`` settings changed, and maybe another graph."""

    name: str
    training: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    graph: Graph | None = None
    note: str = ""  # what differs, in words, for the panel


@dataclass
class Lesson:
    topic: str = ""  # the idea of the canon it shows: "Batch normalisation", "Generative models"…
    look_at: str = ""  # what to look at in the window while it trains
    base: str = "as drawn"  # the name of the project as drawn, among the variants
    claims: list[Claim] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)

    def variant_names(self) -> list[str]:
        return [self.base] + [v.name for v in self.variants]

    def variant(self, name: str) -> Variant | None:
        """The stored variant called ``name``; None for the base (or ``""``)."""
        if name in ("", self.base):
            return None
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(name)


def lesson_from_json(obj: Any, r: _Reader, training_fields: set[str], data_fields: set[str]) -> Lesson | None:
    """The ``lesson`` object of a project file, every field checked; None when absent."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise r.fail("lesson", f"expected an object, found {type(obj).__name__}")
    lesson = Lesson(
        topic=r.get(obj, "topic", str, "lesson", default=""),
        look_at=r.get(obj, "look_at", str, "lesson", default=""),
        base=r.get(obj, "base", str, "lesson", default="as drawn") or "as drawn",
    )
    for i, v in enumerate(r.get(obj, "variants", list, "lesson", default=[])):
        lesson.variants.append(_variant(v, f"lesson.variants[{i}]", r, training_fields, data_fields))
    names = lesson.variant_names()
    if len(set(names)) != len(names):
        raise r.fail("lesson.variants", "two variants have the same name")
    for i, c in enumerate(r.get(obj, "expect", list, "lesson", default=[])):
        claim = _claim(c, f"lesson.expect[{i}]", r)
        for name in claim.variants():
            if name and name not in names:
                raise r.fail(f"lesson.expect[{i}]", f"the claim names the variant {name!r}, which the lesson does not have ({', '.join(names)})")
        lesson.claims.append(claim)
    unknown = set(obj) - {"topic", "look_at", "base", "variants", "expect"}
    if unknown:
        raise r.fail("lesson", f"unknown field {sorted(unknown)[0]!r}")
    return lesson


def _variant(obj: Any, where: str, r: _Reader, training_fields: set[str], data_fields: set[str]) -> Variant:
    if not isinstance(obj, dict):
        raise r.fail(where, f"expected an object, found {type(obj).__name__}")
    variant = Variant(name=r.get(obj, "name", str, where), note=r.get(obj, "note", str, where, default=""))
    if not variant.name.strip():
        raise r.fail(f"{where}.name", "a variant needs a name")
    for key, known in (("training", training_fields), ("data", data_fields)):
        changes = r.get(obj, key, dict, where, default={})
        unknown = set(changes) - known
        if unknown:
            raise r.fail(f"{where}.{key}", f"unknown setting {sorted(unknown)[0]!r}")
        setattr(variant, key, dict(changes))
    if "graph" in obj:
        variant.graph = graph_from_json(obj["graph"], f"{r.source} at {where}.graph")
    unknown = set(obj) - {"name", "note", "training", "data", "graph"}
    if unknown:
        raise r.fail(where, f"unknown field {sorted(unknown)[0]!r}")
    return variant


def _claim(obj: Any, where: str, r: _Reader) -> Claim:
    if not isinstance(obj, dict):
        raise r.fail(where, f"expected an object, found {type(obj).__name__}")
    kind = r.get(obj, "kind", str, where)
    if kind not in COMPARISONS:
        raise r.fail(f"{where}.kind", f"kind must be one of {', '.join(COMPARISONS)}, got {kind!r}")
    than = r.get(obj, "than", (str, type(None)), where, default=None)
    value = r.get(obj, "value", (int, float, type(None)), where, default=None)
    if (than is None) == (value is None):
        raise r.fail(where, "a claim needs either a value or a variant to compare with ('than'), not both")
    reach = r.get(obj, "reach", (dict, type(None)), where, default=None)
    if reach is not None:
        reach = (r.get(reach, "metric", str, f"{where}.reach"),
                 _real(r.get(reach, "value", (int, float), f"{where}.reach"), f"{where}.reach.value", r))
    metric = r.get(obj, "metric", str, where)
    if (metric == "epochs_to_reach") != (reach is not None):
        raise r.fail(where, "the metric epochs_to_reach needs a 'reach' {metric, value}, and only it takes one")
    factor = _real(r.get(obj, "factor", (int, float), where, default=1.0), f"{where}.factor", r)
    if not (math.isfinite(factor) and factor > 0):
        raise r.fail(f"{where}.factor", f"factor must be a number above 0, got {factor!r}")
    unknown = set(obj) - {"kind", "metric", "variant", "value", "than", "factor", "reach", "text"}
    if unknown:
        raise r.fail(where, f"unknown field {sorted(unknown)[0]!r}")
    return Claim(kind, metric, r.get(obj, "variant", str, where, default=""),
                 None if value is None else _real(value, f"{where}.value", r),
                 than, factor, reach, r.get(obj, "text", str, where, default=""))


def _real(value: float, where: str, r: _Reader) -> float:
    """A JSON number as a float, or one ``ProjectError`` for an integer no float can hold
    (``float(10**400)`` would raise ``OverflowError``)."""
    if abs(value) > 1e300:
        raise r.fail(where, f"{_short(value)} is far too large a number")
    return float(value)


def lesson_to_json(lesson: Lesson) -> dict[str, Any]:
    doc: dict[str, Any] = {"topic": lesson.topic, "look_at": lesson.look_at, "base": lesson.base}
    if lesson.variants:
        doc["variants"] = [_variant_to_json(v) for v in lesson.variants]
    doc["expect"] = [_claim_to_json(c) for c in lesson.claims]
    return doc


def _variant_to_json(v: Variant) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": v.name}
    if v.note:
        doc["note"] = v.note
    if v.training:
        doc["training"] = copy.deepcopy(v.training)
    if v.data:
        doc["data"] = copy.deepcopy(v.data)
    if v.graph is not None:
        doc["graph"] = graph_to_json(v.graph)
    return doc


def _claim_to_json(c: Claim) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": c.kind, "metric": c.metric}
    if c.reach is not None:
        doc["reach"] = {"metric": c.reach[0], "value": c.reach[1]}
    if c.variant:
        doc["variant"] = c.variant
    if c.than is None:
        doc["value"] = c.value
    else:
        doc["than"] = c.than
        if c.factor != 1:
            doc["factor"] = c.factor
    if c.text:
        doc["text"] = c.text
    return doc
