"""Histograms of every layer over time: bins that grow without losing a count, rows that sum
to the values recorded, weights and outputs per layer, gradient norms from the trainer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from catalog_examples import BATCH, LAYERS, TOKENS, graph_for

from netdesigner.analysis.activations import Histograms, LayerHistory
from netdesigner.core.compiler import compile_graph, compiled_info
from netdesigner.core.graph import Graph
from netdesigner.core.project import TrainingSettings
from netdesigner.core.shapes import infer_shapes
from netdesigner.data.splits import DataInfo, Split, Splits, Task


def _reference(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """What each row must hold on the final edges: a plain histogram, half-open bins."""
    finite = values[np.isfinite(values)].astype(np.float64)
    index = np.floor((finite - edges[0]) / (edges[1] - edges[0]) + 1e-9).astype(int)
    return np.bincount(index, minlength=len(edges) - 1)


def test_the_bins_grow_and_coarsen_without_losing_a_count() -> None:
    rng = np.random.default_rng(0)
    records = [rng.normal(0.3, 0.1, 1000), rng.normal(0.3, 0.5, 1000),  # wider: whole bins added
               rng.normal(-5.0, 3.0, 700),  # much wider: the step doubles, old rows merge
               np.array([np.nan, np.inf, 0.25, -np.inf]),  # non-finite values counted apart
               rng.normal(0.0, 1e6, 500)]  # far off: many doublings, no integer overflow
    h = Histograms(bins=20, max_bins=80)
    steps = []
    for epoch, values in enumerate(records, start=1):
        h.add(epoch, values)
        steps.append(h.step)
        assert h.counts.shape == (epoch, len(h.edges) - 1) and h.counts.shape[1] <= 80
    assert steps[0] == 0.05 and np.ptp(records[0]) / 20 > 0.025  # 0.5 to 1 wide / 20 bins, rounded up to 1, 2, 2.5 or 5 × 10ⁿ
    assert steps[1] == steps[0] and steps[2] > steps[1] and steps[4] > 1e4 * steps[2]
    assert h.epochs == [1, 2, 3, 4, 5] and h.nonfinite == [0, 0, 0, 3, 0]
    assert h.counts.sum(axis=1).tolist() == [1000, 1000, 700, 1, 500]
    edges = h.edges
    assert np.isclose(edges / h.step, np.round(edges / h.step)).all() and np.isclose(edges, 0.0).any()  # anchored at 0
    for row, values in zip(h.counts, records, strict=True):
        np.testing.assert_array_equal(row, _reference(values, edges))


def test_merging_keeps_each_value_in_its_bin_when_the_grid_starts_at_an_odd_bin() -> None:
    h = Histograms(bins=4, max_bins=8)
    first = np.array([0.12, 0.25, 0.31, 0.38])
    h.add(1, first)  # step 0.1, lowest edge 0.1: bin 1 of the grid
    assert (h.step, h.first) == (0.1, 1)
    h.add(2, np.array([1.55]))  # 15 bins needed: the step doubles once
    assert h.step == 0.2 and h.edges[0] == 0.0
    np.testing.assert_array_equal(h.counts[0], _reference(first, h.edges))


def test_an_empty_or_constant_first_record_still_gets_bins() -> None:
    h = Histograms(bins=10)
    h.add(0, np.array([np.nan]))
    assert h.step is None and h.counts.shape == (1, 0) and len(h.edges) == 0
    h.add(1, np.full(7, 1.0))  # a fresh BatchNorm weight: one value
    h.add(2, np.zeros((2, 3)))
    assert h.step == 0.1 and h.counts.sum(axis=1).tolist() == [0, 7, 6]
    zero = int(np.flatnonzero(np.isclose(h.edges, 0.0))[0])
    assert h.counts[2, zero] == 6  # zeros land in the bin [0, step)


def _mlp() -> tuple[Graph, torch.nn.Module]:
    g = Graph()
    fc = g.add("Linear", g.input((3,), name="x"), out_features=5, name="fc")
    norm = g.add("BatchNorm1d", fc, name="norm")
    relu = g.add("ReLU", norm, name="relu")
    out = g.add("Linear", relu, out_features=2, name="head")
    g.output(out, loss="cross_entropy")
    module = compile_graph(g)
    names = compiled_info(module).names
    assert [names[p.node_id] for p in (fc, norm, relu, out)] == ["fc", "norm", "relu", "head"]
    return g, module


def test_each_record_adds_a_row_per_layer_and_per_parameter() -> None:
    _, module = _mlp()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    history = LayerHistory(bins=16)
    x = torch.randn(11, 3)
    for epoch in range(3):
        state = {k: v * (1 + epoch) for k, v in before.items()}  # weights that grow as training goes
        history.record(epoch, module, state, x, {"fc": 0.5 + epoch, "head": 2.0})
    assert list(history.outputs) == ["fc", "norm", "relu", "head"]
    # parameters only: a BatchNorm's running statistics are not weights
    assert sorted(history.weights) == ["fc.bias", "fc.weight", "head.bias", "head.weight", "norm.bias", "norm.weight"]
    for name, per_sample in (("fc", 5), ("norm", 5), ("relu", 5), ("head", 2)):
        h = history.outputs[name]
        assert h.epochs == [0, 1, 2] and h.counts.shape[0] == 3
        assert (h.counts.sum(axis=1) == 11 * per_sample).all()
    for key in history.weights:
        assert (history.weights[key].counts.sum(axis=1) == before[key].numel()).all()
    # the weights of epoch 2 are three times those of epoch 0: the same histogram, three times wider
    w = history.weights["fc.weight"]
    top = w.edges[1:][[np.flatnonzero(row).max() for row in w.counts]]  # upper edge of the highest bin in use
    assert top[2] == pytest.approx(3 * before["fc.weight"].max().item(), rel=0.1)
    assert all(not m._forward_hooks for m in module.modules())  # the caller's module is left alone
    for k, v in module.state_dict().items():
        assert torch.equal(v, before[k])

    epochs, names, norms = history.grad_norm_table()
    assert epochs.tolist() == [0, 1, 2] and names == ["fc", "head"]
    np.testing.assert_array_equal(norms, [[0.5, 2.0], [1.5, 2.0], [2.5, 2.0]])
    history.add_grad_norms(5, {"relu": 1.0})  # a layer seen later: NaN before it appears
    epochs, names, norms = history.grad_norm_table()
    assert epochs.tolist() == [0, 1, 2, 5] and names == ["fc", "head", "relu"]
    assert np.isnan(norms[:3, 2]).all() and np.isnan(norms[3, :2]).all() and norms[3, 2] == 1.0


def test_a_dead_relu_shows_as_a_spike_at_zero() -> None:
    _, module = _mlp()
    state = {k: v.clone() for k, v in module.state_dict().items()}
    state["fc.weight"] = torch.zeros(5, 3)
    state["fc.bias"] = torch.tensor([-1.0, -2.0, 0.5, 3.0, 1.0])
    history = LayerHistory(names=["relu"])
    history.record(1, module, state, torch.randn(20, 3))
    h = history.outputs["relu"]
    assert list(history.outputs) == ["relu"]
    zero = int(np.flatnonzero(np.isclose(h.edges, 0.0))[0])
    assert h.counts[0, zero] == 40  # two units of twenty samples at exactly zero


def test_following_a_training_run_records_every_epoch() -> None:
    from netdesigner.train.trainer import Trainer

    g, module = _mlp()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(96, 3, generator=generator)
    y = (x[:, 0] > 0).long()
    splits = Splits(Split(x[:64], y[:64]), Split(x[64:80], y[64:80]), Split(x[80:], y[80:]),
                    DataInfo("toy", Task.CLASSIFICATION, (3,), num_classes=2))
    settings = replace(TrainingSettings(), device="cpu", epochs=3, batch_size=16, learning_rate=0.05)
    trainer = Trainer(module, splits, settings, graph=g)
    history = LayerHistory(bins=8)
    history.follow(trainer, splits.val.x)
    assert trainer.run().ok
    assert history.outputs["relu"].epochs == [1, 2, 3]
    assert (history.outputs["relu"].counts.sum(axis=1) == 16 * 5).all()
    assert history.weights["head.weight"].counts.shape[0] == 3
    epochs, names, norms = history.grad_norm_table()
    assert epochs.tolist() == [1, 2, 3] and names == ["fc", "norm", "head"]  # the ReLU has no parameters
    assert np.isfinite(norms).all() and (norms > 0).all()
    assert norms[2].tolist() == pytest.approx([trainer.history[2].grad_norms[n] for n in names])


@pytest.mark.parametrize("type_name", LAYERS)
def test_every_layer_type_is_binned_whole(type_name: str) -> None:
    """Each row holds every value the layer gave out: batch × the shape inference says (the
    first output of a layer with several), whatever the layer returns."""
    g, _ = graph_for(type_name)
    report = infer_shapes(g)
    module = compile_graph(g, report=report)
    node = next(n for n in g.nodes() if n.type == type_name)
    name = compiled_info(module).names[node.id]
    x = [torch.randint(0, TOKENS, (BATCH, *n.params["shape"])) if n.params["dtype"] == "int64"
         else torch.randn(BATCH, *n.params["shape"]) for n in g.nodes() if n.type == "Input"]
    history = LayerHistory(names=[name])
    history.record(1, module, module.state_dict(), x)
    size = BATCH * int(np.prod(report.nodes[node.id].outputs[0].shape))
    assert history.outputs[name].counts.sum() == size, type_name
    assert set(history.weights) == {k for k, _ in module.named_parameters()}


def test_an_unknown_layer_is_named_with_the_known_ones() -> None:
    _, module = _mlp()
    with pytest.raises(KeyError, match="no layer named nope; the layers are: fc, norm, relu, head"):
        LayerHistory(names=["nope"]).record(0, module, module.state_dict(), torch.randn(2, 3))


def test_the_heat_map_has_a_column_per_epoch_showing_the_latest_record() -> None:
    h = Histograms(bins=4)
    h.add(0, np.array([0.0, 0.0, 0.0, 1.0]))
    h.add(3, np.array([2.0, 2.0]))  # epochs 1 and 2 were not recorded
    picture, epochs = h.heat_map()
    assert epochs.tolist() == [0, 1, 2, 3]
    assert picture.shape == (h.counts.shape[1], 4)  # bins up, epochs across
    np.testing.assert_array_equal(picture[:, 1], picture[:, 0])  # filled from epoch 0
    np.testing.assert_array_equal(picture[:, 2], picture[:, 0])
    assert picture.max(axis=0).tolist() == [1.0, 1.0, 1.0, 1.0]  # each column on its own scale
    zero = int(np.flatnonzero(np.isclose(h.edges, 0.0))[0])
    one = int(np.flatnonzero(np.isclose(h.edges, 1.0))[0])
    assert picture[zero, 0] == 1.0  # three zeros: the peak
    assert picture[one, 0] == pytest.approx(np.log1p(1) / np.log1p(3))  # one value, still visible
    assert picture[zero, 3] == 0.0


def test_an_empty_history_has_an_empty_heat_map() -> None:
    picture, epochs = Histograms().heat_map()
    assert picture.size == 0 and epochs.size == 0
