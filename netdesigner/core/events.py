"""What the graph document tells its listeners: one small immutable record per change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Edge:
    """A wire from output port ``src_port`` of node ``src`` to input port ``dst_port`` of ``dst``."""

    src: str
    dst: str
    src_port: int = 0
    dst_port: int = 0


@dataclass(frozen=True)
class NodeAdded:
    node_id: str


@dataclass(frozen=True)
class NodeRemoved:
    node_id: str
    name: str


@dataclass(frozen=True)
class EdgeAdded:
    edge: Edge


@dataclass(frozen=True)
class EdgeRemoved:
    edge: Edge


@dataclass(frozen=True)
class ParamChanged:
    node_id: str
    param: str
    value: Any


@dataclass(frozen=True)
class NodeRenamed:
    node_id: str
    old: str
    new: str


@dataclass(frozen=True)
class NodeMoved:
    node_id: str
    position: tuple[float, float]


GraphEvent = NodeAdded | NodeRemoved | EdgeAdded | EdgeRemoved | ParamChanged | NodeRenamed | NodeMoved
