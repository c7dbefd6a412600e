"""What an autoencoder makes of its inputs, and what a VAE's decoder draws from its latent space.

- ``reconstructions``: inputs beside the model's outputs for them (autoencoders, VAEs).
- ``decode``: the decoder's outputs for chosen latent points z. The model is run whole, and a
  forward hook on its (first) ``Reparameterize`` layer replaces that layer's output with z, so
  everything after it is the decoder, whatever the graph: no second graph or manual split.
  This assumes the decoder sees only z (no wire from the encoder around the latent layer).
- ``prior_samples`` (z ~ N(0, I)) and ``latent_traversal`` (a grid over the first two latent
  axes, the others at 0: for a 2-D latent space, the whole map the VAE has learned).

Everything runs on a private copy of a weight snapshot in eval mode (DESIGN rule 6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

State = dict[str, "torch.Tensor"]


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, (tuple, list)) else out


def latent_layer(module: torch.nn.Module) -> tuple[str, torch.nn.Module] | None:
    """(name, module) of the first ``Reparameterize`` layer, or None: the model is no VAE."""
    from netdesigner.nn.probabilistic import Reparameterize

    for name, child in module.named_modules():
        if isinstance(child, Reparameterize):
            return name, child
    return None


def reconstructions(module: torch.nn.Module, state: State | None, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, outputs) as float arrays of the inputs' shape (an output of the same size is
    reshaped to it): what the autoencoder gives back for each input."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    x = x.detach().to("cpu", torch.float32)
    with torch.no_grad():
        out = _first(model(x)).float()
    return x.numpy(), out.reshape(x.shape).numpy() if out.numel() == x.numel() else out.numpy()


def decode(module: torch.nn.Module, state: State | None, z: np.ndarray, x_like: torch.Tensor) -> np.ndarray:
    """The model's outputs with its latent layer's output replaced by ``z`` (N × latent).
    ``x_like`` is any input batch of the model's input shape (its values do not matter: the
    decoder never sees them); it is repeated or cut to N samples."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    found = latent_layer(model)
    if found is None:
        raise ValueError("the model has no Reparameterize layer: there is no latent space to decode from")
    name, layer = found
    latent = torch.as_tensor(np.asarray(z), dtype=torch.float32)
    n = len(latent)
    index = torch.arange(n) % len(x_like)
    inputs = x_like.detach().to("cpu", torch.float32)[index]

    def replace(_module: Any, _inputs: Any, output: torch.Tensor) -> torch.Tensor:
        if output.shape != latent.shape:
            raise ValueError(f"{name} gives latents of shape {tuple(output.shape[1:])}, not {tuple(latent.shape[1:])}")
        return latent

    handle = layer.register_forward_hook(replace)
    try:
        with torch.no_grad():
            out = _first(model(inputs)).float()
    finally:
        handle.remove()
    return out.reshape(n, *x_like.shape[1:]).numpy() if out[0].numel() == x_like[0].numel() else out.numpy()


def latent_size(module: torch.nn.Module, state: State | None, x_like: torch.Tensor) -> int:
    """How many latent dimensions the VAE has (its latent layer's output per sample)."""
    import torch

    from netdesigner.analysis.landscape import private_copy

    model = private_copy(module, state, device="cpu")
    found = latent_layer(model)
    if found is None:
        raise ValueError("the model has no Reparameterize layer")
    seen: list[int] = []
    handle = found[1].register_forward_hook(lambda _m, _i, out: seen.append(int(out[0].numel())))
    try:
        with torch.no_grad():
            model(x_like[:1].detach().to("cpu", torch.float32))
    finally:
        handle.remove()
    return seen[0]


def prior_samples(module: torch.nn.Module, state: State | None, x_like: torch.Tensor, count: int = 16,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(z, decoded): ``count`` latent points drawn from the prior N(0, I) and what they decode to."""
    size = latent_size(module, state, x_like)
    z = np.random.default_rng(seed).standard_normal((count, size)).astype(np.float32)
    return z, decode(module, state, z, x_like)


def latent_traversal(module: torch.nn.Module, state: State | None, x_like: torch.Tensor, steps: int = 8,
                     span: float = 2.5) -> tuple[np.ndarray, np.ndarray]:
    """(axis values, decoded as steps × steps × sample shape): z₁ along columns and z₂ along
    rows, each over [−span, span] (in prior standard deviations), every other latent axis 0.
    Row 0 is the largest z₂, so the picture reads as a plot with z₂ upwards."""
    size = latent_size(module, state, x_like)
    values = np.linspace(-span, span, steps, dtype=np.float32)
    z = np.zeros((steps * steps, size), dtype=np.float32)
    z1, z2 = np.meshgrid(values, values[::-1])
    z[:, 0] = z1.ravel()
    if size > 1:
        z[:, 1] = z2.ravel()
    decoded = decode(module, state, z, x_like)
    return values, decoded.reshape(steps, steps, *decoded.shape[1:])


def reconstruction_picture(module: torch.nn.Module, state: State | None, x: torch.Tensor, count: int = 8,
                           steps: int = 8) -> tuple[np.ndarray, str]:
    """(mosaic, caption) for the Model view: ``count`` inputs in the top row, the model's
    reconstructions under them, all on the inputs' grey scale; for a VAE with a 2-D latent
    space the decoded map of it below (``latent_traversal``), or prior samples for more."""
    from netdesigner.analysis.mosaic import as_grey, stack, tile

    inputs, outputs = reconstructions(module, state, x[:count])
    shown = (float(inputs.min()), float(inputs.max()))
    pairs = np.concatenate([as_grey(inputs), as_grey(outputs.reshape(inputs.shape))])
    rows = [tile(pairs, len(inputs), each_own_range=False, value_range=shown)]
    caption = f"top: {len(inputs)} validation inputs; below: what the model gives back"
    if latent_layer(module) is not None:
        size = latent_size(module, state, x)
        if size == 2:
            _, grid = latent_traversal(module, state, x, steps=steps)
            decoded = grid.reshape(steps * steps, *grid.shape[2:])
            caption += "; then the decoder over its 2-D latent space (z₁ →, z₂ ↑, ±2.5 prior s.d.)"
        else:
            _, decoded = prior_samples(module, state, x, count=steps * 2)
            caption += f"; then {steps * 2} samples from the prior N(0, I) of its {size}-D latent space"
        rows.append(tile(as_grey(decoded.reshape(len(decoded), *inputs.shape[1:])), steps,
                         each_own_range=False, value_range=shown))
    return stack(*rows), caption
