"""Emit gpu-env metrics lines from any training script.

gpu-env draws its live loss chart from ``metrics.jsonl`` in the run directory:
one JSON object per line, described in docs/metrics-protocol.md. This module
has no dependency beyond the standard library, so you can drop it next to your
own script::

    from gpu_env_metrics import MetricsWriter

    with MetricsWriter.for_run() as metrics:
        metrics.event("start", model="mine")
        for step, (x, y) in enumerate(loader, 1):
            loss = ...
            metrics.log(step=step, epoch=step / len(loader), split="train",
                        loss=loss, lr=optimizer.param_groups[0]["lr"])
        metrics.event("end", test_accuracy=acc)

Values may be Python numbers, numpy scalars or one-element tensors (anything
with ``.item()``). NaN and infinities are written as the strings "NaN",
"Infinity" and "-Infinity" so every line stays valid JSON.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import IO, Any, Callable, Mapping

PROTOCOL_VERSION = 1
SPLITS = ("train", "val", "test")
EVENTS = ("start", "resume", "checkpoint", "end")
RUN_DIR_ENV = "GPU_ENV_RUN_DIR"
METRICS_FILE = "metrics.jsonl"


def encode_number(value: float) -> Any:
    """A float as JSON allows it: non-finite values become their protocol strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def to_json_value(value: Any) -> Any:
    """Plain JSON data from numbers, tensors, numpy scalars, strings, lists and dicts."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return encode_number(value)
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item):
        # numpy scalars and one-element tensors: .item() gives a Python number.
        return to_json_value(item())
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"metrics value of type {type(value).__name__} is not a number, string, list or dict")


def format_line(record: Mapping[str, Any]) -> str:
    """One protocol line (without the newline); refuses anything that is not strict JSON."""
    return json.dumps(to_json_value(record), allow_nan=False, separators=(",", ":"))


class MetricsWriter:
    """Appends protocol lines to a metrics.jsonl file, flushing each line.

    Appending (never truncating) is deliberate: a resumed run continues the same
    file, and the chart shows the whole history.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, fsync: bool = False, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = os.fspath(path)
        parent = os.path.dirname(self.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        self._fsync = fsync
        self._clock = clock
        # Kept open for the writer's life (closed by close() or the with block), not per line.
        self._file: IO[str] | None = open(self.path, "a", encoding="utf-8")  # noqa: SIM115

    @classmethod
    def for_run(cls, run_dir: str | None = None, **kwargs: Any) -> MetricsWriter:
        """The writer for ``run_dir``, else $GPU_ENV_RUN_DIR (set by gpu-env runs), else the cwd."""
        folder = run_dir or os.environ.get(RUN_DIR_ENV) or os.getcwd()
        return cls(os.path.join(folder, METRICS_FILE), **kwargs)

    def log(self, *, step: int, epoch: float, split: str = "train", **values: Any) -> None:
        """A metrics line: loss, accuracy, lr, images_per_s or any other numeric field."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)} (got {split!r})")
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"step must be a non-negative int (got {step!r})")
        record = {"v": PROTOCOL_VERSION, "time": self._clock(), "step": step, "epoch": epoch, "split": split}
        record.update(values)
        self._write(record)

    def event(self, name: str, **fields: Any) -> None:
        """An event line: start, resume, checkpoint or end, with any extra fields."""
        if name not in EVENTS:
            raise ValueError(f"event must be one of {', '.join(EVENTS)} (got {name!r})")
        record = {"v": PROTOCOL_VERSION, "time": self._clock(), "event": name}
        record.update(fields)
        self._write(record)

    def _write(self, record: Mapping[str, Any]) -> None:
        if self._file is None:
            raise ValueError(f"metrics file {self.path} is closed")
        self._file.write(format_line(record) + "\n")
        # Flush every line: the chart tails this file while training runs.
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> MetricsWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NullMetricsWriter:
    """Accepts and drops everything: used by non-zero ranks under torchrun."""

    path = os.devnull

    def log(self, **_: Any) -> None:
        pass

    def event(self, _name: str, **__: Any) -> None:
        pass

    def close(self) -> None:
        pass


def parse_number(value: Any) -> Any:
    """The inverse of encode_number for readers: protocol strings back to floats."""
    if value == "NaN":
        return float("nan")
    if value == "Infinity":
        return float("inf")
    if value == "-Infinity":
        return float("-inf")
    return value
