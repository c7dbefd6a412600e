"""Which ONNX opset to export to: the newest that both the exporter and onnxruntime support.

How each is asked (there is no single public call for either):
- the exporter: ``torch.onnx._constants.ONNX_MAX_OPSET`` is the newest opset torch's dynamo
  exporter declares (23 in torch 2.13); it builds the graph at the torchlib opset and converts
  it with onnxscript's version converter, whose range is
  ``onnxscript.version_converter._version_converter.SUPPORTED_MAX_ONNX_OPSET`` (25 in 0.7);
  the exporter's newest is the smaller of the two.
- onnxruntime: ``onnxruntime.capi.onnxruntime_pybind11_state.get_all_opkernel_def()`` lists
  every kernel with the opset range it implements; the newest opset at which the CPU provider
  has a kernel for the default domain is the newest it runs (28 in onnxruntime 1.32). It
  loads any opset the ``onnx`` package it was built with knows, but runs only those.
Either lookup falls back to the ``onnx`` package's newest opset if its name moved.
"""

from __future__ import annotations

OLDEST_OPSET = 18  # torchlib writes opset 18; older targets need a lossy conversion


def exporter_opset() -> int:
    """The newest opset torch's ONNX exporter (with onnxscript's converter) can write."""
    import onnx.defs

    newest = onnx.defs.onnx_opset_version()
    try:
        from torch.onnx import _constants

        newest = min(newest, int(_constants.ONNX_MAX_OPSET))
    except (ImportError, AttributeError):
        pass
    try:
        from onnxscript.version_converter import _version_converter

        newest = min(newest, int(_version_converter.SUPPORTED_MAX_ONNX_OPSET))
    except (ImportError, AttributeError):
        pass
    return newest


def runtime_opset() -> int:
    """The newest opset onnxruntime's CPU provider has kernels for."""
    import onnx.defs

    try:
        from onnxruntime.capi import onnxruntime_pybind11_state as ort_c

        return max(k.version_range[0] for k in ort_c.get_all_opkernel_def()
                   if k.domain in ("", "ai.onnx") and k.provider == "CPUExecutionProvider")
    except (ImportError, AttributeError, ValueError):
        return onnx.defs.onnx_opset_version()


def newest_opset() -> int:
    """The default opset of ``export_onnx``: the newest both sides support."""
    return min(exporter_opset(), runtime_opset())


def check_opset(opset: int) -> str | None:
    """Why ``opset`` cannot be exported to, or None when it can."""
    newest = newest_opset()
    if not OLDEST_OPSET <= opset <= newest:
        return (f"opset {opset} is outside what the exporter and onnxruntime both support "
                f"({OLDEST_OPSET} to {newest})")
    return None
