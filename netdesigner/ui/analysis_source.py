"""What the analysis views evaluate, for the window: a snapshot of the weights, the module,
the training loss and the data splits. ``provider_for_window(window)`` makes one from the
window's trainer (its ``snapshot()``, so a running training is never read directly) or from
the project's saved weights, as the ``landscape`` and ``activations`` commands do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netdesigner.core.errors import NetDesignerError

GAN_MESSAGE = ("Not available for a GAN: the loss landscape and the activations follow one network's loss on "
               "the data, and a GAN is two networks in a game. See the generator's samples in the Model view and "
               "both losses in the Training curves")


@dataclass
class AnalysisSource:
    """What the landscape and activations are computed from. ``state`` is a CPU snapshot of θ (read, never
    written); ``module`` is only copied (``landscape.private_copy``); ``loss_fn(module, x, y)``
    is the training loss; ``init`` and ``init_seed`` draw the fresh weights θ₀ of the line."""

    state: dict[str, Any]
    module: Any
    loss_fn: Callable[[Any, Any, Any], float]
    splits: Any
    init: str = "default"
    init_seed: int = 0
    trajectory: list[dict[str, Any]] = field(default_factory=list)  # CPU snapshots of the run, oldest first

    def batch(self, split: str, size: int, seed: int) -> tuple[Any, Any]:
        from netdesigner.analysis.landscape import evaluation_batch

        return evaluation_batch(self.splits, split, size, seed)

    def fresh_state(self) -> dict[str, Any]:
        """θ₀: the weights a new training run would start from."""
        from netdesigner.analysis.landscape import private_copy
        from netdesigner.train.optim import initialize_weights

        fresh = private_copy(self.module, self.state, "cpu")
        initialize_weights(fresh, self.init, self.init_seed)
        return {k: v.detach().clone() for k, v in fresh.state_dict().items()}


def provider_for_window(window: Any) -> AnalysisSource:
    """The source for ``window``: its trainer's weights when it has one (trained or training),
    else the project's saved weights; ``NetDesignerError`` when there are none."""
    from netdesigner.analysis.landscape import loss_fn_for
    from netdesigner.core.gan import is_gan

    if is_gan(window.project.graph):
        raise NetDesignerError(GAN_MESSAGE)
    trainer = getattr(getattr(window, "training", None), "trainer", None)
    if trainer is not None:
        return AnalysisSource(trainer.snapshot(), trainer.module, loss_fn_for(trainer.objective),
                              trainer.splits, trainer.settings.init, trainer.settings.seed, list(trainer.trajectory))
    project = window.project
    if not project.weights:
        raise NetDesignerError("Train the model first: the loss landscape, the activations and the text samples are drawn from "
                               "trained weights, and this project has none yet")
    from netdesigner.train.project_trainer import cpu_trainer_for

    trainer = cpu_trainer_for(project)
    state = {k: v.detach().to("cpu", copy=True) for k, v in trainer.module.state_dict().items()}
    return AnalysisSource(state, trainer.module, loss_fn_for(trainer.objective), trainer.splits,
                          trainer.settings.init, trainer.settings.seed)
