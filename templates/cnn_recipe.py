"""What train_cnn.py does by default on this machine: batch size, learning rate, optimiser, precision.

The aim is the shortest time to a target accuracy, not the most images per second: a bigger
batch is faster per image but learns less per image, so past a point it reaches a given accuracy
later. Each choice below was measured on Fashion-MNIST with SimpleCNN (BENCHMARKS.md has the
figures and the machines); every one can be overridden on the command line.

Machine kinds, from the CPU's flags (/proc/cpuinfo) and what PyTorch can use:
- cuda: a GPU; large batches, bf16 (or fp16 with loss scaling), torch.compile.
- cpu-amx: Intel CPUs with AMX tiles (Sapphire Rapids and later); oneDNN runs bf16 convolutions
  on them several times faster than fp32, so autocast is bf16.
- cpu-avx512 / cpu-avx2: everything else; fp32 (bf16 without AMX is emulated or barely faster and
  costs accuracy).
oneDNN's ONEDNN_MAX_CPU_ISA (e.g. AVX2, AVX512_CORE) limits what it uses, and is honoured here,
so a machine with AMX can stand in for the others when comparing.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch

OPTIMIZERS = ("adamw", "sgd")
# oneDNN's names for its ISA levels, lowest first (its documentation, "CPU dispatcher control").
ONEDNN_ISA_ORDER = (
    "SSE41",
    "AVX",
    "AVX2",
    "AVX2_VNNI",
    "AVX2_VNNI_2",
    "AVX512_CORE",
    "AVX512_CORE_VNNI",
    "AVX512_CORE_BF16",
    "AVX10_1_512",
    "AVX512_CORE_FP16",
    "AVX10_1_512_AMX",
    "AVX512_CORE_AMX",
    "AVX10_1_512_AMX_FP16",
    "AVX512_CORE_AMX_FP16",
    "ALL",
)


@dataclass(frozen=True)
class CpuInfo:
    model: str
    amx: bool  # AMX tiles with bf16 (amx_tile and amx_bf16), and usable by oneDNN here
    avx512_bf16: bool
    avx512: bool
    avx2: bool

    @property
    def kind(self) -> str:
        if self.amx:
            return "cpu-amx"
        return "cpu-avx512" if self.avx512 else "cpu-avx2"

    def describe(self) -> str:
        flags = [name for name, on in (("amx", self.amx), ("avx512_bf16", self.avx512_bf16),
                                       ("avx512", self.avx512), ("avx2", self.avx2)) if on]  # fmt: skip
        return f"{self.model} ({', '.join(flags) or 'no AVX2'})"


def onednn_isa_allows(level: str) -> bool:
    """Whether ONEDNN_MAX_CPU_ISA (unset: no limit) allows oneDNN to use `level`."""
    limit = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
    if not limit or limit.upper() not in ONEDNN_ISA_ORDER:
        return True
    return ONEDNN_ISA_ORDER.index(level) <= ONEDNN_ISA_ORDER.index(limit.upper())


def read_cpu_info(path: str = "/proc/cpuinfo") -> CpuInfo:
    model, flags = "unknown CPU", set()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown CPU":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    amx = {"amx_tile", "amx_bf16"} <= flags and onednn_isa_allows("AVX512_CORE_AMX")
    return CpuInfo(
        model=model,
        amx=amx and torch_sees_amx(),
        avx512_bf16="avx512_bf16" in flags and onednn_isa_allows("AVX512_CORE_BF16"),
        avx512="avx512f" in flags and onednn_isa_allows("AVX512_CORE"),
        avx2="avx2" in flags and onednn_isa_allows("AVX2"),
    )


def torch_sees_amx() -> bool:
    """PyTorch's own probe (it also asks the kernel for permission to use the AMX tiles)."""
    probe = getattr(getattr(torch._C, "_cpu", None), "_is_amx_tile_supported", None)
    try:
        return bool(probe()) if probe is not None else True
    except RuntimeError:
        return False


@dataclass(frozen=True)
class Recipe:
    """Defaults for one machine kind; the command line overrides each."""

    batch_size: int  # per process
    lr: float  # peak learning rate for batch_size x 1 process
    optimizer: str
    label_smoothing: float
    warmup: float  # fraction of the planned steps spent warming up; then linear decay to zero
    compile: bool
    eval_batch_size: int


# Measured on Fashion-MNIST, SimpleCNN, on a 2-core Xeon with AMX, also limited by ONEDNN_MAX_CPU_ISA
# to AVX-512 and to AVX2 (BENCHMARKS.md). fp32 training runs at about the same images/s for any
# batch from 64 to 512 on those CPUs (~4,000 images/s on 2 quiet cores), so the smaller batch wins:
# with the LR planned for one epoch, batch 128 reaches 88 % after 0.6 epochs, 256 after 0.6-0.9
# (0.6 only with twice the LR). bf16 on AMX is ~2.5x faster and grows only ~8 % from 128 to 256,
# so AMX machines keep 128 too. AdamW peaking at 4e-3 (2e-3: 1.0 epoch, 8e-3: 0.6) with 10 %
# warmup and a linear decay to zero. Label smoothing 0.1 did not change the time to 88 % and keeps
# the model from over-confident late epochs. torch.compile: inductor on 2 CPU cores compiles for
# longer than a run to 88 % takes; on CUDA it pays only on long runs (see compile_pays). Evaluation
# batches of 256 keep a CPU's activations in cache: 10,000 test images in 0.5 s (AVX-512) / 0.14 s
# (AMX) against 1.1 s / 0.55 s at 2048, which matters with four evaluations per epoch.
CPU_RECIPE = Recipe(
    batch_size=128, lr=4e-3, optimizer="adamw", label_smoothing=0.1, warmup=0.1, compile=False, eval_batch_size=256
)
RECIPES = {
    # Not measured here (no GPU): GPUs want large batches to be busy; bench/gpu/verify.sh measures
    # time to target with compile on and off.
    "cuda": Recipe(
        batch_size=512, lr=8e-3, optimizer="adamw", label_smoothing=0.1, warmup=0.1, compile=True, eval_batch_size=2048
    ),
    "cpu-amx": CPU_RECIPE,
    "cpu-avx512": CPU_RECIPE,
    "cpu-avx2": CPU_RECIPE,
}
# About 30 s of compiling (measured figures for small CNNs are 15-60 s) pays back when a run has
# many steps: below this, an eager run is done before a compiled one starts.
COMPILE_MIN_STEPS = 5000


def compile_pays(recipe: Recipe, planned_steps: int) -> bool:
    return recipe.compile and planned_steps >= COMPILE_MIN_STEPS


def machine_kind(device: torch.device, cpu: CpuInfo) -> str:
    return "cuda" if device.type == "cuda" else cpu.kind


def scaled_lr(recipe: Recipe, batch_size: int, world_size: int) -> float:
    """The recipe's LR for another global batch: square-root scaling, which suits Adam-type optimisers."""
    return recipe.lr * math.sqrt(batch_size * world_size / recipe.batch_size)


def warmup_then_linear_decay(step: int, total_steps: int, warmup_steps: int) -> float:
    """LR multiplier: 0 -> 1 over the warmup, then straight down to 0 at the last planned step."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def build_optimizer(
    name: str, params: object, lr: float, weight_decay: float, device: torch.device
) -> torch.optim.Optimizer:
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=device.type == "cuda")  # type: ignore[arg-type]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=weight_decay)  # type: ignore[arg-type]
    raise ValueError(f"--optimizer must be one of {', '.join(OPTIMIZERS)} (got {name!r})")
