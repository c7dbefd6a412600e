"""``layers.py`` of an exported package: NetDesigner's own layers that the model uses, as source.

Classes are copied with ``inspect.getsource``, so the package runs what the designer ran, not
a second version of it that could drift. With each class come the module-level functions and
base classes its source names (``Concat`` needs ``batch_dim``, ``LSTM`` needs
``_SequenceOrLast``), found by reading the source, and nothing else. The copies may use only
``torch`` and ``torch.nn``: the package needs PyTorch and nothing of NetDesigner.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Iterable

from netdesigner.export.export_error import ExportError
from netdesigner.export.python_constructors import is_netdesigner_layer

_IMPORTS = {"torch": "import torch", "nn": "from torch import nn"}  # name in the source → import


def layers_source(classes: Iterable[type]) -> str:
    """The text of layers.py for ``classes`` (and what they need), in dependency order."""
    definitions = _in_dependency_order(classes)
    names = [d.__name__ for d in definitions]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExportError(f"two layers named {twice[0]} would meet in layers.py")
    homes = sorted({d.__module__ for d in definitions})
    header = [
        '"""NetDesigner\'s own layers that model.py uses, copied so that this folder needs only PyTorch.',
        "",
        "Copied from " + ", ".join(homes) + ".",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *_IMPORTS.values(),
    ]
    parts = ["\n".join(header)] + [_source(d) for d in definitions]
    return "\n\n\n".join(parts) + "\n"


def _source(obj: object) -> str:
    try:
        return textwrap.dedent(inspect.getsource(obj)).rstrip()  # type: ignore[arg-type]
    except (OSError, TypeError) as e:
        raise ExportError(f"the source of {obj.__module__}.{obj.__qualname__} cannot be read "  # type: ignore[attr-defined]
                          f"to copy it into the package ({e})") from None


def _in_dependency_order(classes: Iterable[type]) -> list[object]:
    """Each definition after everything it names (base classes must come first)."""
    order: list[object] = []
    seen: set[int] = set()

    def visit(obj: object) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for dependency in _dependencies(obj):
            visit(dependency)
        order.append(obj)

    for cls in sorted(set(classes), key=lambda c: (c.__module__, c.__name__)):
        if not is_netdesigner_layer(cls):
            raise ExportError(f"{cls.__module__}.{cls.__name__} is not one of NetDesigner's layers")
        visit(cls)
    return order


def _dependencies(obj: object) -> list[object]:
    """The module-level classes and functions of NetDesigner that ``obj``'s source names."""
    home = sys.modules[obj.__module__]  # type: ignore[attr-defined]
    tree = ast.parse(_source(obj))
    named = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
    found = []
    for name in named:
        if name == obj.__name__ or name not in vars(home):  # type: ignore[attr-defined]
            continue  # itself, a local, a builtin, or a name imported only for type checking
        value = vars(home)[name]
        if inspect.ismodule(value):
            if name not in _IMPORTS or value.__name__ not in ("torch", "torch.nn"):
                raise ExportError(f"{obj.__qualname__} uses the module {value.__name__} as {name!r}, "  # type: ignore[attr-defined]
                                  "which layers.py does not import")
        elif (inspect.isclass(value) or inspect.isfunction(value)) and is_netdesigner_layer(value):
            found.append(value)
        else:
            raise ExportError(f"{obj.__qualname__} uses {name} of {home.__name__}, "  # type: ignore[attr-defined]
                              "which the package cannot copy")
    return found
