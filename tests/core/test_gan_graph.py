"""A graph is a GAN when an Output has the loss gan: validation names each broken rule at its
node, the compiler builds one module, and the generator and discriminator are views over it."""

from __future__ import annotations

import pytest
import torch

from netdesigner.core.compiler import compile_graph, compiled_info
from netdesigner.core.errors import GraphError
from netdesigner.core.gan import gan_halves, gan_parts, is_gan
from netdesigner.core.graph import Graph, LayerRef
from netdesigner.core.validation import errors, validate


def gan(noise: int = 4, sample: int = 2, score: int = 1) -> Graph:
    """noise → g_fc → g_act → g_out ('sample', loss none); point → d_fc → d_act → d_out ('judge', loss gan)."""
    g = Graph()
    z = g.input((noise,), name="noise")
    h = g.add("Tanh", g.add("Linear", z, name="g_fc", out_features=8), name="g_act")
    g.output(g.add("Linear", h, name="g_out", out_features=sample), "none", name="sample")
    x = g.input((2,), name="point")
    h = g.add("Tanh", g.add("Linear", x, name="d_fc", out_features=8), name="d_act")
    g.output(g.add("Linear", h, name="d_out", out_features=score), "gan", name="judge")
    return g


def ref(g: Graph, name: str) -> LayerRef:
    return LayerRef(g, g.find(name).id)


def problems_at(g: Graph) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in errors(validate(g)):
        found.setdefault(g.node(p.node_id).name if p.node_id else "-", []).append(p.message)
    return found


def test_a_well_formed_gan_validates_and_names_its_two_networks() -> None:
    g = gan()
    assert validate(g) == []
    parts = gan_parts(g)
    assert (parts.noise, parts.sample, parts.real, parts.score) == ("noise", "sample", "point", "judge")
    assert parts.noise_shape == (4,)
    assert parts.generator == ("noise", "g_fc", "g_act", "g_out", "sample")
    assert parts.discriminator == ("point", "d_fc", "d_act", "d_out", "judge")


def test_graphs_without_a_gan_output_are_no_gan_and_validate_as_before() -> None:
    g = Graph()
    g.output(g.add("Linear", g.input((2,)), out_features=3))
    assert not is_gan(g) and gan_parts(g) is None and validate(g) == []
    assert compiled_info(compile_graph(g)).gan is None


def test_two_gan_outputs_are_an_error_on_each() -> None:
    g = gan()
    g.output(g.add("Linear", ref(g, "d_act"), name="d_out2", out_features=1), "gan", name="judge2")
    found = problems_at(g)
    assert any("only one Output may have the loss gan" in m and "judge, judge2" in m for m in found["judge"])
    assert any("only one Output may have the loss gan" in m for m in found["judge2"])
    with pytest.raises(GraphError, match="only one Output may have the loss gan"):
        compile_graph(g)


def test_the_generator_must_make_what_the_discriminator_takes() -> None:
    found = problems_at(gan(sample=3))
    (message,) = found["sample"]
    assert "gives samples of shape (3,)" in message and "Input point takes (2,)" in message


def test_the_discriminator_must_give_one_logit_per_sample() -> None:
    found = problems_at(gan(score=2))
    assert any("one score (a logit) per sample" in m and "(2,)" in m for m in found["judge"])


def test_a_generator_wired_into_the_discriminator_is_named() -> None:
    g = gan()
    mix = g.add("Add", ref(g, "d_act"), ref(g, "g_act"), name="mix")  # the discriminator now reads the noise too
    g.disconnect(g.in_edges(g.find("d_out").id)[0])
    g.connect(mix.node_id, g.find("d_out").id)
    found = problems_at(g)
    assert any("must read exactly one Input" in m and "noise, point" in m for m in found["judge"])
    assert any("is wired to the discriminator" in m for m in found["sample"])


def test_a_gan_needs_a_generator() -> None:
    g = Graph()
    g.output(g.add("Linear", g.input((2,), name="point"), out_features=1), "gan", name="judge")
    (message,) = problems_at(g)["judge"]
    assert "a GAN needs a generator too" in message


def test_the_generator_output_needs_loss_none_and_float_noise() -> None:
    g = gan()
    g.set_param(g.find("sample").id, "loss", "mse")
    g.set_param(g.find("noise").id, "dtype", "int64")
    found = problems_at(g)
    assert any("needs loss none" in m for m in found["sample"])
    assert any("its dtype must be float32" in m for m in found["noise"])


def test_a_second_generator_output_or_a_third_network_is_named() -> None:
    g = gan()
    g.output(g.add("Linear", ref(g, "g_act"), name="g_extra", out_features=2), "none", name="extra")
    assert problems_at(g) == {"extra": ["the generator has one Output, sample: remove this one"]}
    g = gan()
    g.output(g.add("Linear", g.input((3,), name="other"), name="o_fc", out_features=2), "none", name="stray")
    (message,) = problems_at(g)["stray"]
    assert "a GAN is two networks, and this is a third" in message


def test_the_halves_share_the_whole_modules_layers() -> None:
    module = compile_graph(gan())
    generator, discriminator = gan_halves(module)
    assert generator.g_fc is module.g_fc and discriminator.d_fc is module.d_fc
    assert not hasattr(generator, "d_fc") and not hasattr(discriminator, "g_fc")
    z, x = torch.randn(5, 4), torch.randn(5, 2)
    sample, score = module(z, x)
    torch.testing.assert_close(generator(z), sample)
    torch.testing.assert_close(discriminator(x), score)
    with torch.no_grad():
        module.g_fc.weight.add_(1.0)  # a change to the whole is a change to the half
    torch.testing.assert_close(generator(z), module(z, x)[0])
    assert set(module.state_dict()) == {f"{n}.{w}" for n in ("g_fc", "g_out", "d_fc", "d_out") for w in ("weight", "bias")}


def test_halves_of_a_model_that_is_no_gan_are_refused() -> None:
    g = Graph()
    g.output(g.add("Linear", g.input((2,)), out_features=3))
    with pytest.raises(GraphError, match="not a GAN"):
        gan_halves(compile_graph(g))
