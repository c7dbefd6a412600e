"""The training settings as parameter declarations, so the panel's form is made like the
inspector's (one editor per kind) and every value is checked before it reaches the project."""

from __future__ import annotations

from netdesigner.core.params import Bool, Choice, Float, Int, Param
from netdesigner.core.project import AMP_MODES, INITS, OPTIMIZERS, SCHEDULES

DEVICES = ("auto", "cpu", "cuda", "mps")

# The fields shown first; the rest sit under "More settings".
MAIN = ("optimizer", "learning_rate", "batch_size", "epochs", "schedule", "seed", "device")

TRAINING_PARAMS: tuple[Param, ...] = (
    Choice("optimizer", "adam", OPTIMIZERS, "how the weights follow the gradient: SGD (with momentum / Nesterov), Adam, AdamW (decoupled weight decay), RMSprop, Adagrad"),
    Float("learning_rate", 1e-3, "step size of the optimiser; too high diverges (NaN), too low crawls", min=1e-8, max=10.0),
    Int("batch_size", 64, "samples per gradient step: small batches are noisy, large ones smooth (and sharper minima)", min=1, max=65536),
    Int("epochs", 10, "passes over the training data in one run; Continue runs this many more", min=1, max=100000),
    Choice("schedule", "none", SCHEDULES, "how the learning rate changes: step drops, cosine decay, one-cycle warm-up and decay, or drop on a validation plateau"),
    Int("seed", 0, "seeds weights, shuffling and noise: the same seed repeats a CPU run exactly", min=0, max=2**31 - 1),
    Choice("device", "auto", DEVICES, "where to train: auto picks CUDA, then Apple MPS, then the CPU"),
    Float("weight_decay", 0.0, "L2 penalty on the weights (decoupled for AdamW): a regulariser", min=0.0, max=10.0),
    Float("momentum", 0.9, "momentum of SGD and RMSprop", min=0.0, max=0.999),
    Bool("nesterov", False, "Nesterov momentum (SGD with momentum only)"),
    Int("step_size", 10, "step schedule: epochs between two drops of the learning rate", min=1, max=100000),
    Float("gamma", 0.1, "step and plateau schedules: the factor each drop multiplies the learning rate by", min=1e-6, max=1.0),
    Int("plateau_patience", 3, "plateau schedule: epochs without a better validation loss before a drop", min=0, max=100000),
    Float("grad_clip", 0.0, "largest gradient norm (all parameters together); 0 turns clipping off", min=0.0, max=1e6),
    Choice("init", "default", INITS, "how weights are drawn at the start: PyTorch's default, Kaiming, Xavier or orthogonal"),
    Int("early_stopping_patience", 0, "stop after this many epochs without a better validation loss; 0 = never", min=0, max=100000),
    Bool("restore_best", False, "end the run with the weights of its best validation epoch"),
    Choice("amp", "off", AMP_MODES, "mixed precision on CUDA: bf16, or fp16 with loss scaling"),
    Float("input_noise", 0.0, "standard deviation of Gaussian noise added to training inputs (denoising)", min=0.0, max=100.0),
    Float("kl_beta", 1.0, "weight of the KL terms of Reparameterize layers (β-VAE)", min=0.0, max=1000.0),
    Bool("data_parallel", False, "split each batch over all CUDA GPUs"),
)
