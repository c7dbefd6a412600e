"""An ONNX model made plain before its ops are read or after it is written: constants folded
(the shape arithmetic an exporter writes for a dynamic batch, ``Shape → Gather → Concat →
Reshape``, becomes one constant shape), no-op nodes (Identity, ``+ 0``) removed, unused nodes
dropped, shapes inferred.

onnxscript's default optimiser also fuses BatchNormalization into the convolution or Gemm
before it: the same numbers, but the layer a person drew would be gone from the file and from
any graph imported back from it. ``tidy`` runs the same passes without that fusion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx


def tidy(model: onnx.ModelProto, iterations: int = 2) -> onnx.ModelProto:
    """``model`` with constants folded, no-ops and unused nodes removed, BatchNormalization
    kept, and value shapes inferred (``graph.value_info``)."""
    import onnx
    import onnx_ir as ir
    from onnx_ir.passes import common as common_passes
    from onnxscript import rewriter
    from onnxscript.optimizer import _constant_folding
    from onnxscript.rewriter.rules.common import _fuse_batchnorm

    fusions = set(_fuse_batchnorm.rules)
    rules = [rule for rule in rewriter._DEFAULT_REWRITE_RULES if rule not in fusions]
    ir_model = ir.serde.deserialize_model(model)
    common_passes.InlinePass()(ir_model)
    ir.passes.PassManager(
        [_constant_folding.FoldConstantsPass(shape_inference=True, input_size_limit=1 << 24, output_size_limit=1 << 24),
         rewriter.RewritePass(rules),
         common_passes.RemoveUnusedNodesPass(),
         common_passes.RemoveUnusedFunctionsPass(),
         common_passes.RemoveUnusedOpsetsPass()],
        steps=iterations, early_stop=True,
    )(ir_model)
    common_passes.RemoveUnusedNodesPass()(ir_model)
    proto = ir.serde.serialize_model(ir_model)
    return onnx.shape_inference.infer_shapes(proto, strict_mode=False, data_prop=True)
