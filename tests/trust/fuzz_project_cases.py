"""Fuzzed ``.ndproj`` files and the safetensors weights beside them.

Seeds are the example projects in ``projects/``. A mutation damages the bytes (flips,
truncation, spliced spans) or the JSON structure (wrong types, missing and extra keys, huge,
negative and non-finite numbers, 10,000-deep nesting, 1 MB texts, objects of 50,000 keys, odd
names, duplicate ids and keys, edges to ports that do not exist, cycles). A loaded project is valid when
validation runs on it, it saves to text and reads back the same, and each lesson variant
either builds or is refused with a ``ProjectError``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
from pathlib import Path
from typing import Any

from fuzz_harness import BYTE_MUTATIONS, FuzzFormat, nasty_text, nasty_value

from netdesigner.core.errors import ProjectError

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
SEED_PROJECTS = ("spirals_mlp", "digits_cnn", "lstm_sequence", "gan_ring", "regularisation", "resnet18",
                 "sine_forecast", "vae", "depth_vanishing_gradients")
PLACEHOLDER = "__fuzz_placeholder__"

JsonPath = tuple[Any, ...]


# ---- walking a JSON document ------------------------------------------------------------------
def json_paths(doc: Any) -> list[JsonPath]:
    """Every place in ``doc`` below the top, in document order."""
    found: list[JsonPath] = []
    stack: list[tuple[JsonPath, Any]] = [((), doc)]
    while stack:
        path, value = stack.pop()
        if path:
            found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((path + (k,), v) for k, v in items)
    return found


def get_at(doc: Any, path: JsonPath) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def set_at(doc: Any, path: JsonPath, value: Any) -> None:
    get_at(doc, path[:-1])[path[-1]] = value


def _containers(doc: Any, kind: type) -> list[JsonPath]:
    """The places (the top included) that hold a ``kind`` (dict or list)."""
    top: list[JsonPath] = [()] if isinstance(doc, kind) else []
    return top + [p for p in json_paths(doc) if isinstance(get_at(doc, p), kind)]


# ---- structured mutations ---------------------------------------------------------------------
def _nodes(doc: dict) -> list[dict]:
    nodes = doc.get("graph", {}).get("nodes", [])
    return [n for n in nodes if isinstance(n, dict)]


def _edges(doc: dict) -> list[dict]:
    edges = doc.get("graph", {}).get("edges", [])
    return [e for e in edges if isinstance(e, dict)]


def wrong_value(doc: dict, rng: random.Random) -> str | None:
    set_at(doc, rng.choice(json_paths(doc)), nasty_value(rng))
    return None


def missing_key(doc: dict, rng: random.Random) -> str | None:
    paths = [p for p in json_paths(doc) if isinstance(p[-1], str)]
    path = rng.choice(paths)
    del get_at(doc, path[:-1])[path[-1]]
    return None


def extra_key(doc: dict, rng: random.Random) -> str | None:
    target = get_at(doc, rng.choice(_containers(doc, dict)))
    key = rng.choice(["weights", "lesson", "id", "params", "graph", "__class__", "evil", nasty_text(rng)[:100]])
    target[key] = nasty_value(rng) if rng.random() < 0.7 else {"file": "model.safetensors"}
    return None


def duplicate_node(doc: dict, rng: random.Random) -> str | None:
    nodes = doc["graph"]["nodes"]
    twin = copy.deepcopy(rng.choice(nodes))
    if rng.random() < 0.5 and isinstance(twin, dict):
        twin["name"] = f"{twin.get('name', 'x')}_twin"
    nodes.insert(rng.randrange(len(nodes) + 1), twin)
    return None


def duplicate_id(doc: dict, rng: random.Random) -> str | None:
    nodes = _nodes(doc)
    a, b = rng.choice(nodes), rng.choice(nodes)
    a["id"] = b.get("id", "n1") if rng.random() < 0.7 else nasty_value(rng)
    return None


def rename_node(doc: dict, rng: random.Random) -> str | None:
    node = rng.choice(_nodes(doc))
    old, new = node.get("name"), rng.choice([nasty_text(rng), "", "é", "a" * 65, "conv1", "class", "Input", "x_1"])
    node["name"] = new
    if rng.random() < 0.5:  # the wires follow the new name, so only the name itself is wrong
        for edge in _edges(doc):
            for end in ("from", "to"):
                text = edge.get(end)
                if isinstance(text, str) and text.partition(":")[0] == old:
                    edge[end] = new + text[len(old):] if isinstance(old, str) else new
    return None


def edge_to_missing_port(doc: dict, rng: random.Random) -> str | None:
    edges, nodes = _edges(doc), _nodes(doc)
    name = str(rng.choice(nodes).get("name", "ghost")) if rng.random() < 0.8 else "ghost"
    port = rng.choice(["1", "2", "7", "99", "999", "1000", "-1", "x", "", "²", "١", "0001", "1:2", " 1", "1e3"])
    text = f"{name}:{port}"
    if edges and rng.random() < 0.6:
        rng.choice(edges)[rng.choice(("from", "to"))] = text
    else:
        doc["graph"]["edges"].append({"from": text, "to": str(rng.choice(nodes).get("name"))} if rng.random() < 0.5
                                     else {"from": str(rng.choice(nodes).get("name")), "to": text})
    return None


def cycle(doc: dict, rng: random.Random) -> str | None:
    """An edge from a node downstream back into one upstream (or a node into itself)."""
    edges = _edges(doc)
    if len(edges) < 2:
        return None
    i = rng.randrange(len(edges) - 1)
    j = rng.randrange(i, len(edges))
    edges[i]["from"] = edges[j].get("to") if rng.random() < 0.8 else edges[i].get("to")
    return None


def huge_string(doc: dict, rng: random.Random) -> str | None:
    set_at(doc, rng.choice(json_paths(doc)), "ß" * (1 << 20) if rng.random() < 0.5 else "x" * (1 << 20))
    return None


def non_finite(doc: dict, rng: random.Random) -> str | None:
    set_at(doc, rng.choice(json_paths(doc)), rng.choice([float("nan"), float("inf"), float("-inf")]))
    return None


def deep_nesting(doc: dict, rng: random.Random) -> str | None:
    set_at(doc, rng.choice(json_paths(doc)), PLACEHOLDER)
    depth = rng.choice((10_000, 10_000, 995, 500, 120))
    opener, closer = ("[", "]") if rng.random() < 0.5 else ('{"a": ', "}")
    return json.dumps(PLACEHOLDER), opener * depth + "1" + closer * depth


def huge_number(doc: dict, rng: random.Random) -> str | None:
    set_at(doc, rng.choice(json_paths(doc)), PLACEHOLDER)
    return json.dumps(PLACEHOLDER), rng.choice(["1" + "0" * 5000, "-1" + "0" * 400, "1e400", "-1e400", "1e-400",
                                                "18446744073709551616", "9223372036854775808", "-0"])


def duplicate_key(doc: dict, rng: random.Random) -> str | None:
    paths = [p for p in _containers(doc, dict) if get_at(doc, p)]
    target = get_at(doc, rng.choice(paths))
    key = rng.choice(list(target))
    target[PLACEHOLDER] = nasty_value(rng) if rng.random() < 0.5 else target[key]
    return json.dumps(PLACEHOLDER), json.dumps(key)


def swap_values(doc: dict, rng: random.Random) -> str | None:
    paths = json_paths(doc)
    a, b = rng.choice(paths), rng.choice(paths)
    if a[:len(b)] == b or b[:len(a)] == a:  # one inside the other
        return None
    va, vb = get_at(doc, a), get_at(doc, b)
    set_at(doc, a, vb)
    set_at(doc, b, va)
    return None


def wide_object(doc: dict, rng: random.Random) -> str | None:
    """An object of 50,000 keys (the last one given twice, sometimes) or a list as long."""
    count = rng.choice((1000, 50_000))
    wide: Any = {f"k{i}": i for i in range(count)} if rng.random() < 0.7 else list(range(count))
    set_at(doc, rng.choice(json_paths(doc)), wide)
    if isinstance(wide, dict) and rng.random() < 0.5:
        wide[PLACEHOLDER] = 0
        return json.dumps(PLACEHOLDER), json.dumps(f"k{count - 1}")
    return None


def bad_param(doc: dict, rng: random.Random) -> str | None:
    """A layer parameter (an existing one or a new one) given a hostile value."""
    node = rng.choice(_nodes(doc))
    params = node.setdefault("params", {})
    key = rng.choice([*params, "out_features", "p", "kernel_size", "shape", "evil"]) if isinstance(params, dict) else "p"
    if rng.random() < 0.3:
        params[key] = PLACEHOLDER
        return json.dumps(PLACEHOLDER), rng.choice(["-1" + "0" * 400, "1" + "0" * 400, "1e308", "-0.0", "1e-320"])
    params[key] = nasty_value(rng)
    return None


STRUCTURED = {
    "wrong value": wrong_value,
    "missing key": missing_key,
    "extra key": extra_key,
    "duplicate node": duplicate_node,
    "duplicate id": duplicate_id,
    "rename node": rename_node,
    "edge to missing port": edge_to_missing_port,
    "cycle": cycle,
    "huge string": huge_string,
    "non-finite number": non_finite,
    "deep nesting": deep_nesting,
    "huge number": huge_number,
    "duplicate key": duplicate_key,
    "swap values": swap_values,
    "wide object": wide_object,
    "bad parameter": bad_param,
}


def mutate_document(doc: dict, rng: random.Random, mutation: str) -> bytes:
    """``doc`` changed by ``mutation`` ("several": two to five structured ones) as file bytes."""
    doc = copy.deepcopy(doc)
    names = [mutation] if mutation != "several" else rng.choices(list(STRUCTURED), k=rng.randint(2, 5))
    replacements = []
    for name in names:
        if PLACEHOLDER in json.dumps(doc):
            break  # a text-level replacement is pending; it must stay the last change
        try:
            swap = STRUCTURED[name](doc, rng)
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier change took away what this one works on
        if swap:
            replacements.append(swap)
    text = json.dumps(doc, indent=rng.choice((None, 2)), ensure_ascii=rng.random() < 0.8)
    for old, new in replacements:
        text = text.replace(old, new, 1)
    return text.encode("utf-8", "surrogatepass")


class ProjectFiles(FuzzFormat):
    name = "project"
    error = ProjectError
    mutations = (*BYTE_MUTATIONS, *STRUCTURED, "several")

    def __init__(self) -> None:
        self.seeds: list[tuple[bytes, dict]] = []

    def prepare(self, seeds: Path) -> None:
        from netdesigner.core.project import Project

        for name in SEED_PROJECTS:
            data = (PROJECTS / f"{name}.ndproj").read_bytes()
            self.seeds.append((data, json.loads(data)))
            check_project(Project.load(PROJECTS / f"{name}.ndproj"))  # warms torch's meta tensors up

    def write_case(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        data, doc = rng.choice(self.seeds)
        if mutation in BYTE_MUTATIONS:
            data = BYTE_MUTATIONS[mutation](data, rng)
        else:
            data = mutate_document(doc, rng, mutation)
        path = folder / "model.ndproj"
        path.write_bytes(data)
        return path

    def load(self, target: Path) -> Any:
        from netdesigner.core.project import Project

        project = Project.load(target)
        check_project(project)
        return project


def check_project(project: Any) -> None:
    """A loaded project is usable: it validates, saves to text that reads back the same, and
    each lesson variant builds or is refused clearly."""
    from netdesigner.core.project import Project
    from netdesigner.core.project_format import dumps, parse_json
    from netdesigner.core.validation import validate

    validate(project.graph)
    doc = project.to_json()
    again = Project.from_json(parse_json(dumps(doc).encode("utf-8"), "the saved copy"))
    if again.to_json() != doc:
        raise AssertionError("the project does not read back as it was saved")
    if project.lesson is not None:
        for name in project.lesson.variant_names():
            with contextlib.suppress(ProjectError):  # a variant whose settings are impossible: said clearly
                validate(project.variant(name).graph)


# ---- weights beside a project -----------------------------------------------------------------
WEIGHTS_SEED = "digits_cnn"
OTHER_SEED = "spirals_mlp"


def _retype(rng: random.Random, tensor: Any) -> Any:
    import torch

    dtype = rng.choice([torch.float16, torch.bfloat16, torch.float64, torch.int8, torch.int32, torch.int64,
                        torch.uint8, torch.bool, torch.float8_e4m3fn, torch.float8_e5m2, torch.complex64,
                        torch.uint16])
    return tensor.to(dtype)


def _reshape(rng: random.Random, tensor: Any) -> Any:
    import torch

    choice = rng.randrange(5)
    if choice == 0 and tensor.ndim >= 2:
        return tensor.transpose(0, 1).contiguous()
    if choice == 1:
        return tensor.reshape(-1)
    if choice == 2:
        return tensor.unsqueeze(0)
    if choice == 3:
        return torch.zeros((rng.randint(1, 7),) * max(1, tensor.ndim))
    return torch.cat([tensor, tensor]) if tensor.ndim else tensor.reshape(1)


def _mutate_tensors(state: dict[str, Any], rng: random.Random, mutation: str, other: dict[str, Any]) -> dict[str, Any]:
    import torch

    state = {k: v.clone() for k, v in state.items()}
    key = rng.choice(list(state))
    if mutation == "drop tensor":
        del state[key]
    elif mutation == "extra tensor":
        state[rng.choice([f"{key}_extra", "ghost.weight", "", "x" * 1000, "名前.weight", "__metadata__x"])] = torch.ones(3)
    elif mutation == "reshape tensor":
        state[key] = _reshape(rng, state[key])
    elif mutation == "retype tensor":
        state[key] = _retype(rng, state[key])
    elif mutation == "empty tensor":
        state[key] = torch.zeros((0, *state[key].shape[1:]))
    elif mutation == "scalar tensor":
        state[key] = torch.tensor(1.5)
    elif mutation == "rename tensor":
        state[rng.choice([key.upper(), key + ".", "." + key, key.replace(".", "/")])] = state.pop(key)
    elif mutation == "swap tensors":
        other_key = rng.choice(list(state))
        state[key], state[other_key] = state[other_key], state[key]
    elif mutation == "non-finite values":
        state[key] = torch.full_like(state[key], rng.choice([float("nan"), float("inf"), -float("inf")]))
    elif mutation == "weights of another project":
        state = dict(other)
    return state


def _mutate_header(blob: bytes, rng: random.Random) -> bytes:
    """The safetensors header (a JSON object after an 8-byte length) given wrong dtypes,
    shapes and offsets; the length is kept right, or made wrong."""
    size = int.from_bytes(blob[:8], "little")
    header, body = json.loads(blob[8:8 + size]), blob[8 + size:]
    key = rng.choice([k for k in header if k != "__metadata__"])
    entry = header[key]
    field = rng.choice(["dtype", "shape", "data_offsets", "entry", "metadata"])
    if field == "dtype":
        entry["dtype"] = rng.choice(["F32", "F64", "I64", "BOOL", "U8", "C64", "F8_E4M3", "X99", "", 1])
    elif field == "shape":
        entry["shape"] = rng.choice([[], [0], [-1], [2**62, 2**62], [2**64], [1] * 64, ["a"], 3, [3, 3, 3, 3, 3]])
    elif field == "data_offsets":
        end = len(body)
        entry["data_offsets"] = rng.choice([[0, 0], [end, 0], [0, end + 8], [-1, 4], [0, 2**64], [4], [1.5, 2]])
    elif field == "entry":
        header[key] = nasty_value(rng)
    else:
        header["__metadata__"] = rng.choice([{"format": "pt"}, {"a": 1}, [], "x", {"a": "b" * 100_000}])
    text = json.dumps(header).encode()
    length = len(text) if rng.random() < 0.8 else rng.choice([0, 1, len(text) + 1, 2**63, 2**64 - 1, len(blob)])
    return length.to_bytes(8, "little") + text + body


def _mutate_entry(doc: dict, rng: random.Random) -> None:
    entry = doc["weights"]
    choice = rng.randrange(4)
    if choice == 0:
        entry["file"] = rng.choice(["../model.safetensors", "/etc/passwd", "", ".safetensors", "model.safetensors/.",
                                    "model.SAFETENSORS", "model.safetensors\x00.txt", "sub/model.safetensors",
                                    "model.ndproj", "gone.safetensors", 7, None])
    elif choice == 1:
        entry["sha256"] = rng.choice([None, 7, "", "0" * 64, "X" * 10_000, []])
    elif choice == 2:
        doc["weights"] = nasty_value(rng)
    else:
        entry[rng.choice(["extra", "file", "sha256"])] = nasty_value(rng)


class WeightsFiles(FuzzFormat):
    """A project whose ``.safetensors`` beside it is damaged or does not match the graph. A
    loaded project is valid when it compiles: the weights that fit are used, the rest left."""

    name = "weights"
    error = ProjectError
    mutations = ("drop tensor", "extra tensor", "reshape tensor", "retype tensor", "empty tensor", "scalar tensor",
                 "rename tensor", "swap tensors", "non-finite values", "weights of another project",
                 *BYTE_MUTATIONS, "header", "stale checksum", "weights entry")

    def prepare(self, seeds: Path) -> None:
        from netdesigner.core.project import Project

        project = Project.load(PROJECTS / f"{WEIGHTS_SEED}.ndproj")
        self.doc = project.to_json()
        self.state = {k: v.detach().clone() for k, v in project.compile().state_dict().items()}
        self.other = {k: v.detach().clone() for k, v in Project.load(PROJECTS / f"{OTHER_SEED}.ndproj").compile().state_dict().items()}

    def write_case(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        from safetensors.torch import save

        doc = copy.deepcopy(self.doc)
        good = save(self.state)
        if mutation in BYTE_MUTATIONS:
            blob = BYTE_MUTATIONS[mutation](good, rng)
        elif mutation == "header":
            blob = _mutate_header(good, rng)
        elif mutation in ("stale checksum", "weights entry"):
            blob = save(_mutate_tensors(self.state, rng, rng.choice(self.mutations[:10]), self.other))
        else:
            blob = save(_mutate_tensors(self.state, rng, mutation, self.other))
        checksum = hashlib.sha256(good if mutation == "stale checksum" else blob).hexdigest()
        doc["weights"] = {"file": "model.safetensors", "sha256": checksum}
        if rng.random() < 0.2:
            del doc["weights"]["sha256"]
        if mutation == "weights entry":
            _mutate_entry(doc, rng)
        (folder / "model.safetensors").write_bytes(blob)
        path = folder / "model.ndproj"
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")  # ASCII: "\ud800" stays an escape
        return path

    def load(self, target: Path) -> Any:
        from netdesigner.core.project import Project

        project = Project.load(target)
        module = project.compile()
        state = module.state_dict()
        for key, value in (project.weights or {}).items():
            fits = key in state and state[key].shape == value.shape and value.dtype == state[key].dtype
            if fits and not state[key].equal(value) and not value.isnan().any():
                raise AssertionError(f"the weights {key} fit but were not used")
        return module
