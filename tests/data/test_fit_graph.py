"""Fitting a graph to a data set: nothing for the examples' own data, the right edits otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netdesigner.core.gan import gan_parts
from netdesigner.core.graph import Graph
from netdesigner.core.project import Project
from netdesigner.core.shapes import infer_shapes
from netdesigner.data.fit_graph import Proposal, fit_edit, propose_fit
from netdesigner.data.registry import dataset_spec, load_dataset
from netdesigner.data.splits import DataInfo, Task

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def _info(name: str, options: dict | None = None) -> DataInfo:
    return load_dataset(name, options or {}).info


def _fits_after(graph: Graph, info: DataInfo) -> None:
    """Applies the proposals as one edit; then the graph fits and shapes infer without errors."""
    graph.apply(fit_edit(propose_fit(graph, info)))
    assert propose_fit(graph, info) == []
    assert infer_shapes(graph).errors() == {}


@pytest.mark.parametrize("project", sorted(PROJECTS.glob("*.ndproj")), ids=lambda p: p.stem)
def test_each_example_names_a_data_set_that_fits_its_graph(project):
    p = Project.load(project)
    if not p.data.dataset:
        assert p.name in ("LeNet-5", "ResNet-18")  # 32×32 and 224×224 inputs: no bundled set fits
        return
    splits = load_dataset(p.data.dataset, p.data.options, validation_fraction=p.data.validation_fraction)
    assert propose_fit(p.graph, splits.info) == []
    assert infer_shapes(p.graph).errors() == {}
    report = infer_shapes(p.graph)
    parts = gan_parts(p.graph, report)
    if parts is not None:  # a GAN makes samples of the data's shape and judges them with one logit
        assert report.output_of(p.graph.find(parts.sample).id).shape == splits.info.input_shape
        assert report.output_of(p.graph.find(parts.score).id).shape == (1,)
        return
    output = next(n for n in p.graph.nodes() if n.type == "Output")
    produced = report.output_of(output.id).shape
    if splits.info.task is Task.CLASSIFICATION:
        assert produced == (splits.info.num_classes,)
    elif splits.info.num_classes:  # class ids per time step (a language model): scores per class at each
        assert produced == (*splits.info.target_shape, splits.info.num_classes)
    else:
        assert produced == splits.info.target_shape


def test_a_gan_is_fitted_by_its_discriminator_input_and_its_generator_output():
    graph = Project.load(PROJECTS / "gan_ring.ndproj").graph
    proposals = propose_fit(graph, _info("digits", {"layout": "flat"}))
    assert {(graph.node(p.node_id).name, p.param, p.new) for p in proposals} == {("point", "shape", (64,)),
                                                                                  ("g_fc3", "out_features", 64)}
    _fits_after(graph, _info("digits", {"layout": "flat"}))


def test_the_spirals_mlp_fitted_to_iris():
    graph = Project.load(PROJECTS / "spirals_mlp.ndproj").graph
    proposals = propose_fit(graph, _info("iris"))
    assert proposals == [
        Proposal("n1", "shape", (2,), (4,), "iris gives samples of shape (4); point expects (2)"),
        Proposal("n6", "out_features", 2, 3, "iris has 3 classes, so fc3, which feeds logits, needs 3 outputs"),
    ]
    inverse = graph.apply(fit_edit(proposals))
    assert graph.node("n1").params["shape"] == (4,) and graph.node("n6").params["out_features"] == 3
    assert infer_shapes(graph).errors() == {}
    graph.apply(inverse)  # one undo step takes both back
    assert graph.node("n1").params["shape"] == (2,) and graph.node("n6").params["out_features"] == 2


def test_the_spirals_mlp_fitted_to_more_arms_changes_only_the_last_layer():
    graph = Project.load(PROJECTS / "spirals_mlp.ndproj").graph
    proposals = propose_fit(graph, _info("spirals", {"classes": 5}))
    assert [(p.node_id, p.param, p.new) for p in proposals] == [("n6", "out_features", 5)]
    _fits_after(graph, _info("spirals", {"classes": 5}))


def test_the_spirals_mlp_fitted_to_a_regression_set():
    graph = Project.load(PROJECTS / "spirals_mlp.ndproj").graph
    graph.set_param("n7", "loss", "mse")
    info = _info("function")
    assert {(p.param, p.new) for p in propose_fit(graph, info)} == {("shape", (1,)), ("out_features", 1)}
    _fits_after(graph, info)


def test_the_digits_cnn_fitted_to_an_image_folder(tmp_path):
    for k, name in enumerate(("a", "b", "c")):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.fromarray(np.full((5, 5), 60 * k + i, dtype=np.uint8)).save(tmp_path / name / f"{i}.png")
    info = _info("image_folder", {"path": str(tmp_path), "size": [16, 16], "grayscale": True})
    graph = Project.load(PROJECTS / "digits_cnn.ndproj").graph
    assert {(p.node_id, p.param, p.new) for p in propose_fit(graph, info)} == {
        ("n1", "shape", (1, 16, 16)), ("n10", "out_features", 3),
    }
    _fits_after(graph, info)


def test_token_ids_change_the_input_dtype():
    g = Graph()
    x = g.input((8,), name="bits")
    h = g.add("Embedding", x, num_embeddings=2, embedding_dim=4)
    h = g.add("Flatten", h)
    g.output(g.add("Linear", h, out_features=7, name="head"))
    info = _info("parity", {"encoding": "tokens"})
    proposals = propose_fit(g, info)
    assert [(p.param, p.old, p.new) for p in proposals] == [("dtype", "float32", "int64"), ("out_features", 7, 2)]
    _fits_after(g, info)


def test_outputs_not_fed_by_a_linear_and_several_inputs_are_left_alone():
    graph = Project.load(PROJECTS / "vae.ndproj").graph
    proposals = propose_fit(graph, _info("digits", {"layout": "flat", "target": "input"}))
    assert [(p.node_id, p.param, p.new) for p in proposals] == [("n1", "shape", (64,))]
    g = Graph()
    a, b = g.input((3,), name="a"), g.input((3,), name="b")
    g.output(g.add("Linear", g.add("Add", a, b), out_features=4))
    assert [p.param for p in propose_fit(g, _info("blobs"))] == ["out_features"]


def test_a_fitting_graph_gives_an_empty_edit():
    graph = Project.load(PROJECTS / "lstm_sequence.ndproj").graph
    assert propose_fit(graph, _info("digits", {"layout": "sequence"})) == []
    assert fit_edit([]).edits == ()


def test_proposals_are_values_a_dialog_can_show():
    spec = dataset_spec("moons")
    info = load_dataset(spec.name, {}).info
    g = Graph()
    g.output(g.add("Linear", g.input((3,)), out_features=9))
    for p in propose_fit(g, info):
        assert p.reason and p.old != p.new
