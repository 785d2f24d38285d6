"""Shared helpers of the training-template and runner tests (test_training_*.py, test_runner.py).

They run inside the stand-in PyTorch image (test/python/run-in-image.sh). Without torch they are
skipped, unless GPU_ENV_REQUIRE_TORCH=1 (set by run-in-image.sh), where a missing torch fails.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEMPLATES = os.path.join(REPO, "templates")
TRAIN = os.path.join(TEMPLATES, "train_cnn.py")
RUNNER = os.path.join(REPO, "media", "runner", "gpu_env_run.py")
FASHION_MNIST = os.environ.get("GPU_ENV_TEST_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def require_torch() -> None:
    """Skip (on a host without torch) or fail (in the image) when torch is missing."""
    try:
        importlib.import_module("torch")
    except ImportError:
        if os.environ.get("GPU_ENV_REQUIRE_TORCH") == "1":
            raise
        raise unittest.SkipTest("torch is not installed here; run test/python/run-in-image.sh") from None


def import_templates() -> None:
    require_torch()
    if TEMPLATES not in sys.path:
        sys.path.insert(0, TEMPLATES)


def strict_json(line: str):
    """json.loads that refuses bare NaN/Infinity, which are not JSON."""

    def refuse(token: str):
        raise ValueError(f"bare {token} is not JSON")

    return json.loads(line, parse_constant=refuse)


def read_metrics(run_dir: str) -> list[dict]:
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # A line still being written has no newline yet: only complete lines count.
    return [strict_json(line) for line in text.split("\n")[:-1] if line]


def events(records: list[dict], name: str) -> list[dict]:
    return [r for r in records if r.get("event") == name]


def train_lines(records: list[dict]) -> list[dict]:
    return [r for r in records if r.get("split") == "train"]


class TempDir:
    def __init__(self, prefix: str) -> None:
        self.path = tempfile.mkdtemp(prefix=prefix)

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def train_command(run_dir: str | None, *extra: str) -> list[str]:
    """train_cnn.py on the real Fashion-MNIST, on the CPU; run_dir None: the one $GPU_ENV_RUN_DIR names."""
    where = [] if run_dir is None else ["--run-dir", run_dir]
    return [
        sys.executable,
        TRAIN,
        "--dataset",
        "fashion-mnist",
        "--data-dir",
        FASHION_MNIST,
        "--device",
        "cpu",
        *where,
        *extra,
    ]


def run_train(run_dir: str, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(train_command(run_dir, *extra), capture_output=True, text=True, timeout=timeout)


def start_train(run_dir: str, *extra: str) -> subprocess.Popen:
    """Training in the background, its output in RUN_DIR.log (the child keeps its own fd)."""
    with open(run_dir + ".log", "ab") as log:
        return subprocess.Popen(train_command(run_dir, *extra), stdout=log, stderr=subprocess.STDOUT)


def runner(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """media/runner/gpu_env_run.py with these arguments."""
    return subprocess.run([sys.executable, RUNNER, *args], capture_output=True, text=True, timeout=timeout)


def read_json(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def wait_for(predicate, timeout: float, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def kill_hard(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def end_event(run_dir: str) -> dict | None:
    found = events(read_metrics(run_dir), "end")
    return found[-1] if found else None
