"""Copy and paste as text: the fragment keeps layers and the wires among them, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netdesigner.core.errors import ProjectError
from netdesigner.core.fragment import copy_fragment, paste_edit, read_fragment
from netdesigner.core.project import Project
from netdesigner.core.project_format import graph_to_json

RESNET = Project.load(Path(__file__).resolve().parents[2] / "projects" / "resnet18.ndproj").graph


@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(RESNET.node_ids()), min_size=1, max_size=20))
def test_paste_then_undo_restores_the_graph_and_keeps_inner_wires(chosen: set[str]) -> None:
    graph = RESNET
    before = graph_to_json(graph)
    piece = read_fragment(copy_fragment(graph, sorted(chosen)))
    inner = [e for e in graph.edges() if e.src in chosen and e.dst in chosen]
    assert len(piece) == len(chosen) and len(piece.edges()) == len(inner)
    edit, ids = paste_edit(graph, piece)
    inverse = graph.apply(edit)
    try:
        assert len(graph) == len(before["nodes"]) + len(chosen)
        pasted = [graph.node(i) for i in ids]
        originals = [n for n in graph.nodes() if n.id in chosen]
        assert [(n.type, n.params) for n in pasted] == [(n.type, n.params) for n in originals]
        assert all(p.position == (o.position[0] + 30, o.position[1] + 30) for p, o in zip(pasted, originals, strict=True))
        assert len({n.name for n in graph.nodes()}) == len(graph)
    finally:
        graph.apply(inverse)
    assert graph_to_json(graph) == before


@pytest.mark.parametrize("text", ["", "[]", '{"format": "netdesigner-project"}', '{"format": "netdesigner-fragment", "graph": {"nodes": [{"name": "x", "type": "Nope"}], "edges": []}}'])
def test_text_that_is_not_a_fragment_is_refused(text: str) -> None:
    with pytest.raises(ProjectError):
        read_fragment(text)
