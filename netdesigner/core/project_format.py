"""The ``.ndproj`` format: versioned JSON that people can read and diff.

Reading trusts nothing: every field is checked for type and range before anything is built,
and any problem becomes one ``ProjectError`` naming the file and the place inside it. No code
is ever executed and nothing is unpickled. Writing puts one node or edge per line, so a
change to one layer is a one-line diff.
"""

from __future__ import annotations

import json
import math
from typing import Any

from netdesigner.core.catalog import layer_type
from netdesigner.core.edits import AddNode, Connect
from netdesigner.core.errors import GraphError, ProjectError
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph

FORMAT = "netdesigner-project"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
MAX_NODES = 100_000
MAX_PROBLEM = 400  # characters of one message's problem text
MAX_DEPTH = 64  # the deepest nesting a project has is about 8 (a lesson variant's graph's node's params)


class _Reader:
    """Checks pieces of parsed JSON, raising ``ProjectError`` with the file and the JSON path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ProjectError:
        at = f" at {where}" if where else ""
        if len(problem) > MAX_PROBLEM:  # a name or key from the file can be a megabyte long
            problem = problem[:MAX_PROBLEM // 2] + " … " + problem[-MAX_PROBLEM // 4:]
        return ProjectError(f"{self.source}{at}: {problem}")

    def get(self, obj: dict, key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
        if key not in obj:
            if default is ...:
                raise self.fail(where, f"the field {key!r} is missing")
            return default
        value = obj[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(f"{where}.{key}", f"expected {_kind_name(kind)}, found {json.dumps(value)}")
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}" if where else key, f"expected {_kind_name(kind)}, found {_short(value)}")
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {dict: "an object", list: "a list", str: "a text", int: "an integer", float: "a number", bool: "true or false", type(None): "null"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _quoted(text: str) -> str:
    """A name from the file as a message quotes it, cut short."""
    return repr(text) if len(text) <= 60 else repr(text[:57]) + "…"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    """``1e400`` is valid JSON but reads as infinity, which a saved copy could only write as
    ``Infinity``: not JSON, and refused when read back."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a number NetDesigner can keep")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object, or a ``ValueError`` naming a key it has twice (found in one pass: counting
    each key took minutes on a 1 MB object whose last key repeats its first)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {_quoted(key)} appears twice in one object")
            seen.add(key)
    return found


def parse_json(data: bytes, source: str) -> dict:
    if len(data) > MAX_BYTES:
        raise ProjectError(f"{source}: the file is {len(data) // 2**20} MiB, larger than any project ({MAX_BYTES // 2**20} MiB at most)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProjectError(f"{source}: not a NetDesigner project (not UTF-8 text; byte {e.start} is {data[e.start]:#04x})") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        hint = " (the file seems cut short)" if e.pos >= len(text.rstrip()) else ""
        raise ProjectError(f"{source}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}{hint}") from None
    except (ValueError, RecursionError) as e:
        raise ProjectError(f"{source}: not a usable project: {e if isinstance(e, ValueError) else 'nested too deeply'}") from None
    _check_plain(doc, source)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ProjectError(f"{source}: not a NetDesigner project (no \"format\": \"{FORMAT}\" field)")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError(f"{source}: the format version is missing or not an integer")
    if version > VERSION:
        raise ProjectError(f"{source}: made by a newer NetDesigner (format version {version}; this one reads up to {VERSION}). Update NetDesigner to open it.")
    if version < 1:
        raise ProjectError(f"{source}: unknown format version {version}")
    return doc


def _check_plain(doc: Any, source: str) -> None:
    """Refuses what JSON allows but a project can never hold: nesting deeper than
    ``MAX_DEPTH`` (saving it again would exhaust the stack) and texts with lone surrogates
    (``"\\ud800"``: valid JSON, but no UTF-8 file can hold them, so the project could not be saved)."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ProjectError(f"{source}: not a usable project: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            texts: Any = value.keys()
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            texts = ()
            stack.extend((v, depth + 1) for v in value)
        else:
            texts = (value,)
        for text in texts:
            if isinstance(text, str) and not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as e:
                    raise ProjectError(f"{source}: not a usable project: the text {_short(text[:40])} holds "
                                       f"{text[e.start]!r}, half of a character (a lone surrogate), which no file can hold") from None


def graph_from_json(obj: Any, source: str) -> Graph:
    """A graph from the ``graph`` section; cycles load (validation reports them) so work is not lost."""
    r = _Reader(source)
    if not isinstance(obj, dict):
        raise r.fail("graph", f"expected an object, found {_short(obj)}")
    nodes = r.get(obj, "nodes", list, "graph")
    edges = r.get(obj, "edges", list, "graph")
    if len(nodes) > MAX_NODES:
        raise r.fail("graph.nodes", f"{len(nodes)} nodes is more than NetDesigner handles ({MAX_NODES})")
    graph = Graph()
    for i, raw in enumerate(nodes):
        where = f"graph.nodes[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, f"expected an object, found {_short(raw)}")
        name = r.get(raw, "name", str, where)
        type_name = r.get(raw, "type", str, where)
        node_id = r.get(raw, "id", str, where, default=None) or graph.new_id()
        params = r.get(raw, "params", dict, where, default={})
        position = r.get(raw, "position", list, where, default=[0, 0])
        if len(position) != 2 or not all(_is_coordinate(v) for v in position):
            raise r.fail(f"{where}.position", f"expected two numbers, found {_short(position)}")
        try:
            layer_type(type_name)
            graph.apply(AddNode(node_id, type_name, name, params, (position[0], position[1])))
        except GraphError as e:
            raise r.fail(where, f"node {_quoted(name)}: {e}") from None
    for i, raw in enumerate(edges):
        where = f"graph.edges[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, f"expected an object, found {_short(raw)}")
        src, src_port = _port(r, r.get(raw, "from", str, where), graph, f"{where}.from")
        dst, dst_port = _port(r, r.get(raw, "to", str, where), graph, f"{where}.to")
        try:
            graph.apply(Connect(Edge(src, dst, src_port, dst_port), restoring=True))
        except GraphError as e:
            raise r.fail(where, str(e)) from None
    return graph


def _is_coordinate(value: Any) -> bool:
    """A number a canvas position can be. Only ``abs`` and a comparison, which are exact for any
    integer and false for NaN and infinity: ``math.isfinite(10**400)`` would overflow."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e9


def _port(r: _Reader, text: str, graph: Graph, where: str) -> tuple[str, int]:
    """``"conv1"`` or ``"split1:1"`` → (node id, port)."""
    name, _, port = text.partition(":")
    if not graph.has_name(name):
        raise r.fail(where, f"no node named {_quoted(name)}")
    if port and not (port.isascii() and port.isdigit() and len(port) <= 3):  # not "²", which isdigit() allows
        raise r.fail(where, f"port {_quoted(port)} is not a small number")
    return graph.find(name).id, int(port or 0)


def graph_to_json(graph: Graph) -> dict:
    nodes = [
        {"id": n.id, "name": n.name, "type": n.type, "params": {k: _jsonable(v) for k, v in n.params.items()},
         "position": [_round(n.position[0]), _round(n.position[1])]}
        for n in graph.nodes()
    ]
    edges = []
    for e in graph.edges():
        src, dst = graph.node(e.src).name, graph.node(e.dst).name
        edges.append({"from": f"{src}:{e.src_port}" if e.src_port else src, "to": f"{dst}:{e.dst_port}" if e.dst_port else dst})
    return {"nodes": nodes, "edges": edges}


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _round(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 2)


def dumps(doc: dict) -> str:
    """Pretty JSON with one node, edge or short list per line (diff-friendly)."""
    return _dump(doc, 0) + "\n"


def _dump(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value and depth < 2:
        items = [f"{inner}{json.dumps(k)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        items = [f"{inner}{json.dumps(v, ensure_ascii=False)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)
