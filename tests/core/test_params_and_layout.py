"""Parameter declarations refuse what the form could not produce; auto-layout reads top to bottom."""

from __future__ import annotations

import pytest

from netdesigner.core.catalog import layer_type
from netdesigner.core.errors import ParamError
from netdesigner.core.graph import Graph
from netdesigner.core.layout import auto_layout, layout_edit
from netdesigner.core.project_format import graph_to_json


def test_int_tuple_broadcasts_one_integer_and_accepts_keywords() -> None:
    kernel = layer_type("Conv2d").param("kernel_size")
    assert kernel.coerce(3) == (3, 3)
    assert kernel.coerce([1, 5]) == (1, 5)
    assert layer_type("Conv2d").param("padding").coerce("same") == "same"


@pytest.mark.parametrize(
    ("type_name", "param", "value", "words"),
    [
        ("Conv2d", "out_channels", True, "integer"),
        ("Conv2d", "out_channels", 0, "≥ 1"),
        ("Conv2d", "kernel_size", [3, 3, 3], "2 integers"),
        ("Conv2d", "padding", "valid!", "'same'"),
        ("Dropout", "p", 1.5, "≤ 1"),
        ("Dropout", "p", float("nan"), "number"),
        ("Output", "loss", "hinge", "'cross_entropy'"),
        ("Reshape", "shape", [-1, -1], "only one"),
        ("Linear", "bias", 1, "true or false"),
    ],
)
def test_bad_values_are_refused_with_what_is_allowed(type_name: str, param: str, value: object, words: str) -> None:
    with pytest.raises(ParamError) as error:
        layer_type(type_name).param(param).coerce(value)
    assert param in str(error.value) and words in str(error.value)


def test_set_param_with_a_bad_value_changes_nothing() -> None:
    g = Graph()
    conv = g.add("Conv2d", g.input((1, 8, 8)))
    before = graph_to_json(g)
    with pytest.raises(ParamError):
        g.set_param(conv.node_id, "kernel_size", -1)
    assert graph_to_json(g) == before


def test_layout_puts_each_node_below_its_inputs_and_a_skip_beside_the_main_path() -> None:
    g = Graph()
    x = g.input((4,))
    fc = g.add("Linear", x, out_features=4)
    main = g.add("ReLU", fc)
    skip = g.add("Tanh", x)
    g.output(g.add("Add", main, skip))
    pos = auto_layout(g)
    for edge in g.edges():
        assert pos[edge.src][1] < pos[edge.dst][1]
    assert pos[fc.node_id][1] == pos[skip.node_id][1] and pos[fc.node_id][0] != pos[skip.node_id][0]


def test_layout_is_one_undoable_edit() -> None:
    g = Graph()
    g.output(g.add("ReLU", g.input((4,))))
    before = graph_to_json(g)
    undo = g.apply(layout_edit(g))
    assert graph_to_json(g) != before
    g.apply(undo)
    assert graph_to_json(g) == before
