"""Parameter declarations accept what the inspector form could produce and refuse the rest in words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netdesigner.core.catalog import layer_type
from netdesigner.core.errors import ParamError
from netdesigner.core.params import Choice, Float, Int, IntTuple, Params


def param(type_name: str, name: str):
    return layer_type(type_name).param(name)


def refusal(p, value) -> str:
    with pytest.raises(ParamError) as caught:
        p.coerce(value)
    return str(caught.value)


# ---- integers -----------------------------------------------------------------------------
def test_int_accepts_an_integer_in_range() -> None:
    assert param("Linear", "out_features").coerce(10) == 10


@pytest.mark.parametrize("value", [True, False])
def test_int_refuses_a_bool(value: bool) -> None:
    message = refusal(param("Linear", "out_features"), value)
    assert "out_features" in message and "an integer" in message


@pytest.mark.parametrize("value", [3.0, "3", None, [3]])
def test_int_refuses_what_is_not_an_integer(value: object) -> None:
    assert "an integer" in refusal(param("Linear", "out_features"), value)


def test_int_below_its_minimum_is_refused_naming_the_minimum() -> None:
    message = refusal(param("Linear", "out_features"), 0)
    assert message.startswith("out_features must be") and "≥ 1" in message and "got 0" in message


def test_int_above_its_maximum_is_refused_naming_the_maximum() -> None:
    message = refusal(param("Split", "chunks"), 65)
    assert "chunks" in message and "≤ 64" in message


@settings(max_examples=50, deadline=None)
@given(st.integers(-100, 100))
def test_int_range_check_agrees_with_the_declared_limits(value: int) -> None:
    p = Int("n", 0, "doc", min=-5, max=7)
    if -5 <= value <= 7:
        assert p.coerce(value) == value
    else:
        with pytest.raises(ParamError):
            p.coerce(value)


# ---- floats -------------------------------------------------------------------------------
def test_float_accepts_an_integer_as_a_float() -> None:
    value = param("Dropout", "p").coerce(1)
    assert value == 1.0 and isinstance(value, float)


@pytest.mark.parametrize("value", [True, "0.5", None])
def test_float_refuses_bools_and_text(value: object) -> None:
    message = refusal(param("Dropout", "p"), value)
    assert message.startswith("p must be a number")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_float_refuses_non_finite_numbers(value: float) -> None:
    assert "p must be a number" in refusal(param("Dropout", "p"), value)


def test_float_out_of_range_names_both_limits() -> None:
    message = refusal(param("Dropout", "p"), 1.5)
    assert "≥ 0" in message and "≤ 1" in message and "1.5" in message


def test_float_default_is_stored_as_a_float() -> None:
    assert isinstance(Float("x", 1, "doc").default, float)


# ---- booleans and choices -----------------------------------------------------------------
@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_bool_refuses_anything_but_true_or_false(value: object) -> None:
    message = refusal(param("Linear", "bias"), value)
    assert "bias" in message and "true or false" in message


def test_bool_accepts_false() -> None:
    assert param("Linear", "bias").coerce(False) is False


def test_choice_accepts_one_of_its_choices() -> None:
    assert param("Output", "loss").coerce("mse") == "mse"


def test_choice_refuses_an_unknown_word_listing_the_choices() -> None:
    message = refusal(param("Output", "loss"), "hinge")
    assert "loss" in message and "'cross_entropy'" in message and "'mse'" in message and "'hinge'" in message


def test_choice_default_must_be_among_its_choices() -> None:
    with pytest.raises(AssertionError):
        Choice("mode", "c", ("a", "b"), "doc")


# ---- integer tuples -----------------------------------------------------------------------
def test_int_tuple_broadcasts_one_integer_to_its_length() -> None:
    assert param("Conv2d", "kernel_size").coerce(3) == (3, 3)
    assert param("Conv1d", "kernel_size").coerce(5) == (5,)


def test_int_tuple_stores_a_list_as_a_tuple() -> None:
    value = param("Conv2d", "kernel_size").coerce([1, 5])
    assert value == (1, 5) and isinstance(value, tuple)


def test_int_tuple_of_the_wrong_length_is_refused_saying_how_many() -> None:
    message = refusal(param("Conv2d", "kernel_size"), [3, 3, 3])
    assert "kernel_size" in message and "2 integers" in message


def test_int_tuple_refuses_a_bool_item() -> None:
    assert "kernel_size" in refusal(param("Conv2d", "kernel_size"), [3, True])


def test_int_tuple_refuses_a_broadcast_bool() -> None:
    assert "kernel_size" in refusal(param("Conv2d", "kernel_size"), True)


def test_int_tuple_refuses_an_item_out_of_range() -> None:
    message = refusal(param("Conv2d", "kernel_size"), [3, 0])
    assert "≥ 1" in message


def test_int_tuple_refuses_an_empty_list() -> None:
    assert "shape" in refusal(param("Input", "shape"), [])


def test_int_tuple_refuses_more_than_eight_axes() -> None:
    assert "shape" in refusal(param("Input", "shape"), [1] * 9)
    assert param("Input", "shape").coerce([1] * 8) == (1,) * 8


def test_int_tuple_accepts_its_keyword() -> None:
    assert param("Conv2d", "padding").coerce("same") == "same"
    assert param("MaxPool2d", "stride").coerce("kernel") == "kernel"


def test_int_tuple_refuses_another_word_naming_its_keyword() -> None:
    message = refusal(param("Conv2d", "padding"), "valid")
    assert "padding" in message and "'same'" in message


def test_int_tuple_refuses_a_keyword_it_does_not_declare() -> None:
    message = refusal(param("Conv2d", "kernel_size"), "same")
    assert "kernel_size" in message and "'same'" in message


def test_reshape_accepts_minus_one_once() -> None:
    assert param("Reshape", "shape").coerce([2, -1, 3]) == (2, -1, 3)


def test_reshape_refuses_minus_one_twice() -> None:
    message = refusal(param("Reshape", "shape"), [-1, 2, -1])
    assert "shape" in message and "only one" in message


def test_reshape_refuses_other_negative_sizes() -> None:
    assert "-1 infers one size" in refusal(param("Reshape", "shape"), [2, -2])


def test_minus_one_is_refused_where_nothing_is_inferred() -> None:
    assert "≥ 1" in refusal(param("Input", "shape"), [-1, 3])


def test_describe_of_a_free_length_tuple_says_a_list() -> None:
    p = IntTuple("dims", (0,), "doc", min=0)
    assert p.describe() == "a list of integers ≥ 0"


# ---- layer types and values ---------------------------------------------------------------
def test_unknown_parameter_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(ParamError, match=r"Linear has no parameter 'units' \(it has: out_features, bias\)"):
        layer_type("Linear").param("units")


def test_coerce_params_fills_in_defaults_and_coerces_given_values() -> None:
    values = layer_type("Conv2d").coerce_params({"kernel_size": 5})
    assert values["kernel_size"] == (5, 5)
    assert values["out_channels"] == 16 and values["padding"] == (0, 0)


def test_coerce_params_refuses_an_unknown_name() -> None:
    with pytest.raises(ParamError, match="no parameter 'kernel'"):
        layer_type("Conv2d").coerce_params({"kernel": 3})


def test_params_read_by_attribute_and_by_key() -> None:
    p = Params({"a": 1})
    assert p.a == 1 and p["a"] == 1 and dict(p) == {"a": 1} and len(p) == 1


def test_params_are_read_only() -> None:
    p = Params({"a": 1})
    with pytest.raises(AttributeError):
        p.a = 2


def test_params_missing_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = Params({"a": 1}).b


def test_params_do_not_share_the_dict_they_were_made_from() -> None:
    source = {"a": 1}
    p = Params(source)
    source["a"] = 2
    assert p.a == 1

