"""Design → File > Export (ONNX) → import gives the same graph, for every example project.

Two ways back, both checked against onnxruntime on the file by the import itself:
- the design the file carries (``importer.own_design``): exactly the project as drawn — names,
  settings, positions, losses — with every weight, a VAE's dead-in-eval-mode branch included;
- the file's ops alone (as for a file another program wrote): the same layer types with the
  same settings wired the same way (names aside), for every example whose computation in eval
  mode is its whole design (not the VAE: its sampling step is the identity there and its
  log-variance layer unused, so the ops hold no trace of either).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import torch

from netdesigner.core.project import Project
from netdesigner.core.project_format import graph_to_json
from netdesigner.export.onnx_export import export_onnx
from netdesigner.importer.onnx_import import import_onnx

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
EVERY_EXAMPLE = sorted(p.stem for p in PROJECTS.glob("*.ndproj"))
FROM_OPS = [name for name in EVERY_EXAMPLE if name != "vae"]


def _labelled(graph) -> nx.MultiDiGraph:
    labelled = nx.MultiDiGraph()
    for node in graph.nodes():
        params = {} if node.type == "Output" else dict(node.params)
        labelled.add_node(node.id, label=(node.type, sorted((k, repr(v)) for k, v in params.items())))
    for edge in graph.edges():
        labelled.add_edge(edge.src, edge.dst, ports=(edge.src_port, edge.dst_port))
    return labelled


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[Project, Path, dict]]:
    folder = tmp_path_factory.mktemp("round_trip")
    found = {}
    for name in EVERY_EXAMPLE:
        project = Project.load(PROJECTS / f"{name}.ndproj")
        module = project.compile()
        report = export_onnx(project, folder / f"{name}.onnx", labels=[], module=module)
        assert report.ok, report.text()
        found[name] = (project, folder / f"{name}.onnx", module.state_dict())
    return found


@pytest.mark.parametrize("name", EVERY_EXAMPLE)
def test_an_example_comes_back_exactly_as_drawn(exported, name: str) -> None:
    project, path, state = exported[name]
    imported = import_onnx(path)
    assert "restored as drawn" in " ".join(imported.notes)
    assert graph_to_json(imported.graph) == graph_to_json(project.graph)
    weights = {k: v for k, v in state.items() if v.is_floating_point()}
    assert set(imported.weights) == set(weights)
    for key, value in weights.items():
        torch.testing.assert_close(imported.weights[key], value, rtol=0, atol=0)


@pytest.mark.parametrize("name", FROM_OPS)
def test_an_example_read_from_its_ops_is_the_same_graph(exported, name: str) -> None:
    project, path, state = exported[name]
    imported = import_onnx(path, own_design=False)
    assert not any("restored as drawn" in n for n in imported.notes)
    assert nx.is_isomorphic(_labelled(project.graph), _labelled(imported.graph),
                            node_match=lambda a, b: a["label"] == b["label"],
                            edge_match=lambda a, b: sorted(e["ports"] for e in a.values()) == sorted(e["ports"] for e in b.values()))
    for key, value in imported.weights.items():  # the weights too, wherever the names survived
        if key in state:
            torch.testing.assert_close(value, state[key])


def test_a_stored_design_that_does_not_match_the_ops_is_not_used(exported, tmp_path: Path) -> None:
    import onnx

    _, path, _ = exported["spirals_mlp"]
    model = onnx.load(str(path))
    other = graph_to_json(Project.load(PROJECTS / "sine_mlp.ndproj").graph)  # another network's design
    import json

    for p in model.metadata_props:
        if p.key == "netdesigner.graph":
            p.value = json.dumps(other)
    tampered = tmp_path / "tampered.onnx"
    tampered.write_bytes(model.SerializeToString())
    imported = import_onnx(tampered)
    assert any("was not used" in n for n in imported.notes)
    assert _labelled(imported.graph).number_of_nodes() == len(exported["spirals_mlp"][0].graph)
