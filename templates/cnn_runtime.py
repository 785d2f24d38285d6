"""Where and how train_cnn.py computes: device, torchrun/DDP, mixed precision, memory fit."""

from __future__ import annotations

import os
import re
import time
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
    """The rank of this process. torchrun and gpu-env's runner set RANK, WORLD_SIZE and LOCAL_RANK;
    a Slurm step that starts one task per rank (srun) sets SLURM_PROCID and friends instead, which
    are taken over here; with neither this is the only process."""
    if "RANK" not in os.environ and env_int("SLURM_STEP_NUM_TASKS", 1) > 1:
        adopt_slurm_rank()
    return Distributed(
        rank=env_int("RANK", 0), world_size=env_int("WORLD_SIZE", 1), local_rank=env_int("LOCAL_RANK", 0)
    )


def adopt_slurm_rank() -> None:
    """torchrun's variables from a Slurm step's, for init_process_group's env:// rendezvous. The
    first node of the step is the master unless the job script named one (MASTER_ADDR/PORT)."""
    env = os.environ
    tasks = env_int("SLURM_STEP_NUM_TASKS", 1)
    nodes = max(1, env_int("SLURM_STEP_NUM_NODES", 1))
    env["RANK"] = str(env_int("SLURM_PROCID", 0))
    env["WORLD_SIZE"] = str(tasks)
    env["LOCAL_RANK"] = str(env_int("SLURM_LOCALID", 0))
    env.setdefault("LOCAL_WORLD_SIZE", str(tasks // nodes))
    env.setdefault("NODE_RANK", str(env_int("SLURM_NODEID", 0)))
    nodelist = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST") or ""
    if "MASTER_ADDR" not in env:
        if not nodelist:
            raise SetupError("a Slurm step of several tasks without SLURM_STEP_NODELIST: set MASTER_ADDR")
        env["MASTER_ADDR"] = first_host(nodelist)
    # Every task computes the same port from the job id; a job script may choose another.
    env.setdefault("MASTER_PORT", str(29500 + env_int("SLURM_JOB_ID", 0) % 1000))
    env.setdefault("USE_LIBUV", "0")  # builds without libuv (Debian's torch) need the classic TCPStore


def first_host(nodelist: str) -> str:
    """The first host of a Slurm host list: "node[3-4,7],gpu1" -> "node3", "n[01-02]" -> "n01"."""
    head = re.match(r"([^,\[]*)(?:\[([^\]]*)\])?", nodelist.strip())
    if head is None or (not head.group(1) and not head.group(2)):
        raise SetupError(f"cannot read the first host of the Slurm node list {nodelist!r}")
    prefix, ranges = head.group(1), head.group(2)
    return prefix + (re.split(r"[-,]", ranges)[0] if ranges else "")


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
    # With several ranks each process owns the GPU named by LOCAL_RANK, unless Slurm gave each task
    # only its own GPU (CUDA_VISIBLE_DEVICES of one), which is then index 0.
    index = dist.local_rank if dist.enabled else (int(requested.split(":")[1]) if ":" in requested else 0)
    if dist.enabled and torch.cuda.device_count() == 1:
        index = 0
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


def broadcast_from_main(value: object, dist: Distributed) -> object:
    """Rank 0's `value` on every rank (a small picklable object, e.g. a checkpoint path)."""
    if not dist.enabled:
        return value
    import torch.distributed as tdist

    box = [value]
    tdist.broadcast_object_list(box, src=0)
    return box[0]


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


def choose_precision(mode: str, device: torch.device, cpu_amx: bool) -> Precision:
    if mode not in AMP_MODES:
        raise SetupError(f"--amp must be one of {', '.join(AMP_MODES)} (got {mode!r})")
    if mode == "off":
        return Precision(None, False)
    if mode == "auto":
        if device.type == "cuda":
            mode = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        elif cpu_amx:
            # AMX tiles make bf16 convolutions several times faster than fp32 (SimpleCNN, 2-core
            # Sapphire Rapids: about 25k vs 5k images/s). Without AMX, bf16 on a CPU is emulated
            # or barely faster and only costs accuracy, so those CPUs stay in fp32.
            mode = "bf16"
        else:
            return Precision(None, False)
    if mode == "bf16":
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise SetupError("--amp bf16: this GPU has no bf16 support; use --amp fp16 or --amp off")
        return Precision(torch.bfloat16, False)
    # fp16 gradients underflow without loss scaling; bf16 has fp32's range and needs none.
    return Precision(torch.float16, True)


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


def process_started_at() -> float:
    """Wall-clock time this process started (so time to target includes Python and torch start-up);
    now, where /proc does not say."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().decode("ascii", "replace").rsplit(")", 1)[-1].split()
        started_ticks = int(fields[19])  # field 22: start time in clock ticks since boot
        since_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return time.time() - (since_boot - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()


def default_workers() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(8, cpus - 1))
