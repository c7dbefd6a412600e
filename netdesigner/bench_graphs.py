"""The graphs the benchmarks measure: ResNet-18 built with the graph API, and a long chain.

Kept apart from ``bench.py`` so the window's bench can build them without importing the
command that prints its figures.
"""

from __future__ import annotations

from netdesigner.core.graph import Graph, Source


def resnet18_graph() -> Graph:
    """ResNet-18 (3×224×224 → 1000 classes), as drawn from Conv/BatchNorm/ReLU/Add."""
    g = Graph()
    x: Source = g.input((3, 224, 224), name="image")

    def conv_bn(x: Source, name: str, channels: int, kernel: int, stride: int, relu: bool) -> Source:
        h = g.add("Conv2d", x, name=f"{name}_conv", out_channels=channels, kernel_size=kernel,
                  stride=stride, padding=kernel // 2, bias=False)
        h = g.add("BatchNorm2d", h, name=f"{name}_bn")
        return g.add("ReLU", h, name=f"{name}_relu") if relu else h

    h = conv_bn(x, "stem", 64, 7, 2, True)
    h = g.add("MaxPool2d", h, name="stem_pool", kernel_size=3, stride=2, padding=1)
    channels = 64
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            stride = 2 if block == 0 and stage > 1 else 1
            name = f"layer{stage}_{block}"
            main = conv_bn(h, f"{name}_a", width, 3, stride, True)
            main = conv_bn(main, f"{name}_b", width, 3, 1, False)
            skip = conv_bn(h, f"{name}_down", width, 1, stride, False) if (stride != 1 or channels != width) else h
            h = g.add("ReLU", g.add("Add", main, skip, name=f"{name}_add"), name=f"{name}_out")
            channels = width
    h = g.add("Flatten", g.add("AdaptiveAvgPool2d", h, name="avgpool"), name="flatten")
    g.output(g.add("Linear", h, name="fc", out_features=1000), name="logits")
    return g


def chain_graph(length: int = 500) -> Graph:
    """A chain of ``length`` nodes: Input, alternating Linear(64) and ReLU, Output."""
    g = Graph()
    h: Source = g.input((64,))
    for i in range(length - 2):
        h = g.add("Linear", h, out_features=64) if i % 2 == 0 else g.add("ReLU", h)
    g.output(h, loss="mse")
    return g
