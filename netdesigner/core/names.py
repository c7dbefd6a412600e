"""Node names: readable, unique, and safe to use as Python identifiers in generated code.

Node names become submodule names of the compiled ``torch.fx.GraphModule`` and variable
names in the PyTorch code it prints, so a name from a file is never trusted: it must be a
plain identifier that cannot shadow anything a module already has.
"""

from __future__ import annotations

import keyword
import re

MAX_NAME_LENGTH = 64

# Public attributes of torch.fx.GraphModule (tests/core/test_names.py checks this list
# against the installed torch); a submodule with one of these names would shadow it.
MODULE_ATTRIBUTES = frozenset(
    ["T_destination", "add_module", "add_submodule", "apply", "bfloat16", "buffers", "call_super_init", "children", "code", "compile", "cpu", "cuda", "delete_all_unused_submodules", "delete_submodule", "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "graph", "half", "ipu", "load_state_dict", "meta", "modules", "mtia", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "print_readable", "recompile", "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook", "register_full_backward_pre_hook", "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module", "register_parameter", "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule", "shape_env", "share_memory", "state_dict", "to", "to_empty", "to_folder", "train", "training", "type", "xpu", "zero_grad", "self"]
)

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a node, or None if it can."""
    if not isinstance(name, str) or not name:
        return "a name must be a non-empty text"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name may have at most {MAX_NAME_LENGTH} characters"
    if not _IDENTIFIER.match(name):
        return f"{name!r} is not a valid name: use letters, digits and _, starting with a letter"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{name!r} is a Python keyword"
    if name in MODULE_ATTRIBUTES:
        return f"{name!r} is reserved (a PyTorch module already has an attribute of that name)"
    return None
