"""Where tensors enter and leave a model."""

from __future__ import annotations

from netdesigner.core.layer_type import DTYPES, Category, LayerKind, LayerType, TensorInfo, add_type
from netdesigner.core.params import Choice, Float, IntTuple, Params

LOSSES = ("cross_entropy", "mse", "l1", "bce_with_logits", "nll", "gan", "none")


def _input_tensor(p: Params) -> TensorInfo:
    return TensorInfo(p.shape, p.dtype)


add_type(
    LayerType(
        "Input", Category.IO, "input",
        "A model input: one sample's shape (without the batch axis) and its dtype.",
        params=(
            IntTuple("shape", (1, 28, 28), "shape of one sample, e.g. (channels, height, width) or (sequence, features)", min=1, max=1_000_000),
            Choice("dtype", "float32", DTYPES, "float32 for measurements and pixels, int64 for token ids that feed an Embedding"),
        ),
        inputs=(),
        kind=LayerKind.SOURCE,
        make_source=_input_tensor,
    )
)

add_type(
    LayerType(
        "Output", Category.IO, "output",
        "A model output: its name is the output's name; its loss compares it with the target.",
        params=(
            Choice("loss", "cross_entropy", LOSSES, "loss against the target: cross_entropy takes logits and class ids; nll takes log-probabilities; gan: the discriminator's real/fake score (a logit), which makes the project a GAN; none for outputs that are only looked at (and a GAN generator's samples)"),
            Float("loss_weight", 1.0, "weight of this output's loss in the total (several outputs add up)", min=0.0, max=1000.0),
        ),
        outputs=0,
        kind=LayerKind.SINK,
    )
)
