"""Design → File > Export (ONNX) → import gives the same graph: the same layer types with the
same settings, wired the same way (names aside), computing the same (the import checks that
against onnxruntime), for every example project but the VAE."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.export.onnx_export import export_onnx
from netdesigner.importer.onnx_import import import_onnx

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
    path = tmp_path / f"{name}.onnx"
    module = project.compile()
    report = export_onnx(project, path, labels=[], module=module)
    assert report.ok, report.text()
    imported = import_onnx(path)
    assert nx.is_isomorphic(_labelled(project.graph), _labelled(imported.graph),
                            node_match=lambda a, b: a["label"] == b["label"],
                            edge_match=lambda a, b: sorted(e["ports"] for e in a.values()) == sorted(e["ports"] for e in b.values()))
    state = module.state_dict()
    for key, value in imported.weights.items():  # the weights too, wherever the names survived
        if key in state:
            torch.testing.assert_close(value, state[key])
