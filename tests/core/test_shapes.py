"""Shape inference agrees with torch itself, counts what the textbook counts, reruns only what
an edit touched, and explains failures in the person's terms."""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from netdesigner.core.compiler import compile_graph
from netdesigner.core.edits import Connect
from netdesigner.core.events import Edge
from netdesigner.core.graph import Graph, OutputRef
from netdesigner.core.layer_type import TensorInfo
from netdesigner.core.shapes import ShapeInference, infer_shapes
from netdesigner.core.validation import errors, validate


# ---- against real forward passes ----------------------------------------------------------
def cnn() -> Graph:
    g = Graph()
    x = g.input((3, 16, 12))
    h = g.add("Conv2d", x, out_channels=6, kernel_size=(3, 5), padding=1)
    h = g.add("BatchNorm2d", g.add("ReLU", h))
    h = g.add("MaxPool2d", h, kernel_size=2)
    h = g.add("Conv2d", h, out_channels=4, kernel_size=3, stride=2, dilation=1)
    h = g.add("ConvTranspose2d", h, out_channels=2, kernel_size=3, stride=2, output_padding=1)
    g.output(g.add("Linear", g.add("Flatten", h), out_features=5))
    return g


def sequence_model() -> Graph:
    g = Graph()
    tokens = g.input((7,), "int64")
    h = g.add("Embedding", tokens, num_embeddings=20, embedding_dim=8)
    h = g.add("TransformerEncoderLayer", h, nhead=2, dim_feedforward=16)
    h = g.add("GRU", h, hidden_size=5, bidirectional=True)
    h = g.add("Conv1d", g.add("Permute", h, dims=(1, 0)), out_channels=3, kernel_size=2)
    a, b, _ = g.add("Split", h, chunks=3, dim=0)
    g.output(g.add("Concat", g.add("Upsample", a, mode="linear"), g.add("Upsample", b), dim=0), loss="mse")
    g.output(g.add("LSTM", g.add("Reshape", h, shape=(-1, 2)), hidden_size=4, output="last"), loss="mse")
    return g


def residual() -> Graph:
    g = Graph()
    x = g.input((4, 8, 8))
    h = g.add("Conv2d", x, out_channels=4, kernel_size=3, padding="same")
    h = g.add("GroupNorm", h, num_groups=2)
    h = g.add("Add", h, x)
    h = g.add("AdaptiveAvgPool2d", h, output_size=(2, 3))
    g.output(g.add("LayerNorm", h, axes=2))
    return g


def _real_shapes(g: Graph) -> dict[str, list[tuple[int, ...]]]:
    """Each node's real output shapes (without the batch axis) from a forward pass of batch 2."""
    module = compile_graph(g).eval()
    found: dict[str, list[tuple[int, ...]]] = {}
    for node in g.nodes():
        if node.type in ("Input", "Output"):
            continue

        def hook(_module, _inputs, result, name=node.name):
            results = result if isinstance(result, tuple) else (result,)
            found[name] = [tuple(r.shape[1:]) for r in results]

        module.get_submodule(node.name).register_forward_hook(hook)
    inputs = []
    for node in g.nodes():
        if node.type == "Input":
            shape, dtype = node.params["shape"], node.params["dtype"]
            inputs.append(torch.randint(0, 5, (2, *shape)) if dtype == "int64" else torch.randn(2, *shape))
    module(*inputs)
    return found


@pytest.mark.parametrize("make", [cnn, sequence_model, residual])
def test_inferred_shapes_equal_the_shapes_of_a_real_forward_pass(make) -> None:
    g = make()
    report = infer_shapes(g)
    assert not report.errors(), report.errors()
    real = _real_shapes(g)
    inferred = {g.node(n).name: [t.shape for t in s.outputs] for n, s in report.nodes.items() if g.node(n).type not in ("Input", "Output")}
    assert inferred == real


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=50, deadline=None)
@given(
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.one_of(st.tuples(st.integers(0, 3), st.integers(0, 3)), st.just("same")),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_conv2d_shape_and_refusals_agree_with_torch(height, width, kernel, stride, padding, dilation) -> None:
    g = Graph()
    conv = g.add("Conv2d", g.input((2, height, width)), out_channels=3, kernel_size=kernel,
                 stride=stride, padding=padding, dilation=dilation)
    found = infer_shapes(g).nodes[conv.node_id]
    try:
        real = nn.Conv2d(2, 3, kernel, stride, padding, dilation)(torch.zeros(1, 2, height, width))
    except (RuntimeError, ValueError):
        assert found.error is not None, "torch refuses these settings but inference accepted them"
        return
    assert found.error is None, f"torch accepts these settings but inference says: {found.error}"
    assert found.outputs == (TensorInfo(tuple(real.shape[1:])),)


def _real_or_none(make, x: torch.Tensor) -> tuple[int, ...] | None:
    """The real output shape without the batch axis, or None where torch refuses."""
    try:
        result = make()(x)
    except (RuntimeError, ValueError):
        return None
    return None if 0 in result.shape else tuple(result.shape[1:])


@settings(max_examples=50, deadline=None)
@given(
    height=st.integers(1, 5),
    width=st.integers(1, 5),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    output_padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_conv_transpose2d_shape_and_refusals_agree_with_torch(height, width, kernel, stride, padding, output_padding, dilation) -> None:
    g = Graph()
    node = g.add("ConvTranspose2d", g.input((2, height, width)), out_channels=3, kernel_size=kernel, stride=stride,
                 padding=padding, output_padding=output_padding, dilation=dilation)
    found = infer_shapes(g).nodes[node.node_id]
    real = _real_or_none(
        lambda: nn.ConvTranspose2d(2, 3, kernel, stride, padding, output_padding, dilation=dilation),
        torch.zeros(1, 2, height, width),
    )
    assert (None if found.error else found.outputs[0].shape) == real, found.error


@settings(max_examples=40, deadline=None)
@given(
    height=st.integers(1, 6),
    width=st.integers(1, 6),
    scale=st.sampled_from([0.25, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]),
    mode=st.sampled_from(["nearest", "bilinear"]),
)
def test_upsample_shape_and_refusals_agree_with_torch(height, width, scale, mode) -> None:
    g = Graph()
    node = g.add("Upsample", g.input((2, height, width)), scale_factor=scale, mode=mode)
    found = infer_shapes(g).nodes[node.node_id]
    align = False if mode == "bilinear" else None
    real = _real_or_none(lambda: nn.Upsample(scale_factor=scale, mode=mode, align_corners=align), torch.zeros(1, 2, height, width))
    assert (None if found.error else found.outputs[0].shape) == real, found.error


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(1, 8),
    kernel=st.integers(1, 4),
    stride=st.one_of(st.just("kernel"), st.integers(1, 3)),
    padding=st.integers(0, 2),
    ceil=st.booleans(),
    kind=st.sampled_from(["MaxPool1d", "AvgPool1d"]),
)
def test_pool1d_shape_and_refusals_agree_with_torch(size, kernel, stride, padding, ceil, kind) -> None:
    g = Graph()
    node = g.add(kind, g.input((2, size)), kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil)
    found = infer_shapes(g).nodes[node.node_id]
    cls = getattr(nn, kind)
    real = _real_or_none(
        lambda: cls(kernel, stride=None if stride == "kernel" else stride, padding=padding, ceil_mode=ceil),
        torch.zeros(1, 2, size),
    )
    assert (None if found.error else found.outputs[0].shape) == real, found.error


# ---- counting -----------------------------------------------------------------------------
def test_linear_macs_are_inputs_times_outputs() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((20,)), out_features=7)
    assert infer_shapes(g).nodes[fc.node_id].macs == 20 * 7


def test_linear_on_a_sequence_counts_each_position() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((5, 20)), out_features=7, bias=False)
    assert infer_shapes(g).nodes[fc.node_id].macs == 5 * 20 * 7


def test_conv2d_macs_follow_the_textbook_formula() -> None:
    g = Graph()
    conv = g.add("Conv2d", g.input((4, 11, 9)), out_channels=6, kernel_size=(3, 2), stride=(2, 1), groups=2)
    found = infer_shapes(g).nodes[conv.node_id]
    c_out, h_out, w_out = found.outputs[0].shape
    assert (h_out, w_out) == ((11 - 3) // 2 + 1, 9 - 2 + 1)
    # output positions × multiplies per output (input channels of one group × kernel area)
    assert found.macs == c_out * h_out * w_out * (4 // 2) * 3 * 2


def test_layers_without_weights_count_no_macs() -> None:
    g = Graph()
    relu = g.add("ReLU", g.input((10,)))
    assert infer_shapes(g).nodes[relu.node_id].macs == 0


@pytest.mark.parametrize(
    ("type_name", "shape", "params", "real"),
    [
        ("Linear", (20,), {"out_features": 7}, nn.Linear(20, 7)),
        ("Conv2d", (3, 8, 8), {"out_channels": 5, "kernel_size": 3, "bias": False}, nn.Conv2d(3, 5, 3, bias=False)),
        ("LSTM", (4, 6), {"hidden_size": 5, "num_layers": 2, "bidirectional": True},
         nn.LSTM(6, 5, 2, bidirectional=True)),
        ("BatchNorm2d", (3, 4, 4), {}, nn.BatchNorm2d(3)),
        ("Embedding", (4,), {"num_embeddings": 30, "embedding_dim": 6}, nn.Embedding(30, 6)),
        ("TransformerEncoderLayer", (3, 8), {"nhead": 2, "dim_feedforward": 12},
         nn.TransformerEncoderLayer(8, 2, 12)),
    ],
)
def test_parameter_count_matches_torch(type_name, shape, params, real) -> None:
    g = Graph()
    dtype = "int64" if type_name == "Embedding" else "float32"
    node = g.add(type_name, g.input(shape, dtype), **params)
    assert infer_shapes(g).nodes[node.node_id].params == sum(p.numel() for p in real.parameters())


def test_total_parameters_equal_those_of_the_compiled_module() -> None:
    g = cnn()
    assert infer_shapes(g).total_params == sum(p.numel() for p in compile_graph(g).parameters())


# ---- incremental inference ----------------------------------------------------------------
def chain(length: int = 50) -> Graph:
    g = Graph()
    h = g.input((8,))
    for i in range(length - 2):
        h = g.add("Linear", h, out_features=8) if i % 2 == 0 else g.add("Tanh", h)
    g.output(h, loss="mse")
    return g


def test_first_run_computes_every_node() -> None:
    g = chain()
    assert sorted(ShapeInference(g).run().recomputed) == sorted(g.node_ids())


def test_a_rerun_without_edits_recomputes_nothing() -> None:
    g = chain()
    inference = ShapeInference(g)
    inference.run()
    assert inference.run().recomputed == []


def test_an_edit_near_the_end_recomputes_only_that_node_and_downstream() -> None:
    g = chain()
    assert len(g) == 50
    inference = ShapeInference(g)
    inference.run()
    target = g.find("fc22").id
    g.set_param(target, "out_features", 5)
    recomputed = inference.run().recomputed
    assert recomputed[0] == target
    assert set(recomputed) <= {target} | nx.descendants(g.nx, target)
    # fc23 gets a (5,) input and gives (8,) again, so nothing after it needs recomputing
    assert [g.node(n).name for n in recomputed] == ["fc22", "tanh22", "fc23"]


def test_moving_a_node_recomputes_nothing() -> None:
    g = chain()
    inference = ShapeInference(g)
    inference.run()
    g.move(g.find("fc3").id, (300.0, 40.0))
    assert inference.run().recomputed == []


def test_renaming_a_node_recomputes_nothing() -> None:
    g = chain()
    inference = ShapeInference(g)
    inference.run()
    g.rename(g.find("fc3").id, "hidden")
    assert inference.run().recomputed == []


def test_incremental_shapes_equal_a_fresh_inference_after_edits() -> None:
    g = chain(20)
    inference = ShapeInference(g)
    inference.run()
    g.set_param(g.find("fc2").id, "out_features", 3)
    g.remove_node(g.find("tanh5").id)
    assert inference.run().nodes == ShapeInference(g).run().nodes


def test_a_removed_node_leaves_the_report() -> None:
    g = chain(10)
    inference = ShapeInference(g)
    inference.run()
    gone = g.find("tanh2").id
    g.remove_node(gone)
    report = inference.run()
    assert gone not in report.nodes
    assert g.find("fc3").id not in report.nodes  # its input is now missing


def test_sharing_identical_layers_gives_the_same_report_as_measuring_each() -> None:
    g = chain(30)
    assert ShapeInference(g).run().nodes == ShapeInference(g, share_identical=False).run().nodes


# ---- messages -----------------------------------------------------------------------------
def test_kernel_too_large_names_the_sizes_and_the_upstream_node() -> None:
    g = Graph()
    x = g.input((1, 8, 8), name="image")
    h = g.add("MaxPool2d", x, name="pool", kernel_size=4)
    conv = g.add("Conv2d", h, name="conv", out_channels=4, kernel_size=5)
    g.output(conv)
    (problem,) = errors(validate(g))
    assert problem.node_id == conv.node_id
    text = problem.describe(g)
    assert text.startswith("error: conv (Conv2d): kernel 5×5 does not fit the 2×2 input")
    assert text.endswith("(input from pool)")


def test_linear_fed_token_ids_says_to_use_an_embedding() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((5,), "int64"))
    error = infer_shapes(g).nodes[fc.node_id].error
    assert "(5,) int64" in error and "Embedding" in error


def test_add_of_mismatched_shapes_names_both_shapes() -> None:
    g = Graph()
    x = g.input((4,))
    add = g.add("Add", g.add("Linear", x, out_features=3), g.add("Linear", x, out_features=5))
    error = infer_shapes(g).nodes[add.node_id].error
    assert "input 1 is (3,)" in error and "input 2 is (5,)" in error


def test_a_refusal_by_torch_keeps_its_words_and_names_the_input() -> None:
    g = Graph()
    up = g.add("ConvTranspose2d", g.input((2, 3, 3)), kernel_size=3, stride=1, padding=3)
    error = infer_shapes(g).nodes[up.node_id].error
    assert error.startswith("PyTorch refuses these settings for input (2, 3, 3)")


def test_an_output_with_an_empty_axis_is_refused_naming_the_input() -> None:
    g = Graph()
    up = g.add("Upsample", g.input((2, 2, 5)), scale_factor=0.3, mode="bilinear")
    error = infer_shapes(g).nodes[up.node_id].error
    assert error == "these settings shrink the input (2, 2, 5) to an empty (2, 0, 1)"
    deconv = g.add("ConvTranspose2d", g.input((2, 4, 3)), kernel_size=(2, 1), stride=(1, 2), padding=(2, 3), output_padding=(1, 1), dilation=2)
    assert "to an empty (16, 3, 0)" in infer_shapes(g).nodes[deconv.node_id].error


def test_group_norm_with_one_value_per_group_is_refused() -> None:
    g = Graph()
    gn = g.add("GroupNorm", g.input((4,)), num_groups=4)
    error = infer_shapes(g).nodes[gn.node_id].error
    assert error == "num_groups=4 leaves one value per group of (4,), which always normalises to 0; use fewer groups"


@pytest.mark.parametrize(("type_name", "shape"), [("Dropout", (5,)), ("Dropout2d", (2, 3, 3))])
def test_dropout_of_token_ids_is_refused_as_training_would_refuse_it(type_name: str, shape) -> None:
    with pytest.raises(RuntimeError):
        getattr(nn, type_name)(0.5).train()(torch.zeros(2, *shape, dtype=torch.int64))
    g = Graph()
    drop = g.add(type_name, g.input(shape, "int64"))
    assert "needs floating-point input" in infer_shapes(g).nodes[drop.node_id].error


def test_nodes_after_an_error_get_no_shape() -> None:
    g = Graph()
    fc = g.add("Linear", g.input((5,), "int64"))
    relu = g.add("ReLU", fc)
    report = infer_shapes(g)
    assert fc.node_id in report.errors() and relu.node_id not in report.nodes


def test_a_cycle_gives_no_shapes_to_its_nodes_and_does_not_crash() -> None:
    g = Graph()
    x = g.input((4,))
    add = g.add_node("Add").node_id
    g.connect(x.node_id, add, 0, 0)
    fc = g.add("Linear", OutputRef(add), out_features=4)
    relu = g.add("ReLU", fc)
    g.apply(Connect(Edge(relu.node_id, add, 0, 1), restoring=True))
    after = g.add("Tanh", relu)
    report = infer_shapes(g)
    assert set(report.nodes) == {x.node_id}
    assert not {add, fc.node_id, relu.node_id, after.node_id} & set(report.nodes)


def test_edge_tensor_and_output_of_read_the_report() -> None:
    g = Graph()
    x = g.input((2, 6))
    a, _ = g.add("Split", x, chunks=2, dim=1)
    out = g.output(a)
    report = infer_shapes(g)
    (edge,) = g.in_edges(out.node_id)
    assert report.edge_tensor(edge) == TensorInfo((2, 3))
    assert report.output_of(out.node_id) == TensorInfo((2, 3))


def test_tensor_info_prints_like_a_python_tuple() -> None:
    assert str(TensorInfo((4,))) == "(4,)"
    assert str(TensorInfo((1, 28, 28))) == "(1, 28, 28)"
    assert str(TensorInfo((7,), "int64")) == "(7,) int64"


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("output", ["sequence", "last"])
def test_a_long_recurrent_layer_is_measured_exactly_from_two_short_runs(kind: str, output: str) -> None:
    """Over more than SHORT_STEPS steps the shape and MACs come from runs on 2 and 3 steps;
    both equal a full run on meta tensors and the real layer's output."""
    from torch.utils.flop_counter import FlopCounterMode

    from netdesigner.core.catalog import layer_type
    from netdesigner.core.params import Params
    from netdesigner.core.shapes import SHORT_STEPS, _measure, build_on_meta

    steps = SHORT_STEPS * 5
    t = layer_type(kind)
    params = {**t.defaults(), "hidden_size": 6, "num_layers": 2, "bidirectional": True, "output": output}
    inputs = (TensorInfo((steps, 5)),)
    measured = _measure(t, params, inputs)
    module = build_on_meta(t, params, inputs).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        full = module(torch.empty((1, steps, 5), device="meta"))
    assert measured.outputs[0].shape == tuple(full.shape[1:])
    assert measured.macs == counter.get_total_flops() // 2 > 0
    real = t.build(Params(params), inputs)
    assert measured.outputs[0].shape == tuple(real(torch.randn(3, steps, 5)).shape[1:])
