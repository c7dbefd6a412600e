"""The Qt-free heart of NetDesigner: layer catalogue, graph document, shapes, compiler, files."""
