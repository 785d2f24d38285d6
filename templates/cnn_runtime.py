"""Where and how train_cnn.py computes: device, torchrun/DDP, mixed precision, memory fit."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import torch

AMP_MODES = ("auto", "bf16", "fp16", "off")
DEVICE_RE = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


class SetupError(Exception):
    """A requested setting cannot be honoured here; the message says what is possible."""


@dataclass
class Distributed:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as e:
        raise SetupError(f"environment variable {name} must be an integer (got {value!r})") from e


def distributed_from_env() -> Distributed:
    """torchrun sets WORLD_SIZE, RANK and LOCAL_RANK; without them this is one process."""
    return Distributed(
        rank=env_int("RANK", 0), world_size=env_int("WORLD_SIZE", 1), local_rank=env_int("LOCAL_RANK", 0)
    )


def choose_device(requested: str, dist: Distributed) -> torch.device:
    if not DEVICE_RE.match(requested):
        raise SetupError(f"--device must be auto, cpu, cuda or cuda:N (got {requested!r})")
    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise SetupError(
            f"--device {requested}: CUDA is not available here (torch {torch.__version__}, "
            f"torch.cuda.is_available() is False); use --device cpu"
        )
    # Under torchrun each process owns the GPU named by LOCAL_RANK.
    index = dist.local_rank if dist.enabled else (int(requested.split(":")[1]) if ":" in requested else 0)
    if index >= torch.cuda.device_count():
        raise SetupError(f"--device {requested}: only {torch.cuda.device_count()} CUDA device(s) visible")
    torch.cuda.set_device(index)
    return torch.device("cuda", index)


def init_distributed(dist: Distributed, device: torch.device) -> None:
    if not dist.enabled:
        return
    import torch.distributed as tdist

    backend = "nccl" if device.type == "cuda" else "gloo"
    tdist.init_process_group(backend=backend, device_id=device if device.type == "cuda" else None)


def shutdown_distributed(dist: Distributed) -> None:
    if dist.enabled:
        import torch.distributed as tdist

        if tdist.is_initialized():
            tdist.destroy_process_group()


def barrier(dist: Distributed) -> None:
    if dist.enabled:
        import torch.distributed as tdist

        tdist.barrier()


def all_reduce_sum(values: torch.Tensor, dist: Distributed) -> torch.Tensor:
    if dist.enabled:
        import torch.distributed as tdist

        tdist.all_reduce(values, op=tdist.ReduceOp.SUM)
    return values


@dataclass
class Precision:
    dtype: torch.dtype | None  # None: full fp32
    needs_scaler: bool

    @property
    def label(self) -> str:
        return {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]


def choose_precision(mode: str, device: torch.device) -> Precision:
    if mode not in AMP_MODES:
        raise SetupError(f"--amp must be one of {', '.join(AMP_MODES)} (got {mode!r})")
    if mode == "off":
        return Precision(None, False)
    if mode == "auto":
        if device.type == "cuda":
            mode = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        elif cpu_has_fast_bf16():
            mode = "bf16"
        else:
            return Precision(None, False)
    if mode == "bf16":
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise SetupError("--amp bf16: this GPU has no bf16 support; use --amp fp16 or --amp off")
        return Precision(torch.bfloat16, False)
    # fp16 gradients underflow without loss scaling; bf16 has fp32's range and needs none.
    return Precision(torch.float16, True)


def cpu_has_fast_bf16() -> bool:
    """AMX tiles make bf16 convolutions much faster than fp32 (SimpleCNN, batch 256, 2-core
    Sapphire Rapids: about 25k vs 5k images/s). Without AMX, bf16 on CPU is emulated or
    barely faster and only costs accuracy, so CPUs without it stay in fp32."""
    probe = getattr(getattr(torch._C, "_cpu", None), "_is_amx_tile_supported", None)
    try:
        return bool(probe()) if probe is not None else False
    except RuntimeError:
        return False


def default_batch_size(device: torch.device) -> int:
    # On CPU, batches past ~256 28x28 images spill the activations out of cache and get
    # slower per image (measured 26k -> 12k images/s at 512); GPUs want big batches.
    return 512 if device.type == "cuda" else 256


def available_memory(device: torch.device) -> int:
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0


def fits_on_device(nbytes: int, device: torch.device) -> bool:
    """Room for the dataset with most of the memory left for the model and activations."""
    return nbytes <= available_memory(device) // 4


def default_workers() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(8, cpus - 1))
