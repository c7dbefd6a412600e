"""Training a GAN: the ``Trainer``'s loop with two networks that take turns.

The project's graph holds both networks (``core.gan``); the compiled module is the whole, and
the generator and discriminator are views over its very layers (``gan_halves``), so snapshots,
checkpoints, the trajectory, saved weights and export all see one ordinary state_dict. The
loop, the events, stop / pause / resume, NaN handling and checkpoints are the ``Trainer``'s;
what differs is each batch's step and what a pass measures (``gan_objective``):

1. the discriminator's step: real samples against "real", the generator's samples of fresh
   noise z ~ N(0, I) (detached) against "fake";
2. the generator's step: the same generated samples through the updated discriminator,
   against "real" (the non-saturating loss). The discriminator's weights are frozen for it,
   so they get no gradient from it; the generator gets none from step 1.

Two optimisers, in one: the project's optimiser kind and settings, with one parameter group
per network. Each step gives gradients to one network only, and torch's optimisers leave a
parameter without a gradient untouched (moments included), so each group moves only on its
own network's loss, exactly as two optimisers would; the base trainer's schedule, checkpoint
and NaN recovery need no second copy. Adam and AdamW use betas (0.5, 0.999), the DCGAN
choice (Radford et al., 2016): a shorter memory of past gradients against a moving opponent.
``input_noise`` adds Gaussian *instance noise* to the samples the discriminator sees, real and
generated alike (a known stabiliser), never to the generator's own output.

Validation and test passes compute the same losses without updates, with noise fixed per
split so epochs compare; for a mixture of Gaussians in the plane they also count the modes
covered (``modes_covered``, ``high_quality``), for data with classes the classes a judge
trained on the real data finds in the samples (``classes_found``, and ``judge_accuracy`` on
the real test split in the final metrics).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from netdesigner.core.errors import TrainingError
from netdesigner.train.gan_objective import GanObjective, GanTally
from netdesigner.train.optim import make_optimizer, retune
from netdesigner.train.placement import place_data
from netdesigner.train.trainer import Trainer

if TYPE_CHECKING:
    import torch

    from netdesigner.core.graph import Graph
    from netdesigner.core.project import TrainingSettings
    from netdesigner.data.splits import Splits
    from netdesigner.train.optim import Schedule

GAN_BETAS = (0.5, 0.999)  # Adam's and AdamW's betas for both networks
EVAL_NOISE_SEED = 4321  # + the run's seed: the fixed noise of validation and test passes
JUDGED_SAMPLES = 1000  # generated samples the class judge names, per pass


class GanTrainer(Trainer):
    """A ``Trainer`` for a compiled GAN (a graph with an Output of loss ``gan``)."""

    def _prepare(self, splits: Splits, graph: Graph | None, settings: TrainingSettings) -> tuple[Splits, Any, torch.optim.Optimizer]:
        import torch

        from netdesigner.core.compiler import CompiledInfo
        from netdesigner.core.gan import gan_halves

        info = getattr(self.module, "meta", {}).get("netdesigner")
        self.gan = getattr(info, "gan", None)
        if self.gan is None:
            raise TrainingError("the model is no GAN: give the discriminator's Output the loss gan")
        self.generator_net, self.discriminator_net = gan_halves(self.module)
        self.discriminator_net.meta["netdesigner"] = CompiledInfo([self.gan.real], [self.gan.score])
        if self.forward_module is not self.module:
            self.notes.append("a GAN trains its two networks on one device: data parallelism is not used")
        self.generator_params = [p for p in self.generator_net.parameters() if p.requires_grad]
        self.discriminator_params = [p for p in self.discriminator_net.parameters() if p.requires_grad]
        for network, params in (("generator", self.generator_params), ("discriminator", self.discriminator_params)):
            if not params:
                raise TrainingError(f"the {network} has no layer with weights: give it a Linear or a convolution")
        placed, notes = place_data(splits, self.discriminator_net, graph, self.device)
        self.notes += notes
        self.noise_shape = tuple(self.gan.noise_shape)
        real = placed.train.x[:2]
        if not real.is_floating_point():
            raise TrainingError(f"a GAN learns float samples, but the data set {placed.info.name!r} gives {real.dtype}")
        self.generator_net.eval()
        self.discriminator_net.eval()
        try:
            with torch.no_grad(), self.precision.autocast():
                fake = self.generator_net(torch.randn(2, *self.noise_shape, device=self.device))
                self.discriminator_net(real)
        except Exception as e:
            raise TrainingError(f"the GAN cannot run on the data set's samples (shape {tuple(real.shape[1:])}): {e}") from None
        finally:
            self.module.train()
        if tuple(fake.shape[1:]) != tuple(real.shape[1:]):
            raise TrainingError(f"the generator makes samples of shape {tuple(fake.shape[1:])}, but the data set's are "
                                f"{tuple(real.shape[1:])}: the discriminator must see both alike")
        self._eval_noise: dict[str, torch.Tensor] = {}
        self._judge: Any = None
        return placed, GanObjective(settings.kl_beta), self._gan_optimizer(settings)

    def _gan_optimizer(self, settings: TrainingSettings) -> torch.optim.Optimizer:
        """The project's optimiser with a parameter group per network (generator first)."""
        optimizer = make_optimizer(self.generator_params, settings)
        optimizer.add_param_group({"params": self.discriminator_params})
        if settings.optimizer in ("adam", "adamw"):
            optimizer.defaults["betas"] = GAN_BETAS
            for group in optimizer.param_groups:
                group["betas"] = GAN_BETAS
        return optimizer

    def _retuned_optimizer(self, new: TrainingSettings) -> torch.optim.Optimizer:
        kept = retune(self.optimizer, self.module.parameters(), self.settings, new)
        return kept if kept is self.optimizer else self._gan_optimizer(new)

    def _new_tally(self) -> GanTally:
        return GanTally()

    # ---- one batch: the discriminator's step, then the generator's ------------------------
    def _step(self, x: torch.Tensor, y: torch.Tensor, tally: GanTally, last: bool, schedule: Schedule,
              epoch: int, batch: int) -> Any:
        import torch

        objective: GanObjective = self.objective
        noise = torch.randn(len(x), *self.noise_shape, device=self.device)
        with self.precision.autocast():
            fake = self.generator_net(noise)
            d_loss = objective.discriminator_loss(self.discriminator_net(self._blurred(x)),
                                                  self.discriminator_net(self._blurred(fake.detach())), tally)
        self._check_finite(d_loss.detach(), epoch, batch, "in the discriminator's loss ")
        d_grads = self._backward_and_step(d_loss, last)
        with _frozen(self.discriminator_params):
            with self.precision.autocast():
                g_loss = objective.generator_loss(self.discriminator_net(self._blurred(fake)), tally)
            self._check_finite(g_loss.detach(), epoch, batch, "in the generator's loss ")
            g_grads = self._backward_and_step(g_loss, last)
        self._last_loss = (d_loss + g_loss).detach()
        schedule.after_batch()
        self.step += 1
        if not last:
            return None
        return d_grads.joined(g_grads)

    def _blurred(self, samples: torch.Tensor) -> torch.Tensor:
        """``samples`` with instance noise (``input_noise``) when the settings ask for it."""
        import torch

        s = self.settings.input_noise
        return samples + s * torch.randn_like(samples) if s > 0 else samples

    # ---- passes without learning ----------------------------------------------------------
    def _evaluate(self, split: str, confusion: bool = False) -> tuple[float, dict[str, float], None]:
        """The losses on ``split``'s real samples against as many generated from fixed noise,
        and what the generator covers; ``judge_accuracy`` too on the test split."""
        import torch

        from netdesigner.train.evaluation import EVAL_BATCH

        part = getattr(self.splits, split)
        tally = GanTally()
        batch = max(self.settings.batch_size, EVAL_BATCH)
        noise = self._noise_for(split, len(part))
        self.module.eval()
        try:
            with torch.no_grad(), self.precision.autocast():
                for i in range(0, len(part), batch):
                    real, z = part.x[i:i + batch], noise[i:i + batch]
                    fake = self.generator_net(z)
                    fake_logits = self.discriminator_net(fake)
                    self.objective.discriminator_loss(self.discriminator_net(real), fake_logits, tally)
                    self.objective.generator_loss(fake_logits, tally)
                loss, metrics = tally.read()
                metrics.update(self._coverage(split))
        finally:
            self.module.train()
        return loss, metrics, None

    def _noise_for(self, split: str, count: int) -> torch.Tensor:
        import torch

        from netdesigner.analysis.gan_samples import fixed_noise

        found = self._eval_noise.get(split)
        if found is None or len(found) != count:
            if split == "coverage":  # the noise of the Model view's picture: its caption counts the same samples
                found = fixed_noise(self.noise_shape, count).to(self.device)
            else:
                seed = self.settings.seed + EVAL_NOISE_SEED + ("train", "val", "test").index(split)
                found = torch.randn(count, *self.noise_shape, generator=torch.Generator().manual_seed(seed)).to(self.device)
            self._eval_noise[split] = found
        return found

    def _coverage(self, split: str) -> dict[str, float]:
        """Modes covered (a 2-D mixture) or classes found (data with classes) by the generator's
        samples of fixed noise; nothing for other data. Runs in eval mode without gradients."""
        from netdesigner.analysis.gan_samples import COVERAGE_SAMPLES, mixture_of, mode_coverage

        mixture = mixture_of(self.splits)
        if mixture is not None and tuple(self.splits.train.x.shape[1:]) == (2,):
            samples = self.generator_net(self._noise_for("coverage", COVERAGE_SAMPLES)).float().cpu().numpy()
            found = mode_coverage(samples, *mixture)
            return {"modes_covered": float(found.covered), "high_quality": found.high_quality}
        judge = self._class_judge()
        if judge is None:
            return {}
        classes, _ = judge.classes_found(self.generator_net(self._noise_for("coverage", JUDGED_SAMPLES)))
        result = {"classes_found": float(classes)}
        if split == "test":
            result["judge_accuracy"] = judge.accuracy(self.splits.test.x, self.splits.test.y)
        return result

    def _class_judge(self) -> Any:
        """A softmax regression of the real training samples' classes, made once; None for data
        without classes."""
        import torch

        y = self.splits.train.y
        classes = self.splits.info.num_classes
        if torch.is_floating_point(y) or y.dim() != 1 or not classes or classes < 2:
            return None
        if self._judge is None:
            from netdesigner.analysis.gan_samples import SampleJudge

            with torch.enable_grad():
                self._judge = SampleJudge(self.splits.train.x, y, classes)
        return self._judge


@contextlib.contextmanager
def _frozen(params: list[torch.nn.Parameter]) -> Iterator[None]:
    """Parameters that get no gradient while the block runs (the discriminator during the
    generator's step: its input gradient still flows back to the generator)."""
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def trainer_class(graph: Graph | None) -> type[Trainer]:
    """``GanTrainer`` for a GAN graph (an Output with the loss gan), ``Trainer`` otherwise."""
    from netdesigner.core.gan import is_gan

    return GanTrainer if graph is not None and is_gan(graph) else Trainer
