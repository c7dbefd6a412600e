"""Taking a model away: ONNX, weights (safetensors or ``.pt``), ``torch.export`` programs and
plain PyTorch code, each checked against the model it came from.

Nothing here imports Qt, and torch, onnx and onnxruntime are imported inside the functions
that need them, so importing the package (and ``netdesigner --help``) stays fast.
"""
