"""Every layer type NetDesigner offers, declared once each, grouped by palette category.

Importing this package registers them all (see ``netdesigner.core.catalog``).
"""

from netdesigner.core.layers import (  # noqa: F401  (imported to register the declarations)
    activations,
    attention,
    convolution,
    dense,
    io,
    normalisation,
    pooling,
    probabilistic,
    recurrent,
    regularisation,
    structure,
)
