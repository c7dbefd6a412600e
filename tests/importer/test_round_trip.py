"""Design → ONNX → import gives the same graph: the same layer types with the same settings,
wired the same way (names aside), computing the same (the import checks that against
onnxruntime), for every example project but the VAE."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import networkx as nx
import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.importer.onnx_import import import_onnx
from netdesigner.importer.onnx_tidy import tidy

logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)
PROJECTS = Path(__file__).resolve().parents[2] / "projects"
# The VAE's Reparameterize is the identity in eval mode and its log-variance branch is dead
# there, so the file holds no trace of either: it imports as the encoder's mean and the decoder.
EXAMPLES = ["spirals_mlp", "sine_mlp", "digits_cnn", "lstm_sequence", "lenet5", "resnet18"]


def _labelled(graph) -> nx.MultiDiGraph:
    labelled = nx.MultiDiGraph()
    for node in graph.nodes():
        params = {} if node.type == "Output" else dict(node.params)
        labelled.add_node(node.id, label=(node.type, sorted((k, repr(v)) for k, v in params.items())))
    for edge in graph.edges():
        labelled.add_edge(edge.src, edge.dst, ports=(edge.src_port, edge.dst_port))
    return labelled


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_comes_back_as_the_same_graph(tmp_path: Path, name: str) -> None:
    project = Project.load(PROJECTS / f"{name}.ndproj")
    module = project.compile().eval()
    inputs = [n for n in project.graph.nodes() if n.type == "Input"]
    sample = tuple(torch.randn(2, *n.params["shape"]) for n in inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(module, sample, dynamo=True, external_data=False, optimize=False, verbose=False,
                                    dynamic_shapes=tuple({0: "batch"} for _ in sample),
                                    input_names=[n.name for n in inputs])
    path = tmp_path / f"{name}.onnx"
    import onnx

    onnx.save(tidy(program.model_proto), str(path))
    imported = import_onnx(path)
    assert nx.is_isomorphic(_labelled(project.graph), _labelled(imported.graph),
                            node_match=lambda a, b: a["label"] == b["label"],
                            edge_match=lambda a, b: sorted(e["ports"] for e in a.values()) == sorted(e["ports"] for e in b.values()))
    state = module.state_dict()
    for key, value in imported.weights.items():  # the weights too, wherever the names survived
        if key in state:
            torch.testing.assert_close(value, state[key])
