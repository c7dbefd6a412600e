"""A model's weights (its ``state_dict``) as a file: safetensors by default, ``.pt`` on request.

safetensors is a header and raw tensor bytes: reading it cannot run code, and any framework
can read it. ``.pt`` is ``torch.save`` of a plain dict of tensors, for people whose code expects
``torch.load``; it is a pickle, so it is read back only with ``torch.load(weights_only=True)``,
which refuses every object but tensors and plain containers. Neither loader ever unpickles
arbitrary objects: a ``.pt`` carrying one is refused with a message, and nothing runs.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from netdesigner.export.atomic_file import write_atomically
from netdesigner.export.export_error import ExportError

if TYPE_CHECKING:
    import torch

FORMATS = ("safetensors", "pt")


def save_weights(state: dict[str, torch.Tensor], path: str | Path, *, format: str | None = None) -> Path:
    """Writes ``state`` (detached, on the CPU, contiguous) as ``format``, by default the one
    the file's suffix names (``.pt``/``.pth``: pt, anything else: safetensors)."""
    import torch

    path = Path(path)
    format = format or ("pt" if path.suffix in (".pt", ".pth") else "safetensors")
    if format not in FORMATS:
        raise ExportError(f"{path}: unknown weights format {format!r}; choose one of {', '.join(FORMATS)}")
    tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    if format == "safetensors":
        from safetensors.torch import save

        blob = save(_unshared(tensors))
    else:
        buffer = io.BytesIO()
        torch.save(tensors, buffer)
        blob = buffer.getvalue()
    write_atomically(path, blob)
    return path


def load_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of a ``.safetensors`` or ``.pt`` file, never unpickling anything else;
    ``ExportError`` naming the file when it cannot be read or is not plain tensors."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as e:
        raise ExportError(f"{path}: cannot read the file: {e.strerror or e}") from None
    if path.suffix in (".pt", ".pth"):
        return _load_pt(path, blob)
    from safetensors.torch import load

    try:
        return load(blob)
    except Exception as e:
        raise ExportError(f"{path}: not a readable safetensors file ({e})") from None


def _load_pt(path: Path, blob: bytes) -> dict[str, torch.Tensor]:
    import pickle

    import torch

    try:
        state = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "not plain tensors"
        raise ExportError(f"{path}: refused: the file holds more than tensors, and loading it could run code "
                          f"({first}). Load only .pt files you trust, and prefer .safetensors") from None
    except Exception as e:
        raise ExportError(f"{path}: not a readable .pt weights file ({type(e).__name__}: {e})") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise ExportError(f"{path}: holds a {type(state).__name__}, not a dict of named tensors (a state_dict)")
    return state


def _unshared(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """safetensors refuses tensors that share memory (tied weights): each gets its own copy."""
    seen: set[int] = set()
    out = {}
    for k, v in tensors.items():
        pointer = v.untyped_storage().data_ptr() if v.numel() else -1
        out[k] = v.clone() if pointer in seen else v
        if pointer != -1:
            seen.add(pointer)
    return out
