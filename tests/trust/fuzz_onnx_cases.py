"""Fuzzed ONNX files, made from models NetDesigner exported from its own example projects.

Mutations damage the protobuf bytes (flips, truncation, spliced spans) or the model's
structure: op types and domains, node inputs, outputs and attributes, initializers' shapes,
types and data, external data said to lie elsewhere, the graph's inputs and outputs, opsets,
NetDesigner's own metadata, and model-local functions that call themselves. A loaded model is
valid when its graph validates without errors (the import itself already compiled it and
compared it with onnxruntime on the file).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from fuzz_harness import BYTE_MUTATIONS, FuzzFormat, nasty_text, random_bytes

from netdesigner.importer.onnx_import import ImportFailed

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
SEED_PROJECTS = ("spirals_mlp", "digits_cnn", "lstm_sequence")
OP_TYPES = ["Conv", "Gemm", "MatMul", "Relu", "Add", "Mul", "Reshape", "Flatten", "Concat", "Softmax", "MaxPool",
            "BatchNormalization", "LSTM", "GRU", "Transpose", "Identity", "Constant", "Dropout", "Loop", "If", "Scan",
            "Foo", "", "Sum", "PRelu", "ReduceMean", "GlobalAveragePool", "ConvTranspose", "Expand", "Tile"]


def _huge_int(rng: random.Random) -> int:
    return rng.choice([0, -1, -(2**62), 2**62, 2**31, 10**9, 1, 2, 3, 7, 1000])


class OnnxFiles(FuzzFormat):
    name = "onnx"
    error = ImportFailed
    mutations = (*BYTE_MUTATIONS, "op type", "node domain", "drop node", "duplicate node", "node inputs",
                 "node outputs", "attributes", "initializer dims", "initializer data", "external data", "inputs",
                 "outputs", "opset", "metadata", "recursive function", "several")

    def prepare(self, seeds: Path) -> None:
        import onnx

        from netdesigner.core.project import Project
        from netdesigner.export.onnx_export import export_onnx
        from netdesigner.importer.onnx_import import import_onnx

        self.seeds: list[tuple[bytes, Any]] = []
        for name in SEED_PROJECTS:
            path = seeds / f"{name}.onnx"
            report = export_onnx(Project.load(PROJECTS / f"{name}.ndproj"), path, labels=[])
            assert report.ok, report.text()
            import_onnx(path)  # warms onnxruntime and the optimiser up
            data = path.read_bytes()
            self.seeds.append((data, onnx.load_from_string(data)))

    def write_case(self, folder: Path, rng: random.Random, mutation: str) -> Path:
        import onnx

        data, model = rng.choice(self.seeds)
        path = folder / "model.onnx"
        if mutation in BYTE_MUTATIONS:
            path.write_bytes(BYTE_MUTATIONS[mutation](data, rng))
            return path
        copy = onnx.ModelProto()
        copy.CopyFrom(model)
        names = [mutation] if mutation != "several" else rng.choices(self.mutations[3:-1], k=rng.randint(2, 4))
        for name in names:
            try:
                _MUTATORS[name](copy, rng, folder)
            except (IndexError, ValueError, TypeError):
                continue  # nothing to change here (no such node, attribute or initializer)
        path.write_bytes(copy.SerializeToString())
        return path

    def load(self, target: Path) -> Any:
        from netdesigner.core.validation import errors, validate
        from netdesigner.importer.onnx_import import import_onnx

        imported = import_onnx(target)
        found = errors(validate(imported.graph))
        if found:
            raise AssertionError(f"the imported graph has errors: {found[0].describe(imported.graph)}")
        return imported


# ---- structured mutations ---------------------------------------------------------------------
def _node(model: Any, rng: random.Random) -> Any:
    return model.graph.node[rng.randrange(len(model.graph.node))]


def _values(model: Any) -> list[str]:
    g = model.graph
    return [v.name for v in g.input] + [t.name for t in g.initializer] + [o for n in g.node for o in n.output]


def op_type(model: Any, rng: random.Random, folder: Path) -> None:
    _node(model, rng).op_type = rng.choice(OP_TYPES)


def node_domain(model: Any, rng: random.Random, folder: Path) -> None:
    _node(model, rng).domain = rng.choice(["com.evil", "ai.onnx.ml", "ai.onnx", "com.microsoft", "local"])


def drop_node(model: Any, rng: random.Random, folder: Path) -> None:
    del model.graph.node[rng.randrange(len(model.graph.node))]


def duplicate_node(model: Any, rng: random.Random, folder: Path) -> None:
    model.graph.node.append(_node(model, rng))


def node_inputs(model: Any, rng: random.Random, folder: Path) -> None:
    node = _node(model, rng)
    choice = rng.randrange(5)
    if choice == 0 and node.input:
        del node.input[rng.randrange(len(node.input))]
    elif choice == 1:
        node.input.append(rng.choice(["ghost", "", *_values(model)]))
    elif choice == 2 and node.input:
        node.input[rng.randrange(len(node.input))] = rng.choice(["ghost", "", *_values(model)])
    elif choice == 3 and len(node.input) > 1:
        node.input[0], node.input[1] = node.input[1], node.input[0]
    else:  # fed by its own output, or a later node's: a cycle
        later = [o for n in model.graph.node for o in n.output]
        node.input[0:1] = [rng.choice(list(node.output) + later[-3:])]


def node_outputs(model: Any, rng: random.Random, folder: Path) -> None:
    node = _node(model, rng)
    choice = rng.randrange(4)
    if choice == 0:
        node.output[0] = rng.choice(_values(model))  # a second producer of a value
    elif choice == 1:
        node.output[0] = ""
    elif choice == 2:
        node.output.append(rng.choice(["extra", node.output[0]]))
    else:
        del node.output[:]


def attributes(model: Any, rng: random.Random, folder: Path) -> None:
    from onnx import helper

    nodes = [n for n in model.graph.node if n.attribute] or list(model.graph.node)
    node = rng.choice(nodes)
    choice = rng.randrange(5)
    if choice == 0 or not node.attribute:
        name = rng.choice(["axis", "pads", "strides", "kernel_shape", "group", "alpha", "value", "perm", "transB",
                           "hidden_size", "direction", "to", "evil"])
        value = rng.choice([_huge_int(rng), [_huge_int(rng)] * rng.randint(0, 6), float("nan"), 1e30, "forward",
                            nasty_text(rng)[:100] or "x"])
        try:
            node.attribute.append(helper.make_attribute(name, value))
        except (ValueError, TypeError):
            node.attribute.append(helper.make_attribute(name, 1))
        return
    attribute = node.attribute[rng.randrange(len(node.attribute))]
    if choice == 1:
        del node.attribute[:]
    elif choice == 2:
        if attribute.ints:
            attribute.ints[rng.randrange(len(attribute.ints))] = _huge_int(rng)
        elif attribute.HasField("i"):
            attribute.i = _huge_int(rng)
        elif attribute.HasField("f"):
            attribute.f = rng.choice([float("nan"), float("inf"), -1.0, 0.0, 1e38])
        elif attribute.HasField("s"):
            attribute.s = rng.choice([b"", b"\xff\xfe", b"forward", b"NOTSET", b"SAME_UPPER"])
    elif choice == 3:
        attribute.type = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 99])
    else:
        node.attribute.append(attribute)  # the same attribute twice


def initializer_dims(model: Any, rng: random.Random, folder: Path) -> None:
    tensor = model.graph.initializer[rng.randrange(len(model.graph.initializer))]
    dims = list(tensor.dims)
    choice = rng.randrange(4)
    if choice == 0:
        dims = [rng.choice([0, -1, 2**40, 2**62, 3])] + dims[1:]
    elif choice == 1:
        dims = dims + [1]
    elif choice == 2:
        dims = dims[::-1]
    else:
        dims = []
    del tensor.dims[:]
    tensor.dims.extend(dims)


def initializer_data(model: Any, rng: random.Random, folder: Path) -> None:
    tensor = model.graph.initializer[rng.randrange(len(model.graph.initializer))]
    choice = rng.randrange(4)
    if choice == 0 and tensor.raw_data:
        tensor.raw_data = tensor.raw_data[:rng.randrange(len(tensor.raw_data))]
    elif choice == 1:
        tensor.data_type = rng.choice([0, 2, 5, 8, 9, 10, 11, 14, 16, 17, 23, 999])
    elif choice == 2:
        tensor.float_data.extend([1.0, 2.0])
    else:
        tensor.raw_data = random_bytes(rng, rng.choice((0, 3, 64)))


def external_data(model: Any, rng: random.Random, folder: Path) -> None:
    from onnx import TensorProto

    tensor = model.graph.initializer[rng.randrange(len(model.graph.initializer))]
    size = len(tensor.raw_data)
    location = rng.choice(["../../etc/passwd", "/etc/passwd", "weights.bin", "weights.bin", "", "model.onnx", "sub",
                           "gone.bin", "sub/../weights.bin", "é.bin"])
    if location in ("weights.bin", "sub/../weights.bin", "é.bin"):
        (folder / location.rsplit("/", 1)[-1]).write_bytes(random_bytes(rng, rng.choice((0, size, 4 * size))))
    if location == "sub":
        (folder / "sub").mkdir()
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    entries = {"location": location}
    if rng.random() < 0.5:
        entries["offset"] = str(rng.choice([0, 1, -1, 2**40, size]))
    if rng.random() < 0.5:
        entries["length"] = str(rng.choice([0, size, size + 1, 2**40, -5]))
    if rng.random() < 0.1:
        entries["offset"] = "x"
    for key, value in entries.items():
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value


def inputs(model: Any, rng: random.Random, folder: Path) -> None:
    graph = model.graph
    value = graph.input[rng.randrange(len(graph.input))]
    choice = rng.randrange(5)
    tensor_type = value.type.tensor_type
    if choice == 0:
        tensor_type.elem_type = rng.choice([0, 9, 10, 11, 6, 7, 8, 16, 99])
    elif choice == 1 and tensor_type.shape.dim:
        dim = tensor_type.shape.dim[rng.randrange(len(tensor_type.shape.dim))]
        if rng.random() < 0.8:
            dim.dim_value = rng.choice([0, -1, 10**9, 2**40, 100_000, 1])
        else:
            dim.dim_param = "free"
    elif choice == 2:
        tensor_type.ClearField("shape")
    elif choice == 3:
        del graph.input[:]
    else:
        extra = graph.input.add()
        extra.CopyFrom(value)
        extra.name = rng.choice([value.name, "extra", ""])


def outputs(model: Any, rng: random.Random, folder: Path) -> None:
    graph = model.graph
    choice = rng.randrange(4)
    if choice == 0:
        del graph.output[:]
    elif choice == 1:
        graph.output[0].name = rng.choice(["ghost", *_values(model)])
    elif choice == 2:
        graph.output.add().CopyFrom(graph.output[0])
    else:
        graph.output[0].type.tensor_type.elem_type = rng.choice([0, 7, 11, 99])


def opset(model: Any, rng: random.Random, folder: Path) -> None:
    choice = rng.randrange(3)
    if choice == 0:
        model.opset_import[0].version = rng.choice([0, 1, 6, 7, 99, 99_999, -1])
    elif choice == 1:
        model.opset_import[0].domain = rng.choice(["com.evil", "ai.onnx.ml"])
    else:
        model.ir_version = rng.choice([0, 1, 3, 99, 2**62])


def metadata(model: Any, rng: random.Random, folder: Path) -> None:
    names = [v.name for v in model.graph.input]
    text = rng.choice([
        "[]", "null", "7", "nan", "{", "[" * 10_000 + "]" * 10_000, json.dumps({n: [10**30] for n in names}),
        json.dumps({n: [-1, 0] for n in names}), json.dumps({n: [100_000, 100_000, 100_000] for n in names}),
        json.dumps({n: "x" for n in names}), json.dumps({n: [True, 2.5] for n in names}), json.dumps({n: [2**40] for n in names}),
    ])
    for prop in model.metadata_props:
        if prop.key == "netdesigner.input_shapes":
            prop.value = text
            break
    else:
        entry = model.metadata_props.add()
        entry.key, entry.value = "netdesigner.input_shapes", text
    if rng.random() < 0.5:  # the shapes are used only where the file leaves an axis free
        for value in model.graph.input:
            for dim in list(value.type.tensor_type.shape.dim)[1:]:
                dim.dim_param = "free"


def recursive_function(model: Any, rng: random.Random, folder: Path) -> None:
    from onnx import helper

    node = _node(model, rng)
    call = helper.make_node("Loop1", list(node.input[:1]), list(node.output[:1]), domain="local")
    body = helper.make_node("Loop1", ["x"], ["y"], domain="local") if rng.random() < 0.7 else helper.make_node("Relu", ["x"], ["y"])
    function = helper.make_function("local", "Loop1", ["x"], ["y"], [body],
                                    [helper.make_opsetid("", 18), helper.make_opsetid("local", 1)])
    model.functions.append(function)
    model.opset_import.append(helper.make_opsetid("local", 1))
    node.CopyFrom(call)


_MUTATORS = {
    "op type": op_type, "node domain": node_domain, "drop node": drop_node, "duplicate node": duplicate_node,
    "node inputs": node_inputs, "node outputs": node_outputs, "attributes": attributes,
    "initializer dims": initializer_dims, "initializer data": initializer_data, "external data": external_data,
    "inputs": inputs, "outputs": outputs, "opset": opset, "metadata": metadata, "recursive function": recursive_function,
}
