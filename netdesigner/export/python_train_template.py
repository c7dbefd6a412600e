"""The fixed part of an exported ``train.py``; ``python_train_source`` fills in the project's part.

The template is plain ``string.Template`` text (``$name`` placeholders, as PyTorch code is
full of braces). A placeholder standing alone on a line that the project does not need is
filled with ``DROP`` and the line disappears, so the script holds only what this project uses.
"""

from __future__ import annotations

from string import Template

DROP = "\0drop\0"

PARSE_ARGS = Template('''\
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="$description")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs to train (default {EPOCHS})")
    parser.add_argument("--out", type=Path, default=HERE / "checkpoints",
                        help="$out_help; default: checkpoints beside this file")
    parser.add_argument("--data", type=Path, default=HERE / "data.npz", help="the data set (default: data.npz beside this file)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"$batch_help, all processes together (default {BATCH_SIZE})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE, help=f"learning rate (default {LEARNING_RATE})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of $seeded (default {SEED})")
    parser.add_argument("--weights", type=Path, help="start from these weights (e.g. weights.safetensors) instead of fresh ones")
    parser.add_argument("--cpu", action="store_true", help="train on the CPU even where there is a GPU")
    return parser.parse_args()''')

# Functions every train.py holds (the plain and the GAN one), filled into $shared_setup and $shared_tools.
SHARED_SETUP = '''\
def start_processes(use_cpu: bool) -> tuple[int, int, torch.device]:
    """(this process's rank, the number of processes, its device).

    torchrun starts the processes and tells each its RANK, WORLD_SIZE and LOCAL_RANK (its
    number on this machine, which picks its GPU). Under plain python none of them is set and
    this is the only process.
    """
    cuda = torch.cuda.is_available() and not use_cpu
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if cuda else "cpu")
    if cuda:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    dist.init_process_group("nccl" if cuda else "gloo")  # NCCL between GPUs, gloo between CPU processes
    return dist.get_rank(), dist.get_world_size(), device


def load_splits(path: Path) -> tuple[TensorDataset, TensorDataset, TensorDataset]:
    """The train, validation and test splits NetDesigner trained on, as saved by the export."""
    data = np.load(path)  # plain arrays: np.load refuses pickled objects

    def split(name: str) -> TensorDataset:
        return TensorDataset(torch.from_numpy(data[f"{name}_x"]), torch.from_numpy(data[f"{name}_y"]))

    return split("train"), split("val"), split("test")
'''

SHARED_TOOLS = '''\
def mean_over_processes(values: dict[str, float], device: torch.device) -> dict[str, float]:
    """The mean of each value over all processes, so that every process decides alike (a
    BatchNorm's running statistics, and so its validation loss, differ a little between them)."""
    if not dist.is_initialized():
        return values
    t = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(t)  # sums over the processes
    return dict(zip(values, (t / dist.get_world_size()).tolist()))


def save_weights(model: torch.nn.Module, path: Path) -> None:
    """The weights as safetensors (never pickle), through a temporary file: a crash never
    leaves half a file."""
    temporary = path.with_name(path.name + ".tmp")
    save_file({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, str(temporary))
    os.replace(temporary, path)


def say(line: str) -> None:
    """Print one whole line in one write. Python's print writes the text and its newline apart when
    output is unbuffered (python -u, PYTHONUNBUFFERED), so the lines of two processes sharing
    torchrun's output could run into each other."""
    sys.stdout.write(line + "\\n")
    sys.stdout.flush()


def describe(values: dict[str, float], prefix: str) -> str:
    return "  ".join(f"{prefix} {name} {value:.4f}" for name, value in values.items())
'''

TRAIN_TEMPLATE = Template('''\
"""Trains $class_name as the NetDesigner project "$title" was trained.

The same data (data.npz: the project's train, validation and test splits), the same loss,
optimiser, learning-rate schedule and settings (the constants below), in plain PyTorch.

One process (the GPU if there is one, else the CPU):

    python train.py --epochs 5

Several processes, e.g. one per GPU of this machine:

    torchrun --nproc_per_node=4 train.py

Under torchrun every process holds a copy of the model and trains on its own share of each
epoch's samples (DistributedSampler); DistributedDataParallel averages the gradients of all
processes in every step, so the copies stay equal. BATCH_SIZE is the batch of all processes
together. Only process 0 (rank 0) prints the losses and writes the weights.
"""

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
$nn_import
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

$layers_import
from model import $class_name

HERE = Path(__file__).resolve().parent

# The project's training settings.
$settings


$parse_args


$shared_setup


$objective


def evaluate(model: torch.nn.Module, dataset: TensorDataset, device: torch.device) -> dict[str, float]:
    """$evaluate_doc"""
    model.eval()
    loss_sum = 0.0
    $counter_line
    with torch.no_grad():
        for x, y in DataLoader(dataset, batch_size=512):
            x, y = x.to(device), y.to(device)
            output = model(x)
            loss_sum += compute_loss(output, x, y).item() * len(x)
            $count_line
    model.train()
    return $metrics


$shared_tools


def main() -> None:
    args = parse_args()
    rank, world_size, device = start_processes(args.cpu)
    torch.manual_seed(args.seed)  # the same fresh weights in every process
    train_set, val_set, test_set = load_splits(args.data)

    model = $class_name()
    $initialize_call
    if args.weights:
        model.load_state_dict(load_file(str(args.weights)))
    model.to(device)
    $kl_hooks
    # Under torchrun, DistributedDataParallel wraps the model and averages the gradients of
    # all processes during backward(); under plain python the model trains alone.
    net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None) if world_size > 1 else model

    per_process = max(1, args.batch_size // world_size)
    sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
    # An epoch never ends on a batch of one sample: BatchNorm cannot train on it.
    one_left = len(sampler) % per_process == 1 and len(sampler) > 1
    loader = DataLoader(train_set, batch_size=per_process, sampler=sampler, drop_last=one_left)
    optimizer = $optimizer
    $scheduler

    if rank == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        say(f"training {type(model).__name__} on {len(train_set)} samples, {world_size} process(es) on {device}")
        first, name = (val_set, "val") if len(val_set) else (train_set, "train")
        say(f"epoch 0/{args.epochs}  {describe(evaluate(model, first, device), name)}  (before training)")

    best_loss, waited, best_weights, epochs_run = math.inf, 0, None, 0
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same one in every process
        loss_sum, samples = torch.zeros((), device=device), 0  # summed on the device: no waiting for a GPU per batch
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            $noise_line
            loss = compute_loss(net($model_input), x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            $clip_line
            optimizer.step()
            $after_batch
            loss_sum += loss.detach() * len(x)
            samples += len(x)
        train = mean_over_processes({"loss": loss_sum.item() / samples}, device)
        val = mean_over_processes(evaluate(model, val_set, device), device) if len(val_set) else {}
        monitored = val["loss"] if val else train["loss"]
        $after_epoch
        epochs_run = epoch
        improved = monitored < best_loss
        if improved:
            best_loss, waited = monitored, 0
            if RESTORE_BEST:
                best_weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
        if rank == 0:
            lr = optimizer.param_groups[0]["lr"]
            say(f"epoch {epoch}/{args.epochs}  {describe(train, 'train')}  {describe(val, 'val')}  lr {lr:.3g}")
            save_weights(model, args.out / "last.safetensors")
            if improved:
                save_weights(model, args.out / "best.safetensors")
        if EARLY_STOPPING_PATIENCE and waited >= EARLY_STOPPING_PATIENCE:
            if rank == 0:
                say(f"stopping early: no better validation loss for {waited} epochs")
            break

    if best_weights is not None:
        model.load_state_dict(best_weights)  # end with the weights of the best epoch
    if rank == 0 and len(test_set):
        say(describe(evaluate(model, test_set, device), "test"))
    say(f"process {rank} of {world_size} finished {epochs_run} epoch(s) on {device}")
    if dist.is_initialized():
        dist.barrier()  # a process tearing down gloo while another still evaluates can abort ("terminate called…")
        del net  # DistributedDataParallel's reducer holds work of the process group
        dist.destroy_process_group()
        # Leave without Python's own teardown: gloo's threads can still hold tensors whose release
        # at interpreter exit aborts the process (SIGABRT, "terminate called without an active
        # exception"), failing a run whose work is done and saved.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
''')
