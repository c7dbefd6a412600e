"""``train.py`` of an exported GAN: the two networks taking turns, as the GAN trainer does it
(``netdesigner.train.gan_trainer``), written out as a script a student can follow.

model.py's ``forward(noise, point)`` runs both networks side by side: the generator on the
noise and the discriminator on the points. The script calls it with the points it needs the
discriminator's opinion of (real samples, or generated ones) and picks the outputs. Under
torchrun the processes average their gradients by hand after each backward, rather than
through DistributedDataParallel, which expects one forward per backward and every parameter
to get a gradient; a GAN's steps have two forwards and each feeds one network only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Template
from typing import TYPE_CHECKING

from netdesigner.export.python_train_source import optimizer_call, schedule_rows, scheduler_lines
from netdesigner.export.python_train_template import DROP, PARSE_ARGS, SHARED_SETUP, SHARED_TOOLS

if TYPE_CHECKING:
    from netdesigner.core.project import TrainingSettings


@dataclass(frozen=True)
class GanFacts:
    """Where the two networks sit in model.py's class."""

    class_name: str
    title: str
    noise_at: int  # the noise's place among forward's arguments
    sample_at: int  # the generated samples' place among its outputs
    score_at: int  # the discriminator's logits' place
    noise_shape: tuple[int, ...]
    generator_layers: tuple[str, ...]  # attribute names of the generator's layers


def gan_train_source(facts: GanFacts, settings: TrainingSettings) -> str:
    """The text of a GAN's train.py."""
    s = settings
    rows = [("EPOCHS", s.epochs, ""), ("BATCH_SIZE", s.batch_size, "real samples per step, all processes together"),
            ("LEARNING_RATE", s.learning_rate, ""), ("WEIGHT_DECAY", s.weight_decay, "")]
    if s.optimizer in ("sgd", "rmsprop"):
        rows.append(("MOMENTUM", s.momentum, ""))
    if s.optimizer == "sgd":
        rows.append(("NESTEROV", s.nesterov and s.momentum > 0, ""))
    if s.optimizer in ("adam", "adamw"):
        rows.append(("GAN_BETAS", (0.5, 0.999), "Adam's betas for both networks, the DCGAN choice"))
    rows += schedule_rows(s)
    if s.grad_clip > 0:
        rows.append(("GRAD_CLIP", s.grad_clip, "largest gradient norm of each network's step"))
    rows += [("INSTANCE_NOISE", s.input_noise, "std of the noise added to every sample the discriminator sees; 0 = none"),
             ("SEED", s.seed, ""),
             ("NOISE_SHAPE", facts.noise_shape, "one sample of the generator's input noise"),
             ("GENERATOR_LAYERS", facts.generator_layers, "model.py's layers that make up the generator"),
             ("NOISE_AT, SAMPLE_AT, SCORE_AT", (facts.noise_at, facts.sample_at, facts.score_at),
              "places of the noise among forward's inputs, and of the samples and the logits among its outputs")]
    settings_text = "\n".join(f"{name} = {value!r}" + (f"  # {note}" if note else "") for name, value, note in rows)
    scheduler, after_batch, after_epoch = scheduler_lines(s)
    optimizer = optimizer_call(s, "[{\"params\": generator_params}, {\"params\": discriminator_params}]")
    if s.optimizer in ("adam", "adamw"):
        optimizer = optimizer[:-1] + ", betas=GAN_BETAS)"
    fills = {
        "class_name": facts.class_name, "title": facts.title.replace('"', "'"), "settings": settings_text,
        "optimizer": optimizer, "scheduler": scheduler, "after_batch": after_batch, "after_epoch": after_epoch,
        "clip_discriminator": "torch.nn.utils.clip_grad_norm_(discriminator_params, GRAD_CLIP)" if s.grad_clip > 0 else DROP,
        "clip_generator": "torch.nn.utils.clip_grad_norm_(generator_params, GRAD_CLIP)" if s.grad_clip > 0 else DROP,
        "monitored_line": ('monitored = sum(val.values()) if val else train["discriminator_loss"] + train["generator_loss"]'
                           if s.schedule == "plateau" else DROP),
        "shared_setup": SHARED_SETUP, "shared_tools": SHARED_TOOLS,
        "parse_args": PARSE_ARGS.substitute(
            description=f"Trains the GAN {facts.class_name} on data.npz.",
            out_help="folder for last.safetensors, written after every epoch", batch_help="real samples per step",
            seeded="the weights, the shuffling and the noise"),
    }
    text = GAN_TRAIN_TEMPLATE.substitute(fills)
    lines = [line for line in text.split("\n") if line.strip() != DROP]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines))


GAN_TRAIN_TEMPLATE = Template('''\
"""Trains the GAN $class_name as the NetDesigner project "$title" was trained.

Each step: the discriminator learns to tell real samples (data.npz) from the generator's
(its loss −log D(x) − log(1 − D(G(z)))); then the generator learns to make samples the
updated discriminator calls real (the non-saturating loss −log D(G(z))), the discriminator
frozen meanwhile. One optimiser, one parameter group per network: a step moves only the
network that got gradients.

    python train.py --epochs 5
    torchrun --nproc_per_node=4 train.py

Under torchrun each process trains on its share of the real samples with its own noise and
the processes average their gradients after each backward, so the copies stay equal. Only
process 0 prints and writes the weights.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from model import $class_name

HERE = Path(__file__).resolve().parent

# The project's training settings.
$settings


$parse_args


$shared_setup


def run(model: torch.nn.Module, noise: torch.Tensor, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(the generator's samples of ``noise``, the discriminator's logits for ``points``)."""
    args = [noise, points] if NOISE_AT == 0 else [points, noise]
    outputs = model(*args)
    return outputs[SAMPLE_AT], outputs[SCORE_AT]


def seen(samples: torch.Tensor) -> torch.Tensor:
    """What the discriminator sees: the samples, with instance noise when INSTANCE_NOISE is set."""
    return samples + INSTANCE_NOISE * torch.randn_like(samples) if INSTANCE_NOISE > 0 else samples


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def average_gradients(params: list[torch.nn.Parameter]) -> None:
    """Under torchrun: every process's gradients replaced by their mean over the processes."""
    if not dist.is_initialized():
        return
    for p in params:
        if p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad /= dist.get_world_size()


def evaluate(model: torch.nn.Module, dataset: TensorDataset, device: torch.device, seed: int) -> dict[str, float]:
    """Both losses over a split, without learning, with noise fixed by ``seed`` so epochs compare."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    sums, count = {"discriminator_loss": 0.0, "generator_loss": 0.0}, 0
    with torch.no_grad():
        for (x,) in DataLoader(TensorDataset(dataset.tensors[0]), batch_size=512):
            x = x.to(device)
            z = torch.randn(len(x), *NOISE_SHAPE, generator=generator).to(device)
            fake, real_logits = run(model, z, x)
            _, fake_logits = run(model, z, fake)
            sums["discriminator_loss"] += discriminator_loss(real_logits, fake_logits).item() * len(x)
            sums["generator_loss"] += generator_loss(fake_logits).item() * len(x)
            count += len(x)
    model.train()
    return {name: value / max(count, 1) for name, value in sums.items()}


$shared_tools


def main() -> None:
    args = parse_args()
    rank, world_size, device = start_processes(args.cpu)
    torch.manual_seed(args.seed)  # the same fresh weights in every process
    train_set, val_set, _test_set = load_splits(args.data)

    model = $class_name()
    if args.weights:
        model.load_state_dict(load_file(str(args.weights)))
    model.to(device)
    generator_params = [p for name, p in model.named_parameters() if name.split(".")[0] in GENERATOR_LAYERS]
    discriminator_params = [p for name, p in model.named_parameters() if name.split(".")[0] not in GENERATOR_LAYERS]
    torch.manual_seed(args.seed + 1 + rank)  # each process its own noise

    per_process = max(1, args.batch_size // world_size)
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(TensorDataset(train_set.tensors[0]), batch_size=per_process, sampler=sampler)
    optimizer = $optimizer
    $scheduler

    if rank == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        say(f"training the GAN {type(model).__name__} on {len(train_set)} samples, {world_size} process(es) on {device}")
        if len(val_set):
            say(f"epoch 0/{args.epochs}  {describe(evaluate(model, val_set, device, args.seed), 'val')}  (before training)")

    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)
        sums = torch.zeros(4, dtype=torch.float64, device=device)  # d loss, g loss, D(x), D(G(z)), times samples
        samples = 0
        for (x,) in loader:
            x = x.to(device)
            z = torch.randn(len(x), *NOISE_SHAPE, device=device)
            # 1. the discriminator: real against "real", generated (detached: no gradient to G) against "fake"
            fake, real_logits = run(model, z, seen(x))
            _, fake_logits = run(model, z, seen(fake.detach()))
            d_loss = discriminator_loss(real_logits, fake_logits)
            optimizer.zero_grad(set_to_none=True)
            d_loss.backward()
            average_gradients(discriminator_params)
            $clip_discriminator
            optimizer.step()
            # 2. the generator, through the updated discriminator, whose weights stay as they are
            for p in discriminator_params:
                p.requires_grad_(False)
            _, fooled_logits = run(model, z, seen(fake))
            g_loss = generator_loss(fooled_logits)
            optimizer.zero_grad(set_to_none=True)
            g_loss.backward()
            for p in discriminator_params:
                p.requires_grad_(True)
            average_gradients(generator_params)
            $clip_generator
            optimizer.step()
            $after_batch
            with torch.no_grad():
                sums += torch.stack([d_loss.detach(), g_loss.detach(), torch.sigmoid(real_logits.detach()).mean(),
                                     torch.sigmoid(fake_logits.detach()).mean()]).double() * len(x)
            samples += len(x)
        train = dict(zip(("discriminator_loss", "generator_loss", "d_real", "d_fake"), (sums / max(samples, 1)).tolist()))
        train = mean_over_processes(train, device)
        val = mean_over_processes(evaluate(model, val_set, device, args.seed), device) if len(val_set) else {}
        $monitored_line
        $after_epoch
        if rank == 0:
            lr = optimizer.param_groups[0]["lr"]
            say(f"epoch {epoch}/{args.epochs}  {describe(train, 'train')}  {describe(val, 'val')}  lr {lr:.3g}")
            save_weights(model, args.out / "last.safetensors")

    say(f"process {rank} of {world_size} finished {args.epochs} epoch(s) on {device}")
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
        # Leave without Python's own teardown: gloo's threads can still hold tensors whose release
        # at interpreter exit aborts the process (SIGABRT), failing a run whose work is done and saved.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
''')
