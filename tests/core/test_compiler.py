"""The compiler: a torch.fx module named after the nodes, that keeps trained weights across edits."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netdesigner.core.compiler import compile_graph, compiled_info
from netdesigner.core.errors import GraphError
from netdesigner.core.graph import Graph, OutputRef


def cnn() -> Graph:
    g = Graph()
    x = g.input((1, 8, 8), name="image")
    h = g.add("ReLU", g.add("Conv2d", x, out_channels=4, kernel_size=3, padding=1))
    h = g.add("MaxPool2d", h)
    h = g.add("Linear", g.add("Flatten", h), out_features=10, name="head")
    g.output(h, name="logits")
    return g


def test_submodules_are_named_after_the_nodes() -> None:
    module = compile_graph(cnn())
    assert [name for name, _ in module.named_children()] == ["conv1", "relu1", "pool1", "flatten1", "head"]
    assert isinstance(module.conv1, nn.Conv2d) and isinstance(module.head, nn.Linear)


def test_state_dict_keys_are_readable() -> None:
    assert list(compile_graph(cnn()).state_dict()) == ["conv1.weight", "conv1.bias", "head.weight", "head.bias"]


def test_code_calls_the_layers_by_name() -> None:
    code = compile_graph(cnn()).code
    assert "def forward(self, image)" in code
    assert "self.conv1(image)" in code and "self.head(" in code


def test_compiled_module_computes_what_its_layers_compute() -> None:
    module = compile_graph(cnn())
    x = torch.randn(2, 1, 8, 8)
    expected = module.head(module.flatten1(module.pool1(module.relu1(module.conv1(x)))))
    assert torch.equal(module(x), expected)


def test_recompiling_keeps_the_very_tensors_of_unchanged_layers() -> None:
    g = cnn()
    first = compile_graph(g)
    weight = first.conv1.weight.detach().clone()
    g.set_param(g.find("head").id, "out_features", 7)
    second = compile_graph(g, previous=first)
    assert second.conv1.weight is first.conv1.weight
    assert torch.equal(second.conv1.weight, weight)
    assert compiled_info(second).reused == ["conv1", "relu1", "pool1", "flatten1"]


def test_recompiling_rebuilds_the_edited_layer() -> None:
    g = cnn()
    first = compile_graph(g)
    g.set_param(g.find("head").id, "out_features", 7)
    second = compile_graph(g, previous=first)
    assert second.head is not first.head
    assert second.head.weight.shape == (7, 64)
    assert second(torch.randn(2, 1, 8, 8)).shape == (2, 7)


def test_recompiling_rebuilds_a_layer_whose_input_changed() -> None:
    g = cnn()
    first = compile_graph(g)
    g.set_param(g.find("conv1").id, "out_channels", 2)
    second = compile_graph(g, previous=first)
    assert second.head.weight.shape == (10, 32)
    assert compiled_info(second).reused == []  # every layer after conv1 sees a new tensor


def test_training_in_between_is_kept_by_a_recompile() -> None:
    g = cnn()
    first = compile_graph(g)
    with torch.no_grad():
        first.conv1.weight.fill_(0.5)
    g.move(g.find("conv1").id, (100, 100))
    second = compile_graph(g, previous=first)
    assert torch.all(second.conv1.weight == 0.5)


def test_rename_keeps_the_weights_under_the_new_name() -> None:
    g = cnn()
    first = compile_graph(g)
    g.rename(g.find("conv1").id, "features")
    second = compile_graph(g, previous=first)
    state = second.state_dict()
    assert "conv1.weight" not in state
    assert torch.equal(state["features.weight"], first.state_dict()["conv1.weight"])
    assert "self.features(image)" in second.code


def test_several_inputs_and_outputs_follow_document_order() -> None:
    g = Graph()
    a = g.input((3,), name="left")
    b = g.input((3,), name="right")
    diff = g.add("Add", b, g.add("Linear", a, out_features=3, bias=False, name="neg"))
    g.output(g.add("Multiply", a, b), name="product", loss="mse")
    g.output(diff, name="total", loss="mse")
    module = compile_graph(g)
    with torch.no_grad():
        module.neg.weight.copy_(-torch.eye(3))
    left, right = torch.tensor([[1.0, 2.0, 3.0]]), torch.tensor([[4.0, 6.0, 9.0]])
    product, total = module(left, right)
    assert torch.equal(product, left * right)
    assert torch.equal(total, right - left)
    info = compiled_info(module)
    assert info.input_names == ["left", "right"] and info.output_names == ["product", "total"]


def test_split_outputs_are_returned_in_output_order() -> None:
    g = Graph()
    parts = g.add("Split", g.input((6,)), chunks=3)
    g.output(parts[2], name="last", loss="mse")
    g.output(parts[0], name="first", loss="mse")
    x = torch.arange(6.0).reshape(1, 6)
    last, first = compile_graph(g)(x)
    assert torch.equal(last, x[:, 4:]) and torch.equal(first, x[:, :2])


def test_split_into_one_chunk_passes_a_tensor_on() -> None:
    g = Graph()
    (whole,) = g.add("Split", g.input((4,)), chunks=1)
    g.output(g.add("ReLU", whole), loss="mse")
    x = torch.randn(2, 4)
    assert torch.equal(compile_graph(g)(x), x.relu())


def test_a_branch_that_leads_nowhere_is_left_out() -> None:
    g = cnn()
    g.add("Tanh", OutputRef(g.find("relu1").id), name="unused")
    module = compile_graph(g)
    assert "unused" not in dict(module.named_children())


def test_compiling_a_graph_with_errors_lists_them() -> None:
    g = cnn()
    g.set_param(g.find("conv1").id, "kernel_size", 11)
    g.add_node("Add", name="lonely")
    with pytest.raises(GraphError) as caught:
        compile_graph(g)
    message = str(caught.value)
    assert message.startswith("the graph has 2 error(s):")
    assert "conv1 (Conv2d): kernel 11×11 does not fit" in message
    assert "lonely (Add): needs at least 2 inputs, has 0" in message


def test_reparameterize_in_training_keeps_a_positive_kl_with_a_gradient() -> None:
    g = Graph()
    mean, logvar = g.input((4,), name="mean"), g.input((4,), name="logvar")
    g.output(g.add("Reparameterize", mean, logvar, beta=2.0), loss="mse")
    module = compile_graph(g).train()
    m = torch.randn(5, 4, requires_grad=True)
    lv = torch.randn(5, 4, requires_grad=True)
    z = module(m, lv)
    kl = module.z1.kl
    assert z.shape == (5, 4) and not torch.equal(z, m)
    assert kl.dim() == 0 and kl.item() > 0 and kl.requires_grad
    expected = 2.0 * (-0.5 * (1 + lv - m**2 - lv.exp())).sum(dim=1).mean()
    assert torch.allclose(kl, expected)
    kl.backward()
    assert m.grad is not None and lv.grad is not None


def test_a_vae_copies_after_a_training_step() -> None:
    """The KL of the last batch (with its autograd graph) is no part of a copy: analysis
    copies a training module between steps, and a non-leaf tensor refuses deepcopy."""
    import copy

    g = Graph()
    g.output(g.add("Reparameterize", g.input((4,)), g.input((4,))), loss="mse")
    module = compile_graph(g).train()
    module(torch.randn(5, 4, requires_grad=True), torch.randn(5, 4, requires_grad=True))
    assert module.z1.kl is not None and module.z1.kl.grad_fn is not None
    clone = copy.deepcopy(module)
    assert clone.z1.kl is None and module.z1.kl is not None


def test_reparameterize_in_eval_returns_the_mean() -> None:
    g = Graph()
    g.output(g.add("Reparameterize", g.input((4,)), g.input((4,))), loss="mse")
    module = compile_graph(g).eval()
    m = torch.randn(5, 4)
    assert torch.equal(module(m, torch.randn(5, 4)), m)


@pytest.mark.parametrize("num_layers", [1, 2])
def test_bidirectional_lstm_last_joins_the_forward_end_and_the_backward_start(num_layers: int) -> None:
    g = Graph()
    lstm = g.add("LSTM", g.input((6, 3)), hidden_size=4, num_layers=num_layers, bidirectional=True, output="last")
    g.output(lstm, loss="mse")
    module = compile_graph(g).eval()
    plain = nn.LSTM(3, 4, num_layers, bidirectional=True, batch_first=True)
    plain.load_state_dict(module.lstm1.state_dict())
    x = torch.randn(2, 6, 3)
    sequence, _ = plain(x)
    expected = torch.cat([sequence[:, -1, :4], sequence[:, 0, 4:]], dim=-1)
    assert torch.allclose(module(x), expected, atol=1e-6)


def test_gru_sequence_output_equals_a_plain_gru() -> None:
    g = Graph()
    g.output(g.add("GRU", g.input((5, 3)), hidden_size=4), loss="mse")
    module = compile_graph(g).eval()
    plain = nn.GRU(3, 4, batch_first=True)
    plain.load_state_dict(module.gru1.state_dict())
    x = torch.randn(2, 5, 3)
    assert torch.allclose(module(x), plain(x)[0], atol=1e-6)


def test_causal_attention_does_not_look_ahead() -> None:
    g = Graph()
    g.output(g.add("MultiheadAttention", g.input((5, 8)), num_heads=2, causal=True), loss="mse")
    module = compile_graph(g).eval()
    x = torch.randn(1, 5, 8)
    changed = x.clone()
    changed[:, -1] += 1.0
    assert torch.allclose(module(x)[:, :-1], module(changed)[:, :-1], atol=1e-6)
    assert not torch.allclose(module(x)[:, -1], module(changed)[:, -1])


def test_softmax_dim_counts_after_the_batch_axis() -> None:
    g = Graph()
    g.output(g.add("Softmax", g.input((3, 4)), dim=0), loss="none")
    out = compile_graph(g)(torch.randn(2, 3, 4))
    assert torch.allclose(out.sum(dim=1), torch.ones(2, 4))
