"""Node names are safe Python identifiers that cannot shadow a torch.fx.GraphModule attribute."""

from __future__ import annotations

import pytest
import torch
from torch import fx

from netdesigner.core.catalog import all_types
from netdesigner.core.names import MAX_NAME_LENGTH, MODULE_ATTRIBUTES, name_problem


def _graph_module() -> fx.GraphModule:
    graph = fx.Graph()
    graph.output(graph.placeholder("x"))
    return fx.GraphModule(torch.nn.Module(), graph)


def test_module_attributes_are_the_public_attributes_of_a_graph_module() -> None:
    public = {a for a in dir(_graph_module()) if not a.startswith("_")}
    assert set(MODULE_ATTRIBUTES) == public | {"self"}


@pytest.mark.parametrize("name", ["conv1", "encoder_2", "x", "A", "fc_out_final"])
def test_plain_identifiers_are_accepted(name: str) -> None:
    assert name_problem(name) is None


def test_a_name_of_the_longest_length_is_accepted() -> None:
    assert name_problem("a" * MAX_NAME_LENGTH) is None


def test_a_name_one_longer_is_refused_saying_the_limit() -> None:
    assert f"at most {MAX_NAME_LENGTH} characters" in name_problem("a" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("name", ["class", "lambda", "None", "import", "match", "case", "async"])
def test_python_keywords_are_refused(name: str) -> None:
    assert "keyword" in name_problem(name)


@pytest.mark.parametrize("name", ["conv-1", "conv 1", "a.b", "x+", "é", "naïve", "x\n"])
def test_non_identifiers_are_refused(name: str) -> None:
    assert "is not a valid name" in name_problem(name)


@pytest.mark.parametrize("name", ["_hidden", "__init__", "_"])
def test_names_starting_with_an_underscore_are_refused(name: str) -> None:
    assert "starting with a letter" in name_problem(name)


@pytest.mark.parametrize("name", ["1conv", "9"])
def test_names_starting_with_a_digit_are_refused(name: str) -> None:
    assert "starting with a letter" in name_problem(name)


@pytest.mark.parametrize("name", ["forward", "training", "state_dict", "self", "code", "graph", "meta"])
def test_module_attributes_are_refused_as_reserved(name: str) -> None:
    assert "reserved" in name_problem(name)


@pytest.mark.parametrize("name", ["", None, 3, b"conv1"])
def test_empty_or_non_text_names_are_refused(name: object) -> None:
    assert "non-empty text" in name_problem(name)


@pytest.mark.parametrize("layer_type", all_types(), ids=lambda t: t.name)
def test_default_node_names_of_every_type_are_valid(layer_type) -> None:
    assert name_problem(f"{layer_type.prefix}1") is None
