"""Bringing models in: an ONNX file (``onnx_import``) becomes an editable NetDesigner graph
with its weights, its ops mapped onto the catalogue's layers, all or nothing."""
