"""Recurrent layers survive the trip through ONNX: a graph with an LSTM or GRU (sequence or
last step, one way or both) exported by torch imports as the same layer, computing the same,
with the exporter's transposes and zero states absorbed; a hand-written stack (num_layers > 1)
imports as one layer per level. A plain ``nn.RNN`` comes as an RNN op from torch's older
(TorchScript) exporter and other tools; torch's default exporter writes it out step by step,
which is refused with a hint, and import-torch falls back to the older exporter for it."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
import torch

from netdesigner.core.compiler import compile_graph
from netdesigner.core.graph import Graph
from netdesigner.importer.imported import ImportFailed
from netdesigner.importer.onnx_import import import_onnx
from netdesigner.importer.torch_import import import_module

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)


def _graph(kind: str, **params) -> Graph:
    g = Graph()
    x = g.input((7, 5), name="steps")
    h = g.add(kind, x, name="rec", hidden_size=6, **params)
    if params.get("output") == "sequence":
        h = g.add("Flatten", h, name="flat")
    g.output(g.add("Linear", h, name="head", out_features=3), "cross_entropy", name="scores")
    return g


CASES = [("LSTM", {"output": "last"}), ("LSTM", {"output": "sequence"}), ("LSTM", {"output": "last", "bidirectional": True}),
         ("GRU", {"output": "sequence", "bidirectional": True}), ("GRU", {"output": "last"}),
         ("LSTM", {"output": "sequence", "bias": False})]


@pytest.mark.parametrize(("kind", "params"), CASES, ids=[f"{k}-{'-'.join(map(str, p.values()))}" for k, p in CASES])
def test_a_recurrent_layer_comes_back_as_itself(tmp_path: Path, kind: str, params: dict) -> None:
    graph = _graph(kind, **params)
    module = compile_graph(graph).eval()
    torch.manual_seed(0)
    for p in module.parameters():
        p.data.uniform_(-0.5, 0.5)
    path = tmp_path / "rec.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(2, 7, 5),), dynamo=True, external_data=False, optimize=False,
                          dynamic_shapes=({0: "batch"},), verbose=False, input_names=["steps"]).save(str(path))
    imported = import_onnx(path)  # the import itself checks the outputs against onnxruntime
    types = [(n.type, {k: n.params[k] for k in params if k in n.params}) for n in imported.graph.nodes()]
    assert types[1] == (kind, params)
    assert [t for t, _ in types] == [n.type for n in graph.nodes()]
    rebuilt = compile_graph(imported.graph)
    rebuilt.load_state_dict(imported.weights)
    x = torch.randn(4, 7, 5)
    torch.testing.assert_close(rebuilt.eval()(x), module(x), rtol=1e-5, atol=1e-5)


class _Stack(torch.nn.Module):
    """A hand-written stack, as people write it: torch's num_layers, y[:, -1] or the sequence."""

    def __init__(self, kind: str, layers: int, last: bool, bidirectional: bool = False, **options) -> None:
        super().__init__()
        self.rec = getattr(torch.nn, kind)(5, 6, num_layers=layers, batch_first=True, bidirectional=bidirectional, **options)
        self.head = torch.nn.Linear(6 * (2 if bidirectional else 1), 3)
        self.last = last

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rec(x)
        return self.head(y[:, -1] if self.last else y)


STACKS = [("LSTM", 2, True, False), ("GRU", 3, True, False), ("LSTM", 2, False, True), ("GRU", 2, False, False)]


@pytest.mark.parametrize(("kind", "layers", "last", "bidirectional"), STACKS,
                         ids=[f"{k}x{n}-{'last' if last else 'sequence'}{'-both' if b else ''}" for k, n, last, b in STACKS])
def test_a_foreign_stack_of_recurrent_layers_imports_as_one_layer_per_level(tmp_path: Path, kind: str, layers: int,
                                                                            last: bool, bidirectional: bool) -> None:
    """torch exports num_layers > 1 as one op per layer with slicing glue between them; each
    becomes its own layer, and y[:, -1] of a one-way stack becomes the top layer's last output."""
    torch.manual_seed(0)
    module = _Stack(kind, layers, last, bidirectional).eval()
    path = tmp_path / "stack.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(2, 7, 5),), dynamo=True, external_data=False,
                          dynamic_shapes=({0: "batch"},), verbose=False, input_names=["x"]).save(str(path))
    imported = import_onnx(path)  # the import itself checks the outputs against onnxruntime
    recurrent = [n for n in imported.graph.nodes() if n.type == kind]
    assert len(recurrent) == layers
    assert [n.params["output"] for n in recurrent] == ["sequence"] * (layers - 1) + ["last" if last else "sequence"]
    assert all(n.params["bidirectional"] == bidirectional and n.params["num_layers"] == 1 for n in recurrent)
    rebuilt = compile_graph(imported.graph)
    rebuilt.load_state_dict(imported.weights)
    x = torch.randn(4, 7, 5)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt.eval()(x), module(x), rtol=1e-5, atol=1e-5)


def _rebuilt_computes_the_same(imported, module: torch.nn.Module) -> None:
    rebuilt = compile_graph(imported.graph)
    rebuilt.load_state_dict(imported.weights)
    x = torch.randn(4, 7, 5)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt.eval()(x), module(x), rtol=1e-5, atol=1e-5)


OLD_EXPORTER = [("RNN", 1, True, False, {}), ("RNN", 2, True, False, {"nonlinearity": "relu"}),
                ("RNN", 1, False, True, {}), ("LSTM", 2, True, False, {}), ("GRU", 1, False, True, {})]


@pytest.mark.parametrize(("kind", "layers", "last", "bidirectional", "options"), OLD_EXPORTER,
                         ids=[f"{k}x{n}-{'last' if last else 'sequence'}{'-both' if b else ''}{'-' + '-'.join(o.values()) if o else ''}"
                              for k, n, last, b, o in OLD_EXPORTER])
def test_recurrent_ops_of_the_older_exporter_import_as_layers(tmp_path: Path, kind: str, layers: int, last: bool,
                                                               bidirectional: bool, options: dict) -> None:
    """The TorchScript exporter (and other tools) write RNN, LSTM and GRU ops with string
    activations, Constant nodes for y[:, -1]'s index and MatMul + Add for a Linear on a sequence."""
    torch.manual_seed(0)
    module = _Stack(kind, layers, last, bidirectional, **options).eval()
    path = tmp_path / "old.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(2, 7, 5),), str(path), dynamo=False, input_names=["x"],
                          dynamic_axes={"x": {0: "batch"}}, opset_version=17)
    imported = import_onnx(path)
    recurrent = [n for n in imported.graph.nodes() if n.type == kind]
    assert len(recurrent) == layers
    assert recurrent[-1].params["output"] == ("last" if last else "sequence")
    if kind == "RNN":
        assert {n.params["nonlinearity"] for n in recurrent} == {options.get("nonlinearity", "tanh")}
    _rebuilt_computes_the_same(imported, module)


def test_an_rnn_written_out_step_by_step_is_refused_with_a_way_out(tmp_path: Path) -> None:
    module = _Stack("RNN", 1, True).eval()
    path = tmp_path / "unrolled.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(2, 7, 5),), dynamo=True, external_data=False,
                          dynamic_shapes=({0: "batch"},), verbose=False, input_names=["x"]).save(str(path))
    with pytest.raises(ImportFailed, match=r"One weight is multiplied at 7 places.*dynamo=False"):
        import_onnx(path)


def test_import_torch_brings_a_plain_rnn_in_as_a_layer() -> None:
    torch.manual_seed(0)
    module = _Stack("RNN", 2, True)
    imported = import_module(module, [(7, 5)], "Stack")
    assert [n.type for n in imported.graph.nodes()] == ["Input", "RNN", "RNN", "Linear", "Output"]
    _rebuilt_computes_the_same(imported, module.eval())
