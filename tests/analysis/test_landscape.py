"""The loss landscape: filter-normalised directions, surfaces, interpolation, trajectory planes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from netdesigner.analysis.landscape import (
    Cancelled,
    Surface,
    evaluation_batch,
    filter_normalized_direction,
    interpolation,
    loss_fn_for,
    plane_span,
    surface,
    trajectory_plane,
)

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def mse_loss(module, x, y) -> float:
    with torch.no_grad():
        return float(F.mse_loss(module(x), y))


def state_of(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


@pytest.fixture(scope="module")
def linear_problem():
    """A single Linear fitted by least squares to noisy linear data: mse is a convex quadratic."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 4, generator=g)
    y = x @ torch.randn(4, 3, generator=g) + 0.5 + 0.05 * torch.randn(200, 3, generator=g)
    module = torch.nn.Linear(4, 3)
    ones = torch.cat([x, torch.ones(200, 1)], dim=1)
    solution = torch.linalg.lstsq(ones, y).solution  # (5, 3)
    with torch.no_grad():
        module.weight.copy_(solution[:4].T)
        module.bias.copy_(solution[4])
    return module, x, y


@pytest.fixture(scope="module")
def spirals():
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_dataset
    from netdesigner.train.trainer import Trainer

    project = Project.load(PROJECTS / "spirals_mlp.ndproj")
    project.training.device = "cpu"
    project.training.epochs = 30
    data = project.data
    splits = load_dataset(data.dataset, data.options, validation_fraction=data.validation_fraction,
                          test_fraction=data.test_fraction, seed=project.training.seed)
    trainer = Trainer(project.compile(), splits, project.training, graph=project.graph)
    start = trainer.snapshot()
    states = []
    trainer.add_listener(lambda e: states.append(trainer.snapshot()) if type(e).__name__ == "EpochEnd" else None)
    assert trainer.run().ok
    return trainer, start, states


def test_directions_are_filter_normalised_for_linear_and_conv() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 5, 3), torch.nn.BatchNorm2d(5), torch.nn.Flatten(),
                                torch.nn.LazyLinear(7))
    model(torch.randn(2, 3, 8, 8))
    state = state_of(model)
    direction = filter_normalized_direction(state, torch.Generator().manual_seed(1))
    assert direction.keys() == state.keys()
    for key in ("0.weight", "3.weight"):
        w, d = state[key], direction[key]
        assert d.shape == w.shape and d.abs().sum() > 0
        torch.testing.assert_close(d.reshape(d.shape[0], -1).norm(dim=1), w.reshape(w.shape[0], -1).norm(dim=1))
    for key, d in direction.items():
        if key not in ("0.weight", "3.weight"):  # biases, BatchNorm weights and buffers
            assert not d.any(), key
    again = filter_normalized_direction(state, torch.Generator().manual_seed(1))
    assert all(torch.equal(again[k], direction[k]) for k in state)


def test_the_surface_leaves_every_normalisation_parameter_alone() -> None:
    """A LayerNorm over two axes has a weight of two axes: still a scale, so no direction."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 20), torch.nn.Unflatten(1, (4, 5)), torch.nn.LayerNorm((4, 5)),
                                torch.nn.Flatten(), torch.nn.Linear(20, 2)).eval()
    x, y = torch.randn(16, 6), torch.randint(0, 2, (16,))
    s = surface(model, state_of(model), lambda m, x, y: float(torch.nn.functional.cross_entropy(m(x), y)), x, y, grid=3, span=0.1)
    for d in s.directions:
        assert not d["2.weight"].any() and not d["2.bias"].any()
        assert d["0.weight"].any() and d["4.weight"].any()


def test_surface_of_a_quadratic_is_a_bowl_centred_on_the_fit(linear_problem) -> None:
    module, x, y = linear_problem
    before = state_of(module)
    calls = []
    s = surface(module, state_of(module), mse_loss, x, y, grid=11, span=0.5, progress=lambda d, t: calls.append((d, t)))
    assert s.losses.shape == (11, 11) and s.alphas[5] == 0.0 and s.betas[5] == 0.0
    assert s.centre_loss == pytest.approx(mse_loss(module, x, y), rel=1e-6)
    assert s.losses[5, 5] == pytest.approx(s.centre_loss, rel=1e-6)
    assert s.minimum[:2] == (0.0, 0.0)
    # a convex bowl: the loss grows away from the centre along both axes and on the diagonal
    assert np.all(np.diff(s.losses[5, 5:]) > 0) and np.all(np.diff(s.losses[5, :6]) < 0)
    assert np.all(np.diff(s.losses[5:, 5]) > 0) and np.all(np.diff(np.diag(s.losses)[5:]) > 0)
    # the caller's module is unchanged, still in training mode
    assert all(torch.equal(v, before[k]) for k, v in module.state_dict().items())
    assert module.training
    assert calls == [(i + 1, 121) for i in range(121)]


def test_surface_matches_a_naive_evaluation_and_given_directions(linear_problem) -> None:
    module, x, y = linear_problem
    state = state_of(module)
    g = torch.Generator().manual_seed(3)
    d1 = {k: torch.randn(v.shape, generator=g) for k, v in state.items()}
    d2 = {k: torch.randn(v.shape, generator=g) for k, v in state.items()}
    s = surface(module, state, mse_loss, x, y, grid=3, span=(-1.0, 1.0, 0.0, 2.0), directions=(d1, d2))
    assert list(s.betas) == [0.0, 1.0, 2.0]
    probe = torch.nn.Linear(4, 3)
    probe.load_state_dict({k: state[k] + 1.0 * d1[k] + 2.0 * d2[k] for k in state})
    assert s.losses[2, 2] == pytest.approx(mse_loss(probe, x, y), rel=1e-5)


def test_surface_can_be_cancelled(linear_problem) -> None:
    module, x, y = linear_problem
    done = []
    with pytest.raises(Cancelled):
        surface(module, state_of(module), mse_loss, x, y, grid=5, progress=lambda d, t: done.append(d),
                cancelled=lambda: len(done) >= 7)
    assert len(done) == 7


def test_surface_saves_as_npz_and_csv(linear_problem, tmp_path) -> None:
    module, x, y = linear_problem
    s = surface(module, state_of(module), mse_loss, x, y, grid=4)
    s.to_npz(tmp_path / "s.npz")
    back = Surface.from_npz(tmp_path / "s.npz")
    np.testing.assert_array_equal(back.losses, s.losses)
    np.testing.assert_array_equal(back.alphas, s.alphas)
    np.testing.assert_array_equal(back.betas, s.betas)
    assert back.centre_loss == s.centre_loss and back.seconds == s.seconds
    s.to_csv(tmp_path / "s.csv")
    table = np.loadtxt(tmp_path / "s.csv", delimiter=",", skiprows=1)
    assert table.shape == (16, 3)
    np.testing.assert_allclose(table[:, 2], s.losses.ravel(), rtol=1e-8)
    assert (tmp_path / "s.csv").read_text().splitlines()[0] == "alpha,beta,loss"


def test_surface_of_the_trained_spirals_mlp_has_its_minimum_at_the_centre(spirals) -> None:
    trainer, _, _ = spirals
    x, y = evaluation_batch(trainer.splits, "train", 600)
    loss_fn = loss_fn_for(trainer.objective)
    state = trainer.snapshot()
    s = surface(trainer.module, state, loss_fn, x, y, grid=9, span=1.0)
    assert trainer.module.training  # the trainer's module is left alone
    assert s.centre_loss == pytest.approx(s.losses[4, 4], rel=1e-6)
    assert s.centre_loss <= s.losses[4, :].min() + 1e-3 and s.centre_loss <= s.losses[:, 4].min() + 1e-3
    assert s.losses.max() > 2 * s.centre_loss  # a visible basin, not a plateau
    # the objective's loss is the trainer's own loss on that batch
    module = trainer.module.eval()
    with torch.no_grad():
        expected = float(F.cross_entropy(module(x), y))
    trainer.module.train()
    assert s.centre_loss == pytest.approx(expected, rel=1e-5)


def test_interpolation_joins_the_start_and_the_end(spirals) -> None:
    trainer, start, _ = spirals
    end = trainer.snapshot()
    loss_fn = loss_fn_for(trainer.objective)
    batches = {"train": evaluation_batch(trainer.splits, "train", 300), "validation": evaluation_batch(trainer.splits, "val", 200)}
    alphas = np.linspace(-0.5, 1.5, 9)
    curves = interpolation(trainer.module, start, end, loss_fn, batches, alphas=alphas)
    assert set(curves) == {"train", "validation"} and curves["train"].shape == (9,)
    probe = trainer.module
    for alpha_index, state in ((2, start), (6, end)):  # α = 0 and α = 1
        saved = state_of(probe)
        probe.load_state_dict(state)
        for name, (bx, by) in batches.items():
            assert curves[name][alpha_index] == pytest.approx(loss_fn(probe, bx, by), rel=1e-5)
        probe.load_state_dict(saved)
        probe.train()
    assert curves["train"][6] < 0.5 * curves["train"][2]
    assert curves["validation"][6] < curves["validation"][2]


def test_trajectory_plane_of_a_straight_line_has_one_component() -> None:
    g = torch.Generator().manual_seed(0)
    final = {"w": torch.randn(6, 5, generator=g), "b": torch.randn(6, generator=g), "n": torch.tensor(3)}
    step = {"w": torch.randn(6, 5, generator=g), "b": torch.randn(6, generator=g)}
    ts = [3.0, 2.0, 1.5, 0.5]
    states = [{"w": final["w"] + t * step["w"], "b": final["b"] + t * step["b"], "n": torch.tensor(3)} for t in ts]
    pc1, pc2, coords, ratio = trajectory_plane(states, final)
    assert ratio[0] == pytest.approx(1.0, abs=1e-9) and ratio[1] == pytest.approx(0.0, abs=1e-9)
    assert coords.shape == (4, 2)
    np.testing.assert_allclose(coords[:, 1], 0.0, atol=1e-6)
    length = float(torch.sqrt(step["w"].square().sum() + step["b"].square().sum()))
    np.testing.assert_allclose(coords[:, 0], np.array(ts) * length, rtol=1e-5)
    assert pc1["w"].shape == (6, 5) and not pc1["n"].any()
    unit = float(torch.sqrt(pc1["w"].double().square().sum() + pc1["b"].double().square().sum()))
    assert unit == pytest.approx(1.0, rel=1e-5)


def test_trajectory_plane_of_a_run_draws_on_its_surface(spirals) -> None:
    trainer, _, states = spirals
    final = trainer.snapshot()
    pc1, pc2, coords, ratio = trajectory_plane(states, final)
    assert coords.shape == (len(states), 2) and 0.5 < ratio.sum() <= 1.0 + 1e-9 and ratio[0] >= ratio[1]
    flat = [torch.cat([d[k].double().reshape(-1) for k in sorted(final)]) for d in (pc1, pc2)]
    gram = torch.stack(flat) @ torch.stack(flat).T
    torch.testing.assert_close(gram, torch.eye(2, dtype=torch.float64), atol=1e-6, rtol=0)  # orthonormal (float32 weights)
    assert np.allclose(coords[-1], 0.0, atol=1e-9)  # the final weights at the origin
    offset = torch.cat([states[0][k].double().reshape(-1) - final[k].double().reshape(-1) for k in sorted(final)])
    assert coords[0] == pytest.approx([float(offset @ flat[0]), float(offset @ flat[1])], rel=1e-5, abs=1e-7)  # the projection
    x, y = evaluation_batch(trainer.splits, "train", 300)
    s = surface(trainer.module, final, loss_fn_for(trainer.objective), x, y, grid=5,
                span=plane_span(coords), directions=(pc1, pc2))
    assert s.losses.shape == (5, 5) and np.isfinite(s.losses).all()
    assert s.alphas.min() <= coords[:, 0].min() and s.alphas.max() >= coords[:, 0].max()
