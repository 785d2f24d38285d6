"""Crash-safe checkpoints: atomic writes, keep the last K, load the newest that works.

torch.save straight onto the final name can leave a truncated file when the
process is killed or the machine stops mid-write. Here a checkpoint is written to
a temporary file in the same folder, flushed and fsynced, renamed over its final
name with os.replace (atomic on POSIX), and then the folder itself is fsynced so
the rename survives a power cut. A file named ckpt-*.pt is therefore always
complete; loading still falls back to older files in case the disk lied.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch

FORMAT = "gpu-env-checkpoint"
VERSION = 1
NAME_RE = re.compile(r"^ckpt-(\d{10})\.pt$")
TEMP_MARK = ".tmp-"
BEST_NAME = "best.pt"


def checkpoint_name(step: int) -> str:
    return f"ckpt-{step:010d}.pt"


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_save(obj: Any, path: str, saver: Callable[[Any, Any], None] = torch.save) -> None:
    """Write `obj` to `path` so that `path` is either the old file or the complete new one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{os.path.basename(path)}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(temp, "wb") as f:
            saver(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        # Also on KeyboardInterrupt: never leave our own temp file behind if we can help it.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(folder)


def list_checkpoints(folder: str) -> list[tuple[int, str]]:
    """(step, path) of every finished checkpoint, oldest first."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        match = NAME_RE.match(name)
        if match:
            found.append((int(match.group(1)), os.path.join(folder, name)))
    return sorted(found)


def remove_stale_temp_files(folder: str) -> list[str]:
    """Temp files of writers that died mid-save; only one process writes a run's checkpoints."""
    removed = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return removed
    for name in names:
        if name.startswith(".") and TEMP_MARK in name:
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except FileNotFoundError:
                pass
    return removed


def prune(folder: str, keep: int) -> list[str]:
    """Delete all but the newest `keep` checkpoints (best.pt is never touched)."""
    if keep < 1:
        raise ValueError(f"--keep must be at least 1 (got {keep})")
    removed = []
    for _, path in list_checkpoints(folder)[:-keep]:
        try:
            os.unlink(path)
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def load_checkpoint(path: str, map_location: Any = "cpu") -> dict[str, Any]:
    # weights_only: a checkpoint is data; loading one must not be able to run code.
    state = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} file")
    if state.get("version") != VERSION:
        raise ValueError(f"{path} has checkpoint version {state.get('version')}, expected {VERSION}")
    return state


@dataclass
class LoadResult:
    state: dict[str, Any] | None = None
    path: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def load_latest(folder: str, map_location: Any = "cpu") -> LoadResult:
    """The newest checkpoint that loads; failures lists the newer ones that did not."""
    result = LoadResult()
    for _, path in reversed(list_checkpoints(folder)):
        try:
            result.state = load_checkpoint(path, map_location)
            result.path = path
            return result
        except Exception as e:  # noqa: BLE001 - corrupt zip, truncated pickle, wrong format: all mean "try older"
            result.failures.append((path, f"{type(e).__name__}: {e}"))
    return result


# --- RNG state as plain tensors and numbers (what weights_only loading accepts) ---------------


def capture_rng() -> dict[str, Any]:
    np_name, np_keys, np_pos, np_has_gauss, np_cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {
            "name": np_name,
            "keys": torch.from_numpy(np_keys.astype(np.int64)),
            "pos": int(np_pos),
            "has_gauss": int(np_has_gauss),
            "cached": float(np_cached),
        },
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }
    return state


def restore_rng(state: dict[str, Any]) -> None:
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state((n["name"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))
    torch.set_rng_state(state["torch"].cpu())
    if state.get("cuda") is not None and torch.cuda.is_available():
        cuda_states = [s.cpu() for s in state["cuda"]]
        if len(cuda_states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda_states)
