#!/usr/bin/env python3
"""gpu-env sampling agent: runs inside an environment's container, streams JSON lines.

Python standard library only, one file: the host pipes this file into `python3 -` over one SSH
channel, so the agent always matches the extension that talks to it.

Protocol (version 1), one JSON object per line on stdout, flushed per line:

  {"type":"hello", "agent":"gpu-env-agent", "version":..., "protocol":1, "pid":..., "intervalMs":...,
   "source":"nvml"|"nvidia-smi"|"none", "gpu":<gpu status>, "container":{"cpuSource":...,
   "memorySource":...}, "pidNamespace":"initial"|"child"|"unknown", "smiFields":[...]?}
  {"type":"sample", "seq":n, "timeMs":<epoch ms>, "container":<usage>, "gpu":<gpu>}

Units: memory in BYTES everywhere (NVML reports bytes; the nvidia-smi fallback passes its raw CSV
through, in MiB, and the host converts). Power in watts, temperature in degrees C, clocks in MHz,
percentages 0..100. `cpuPercent` is percent of ONE CPU (like `docker stats`: 250 = 2.5 cores busy).
A field the GPU or driver does not support is null, never 0.

<gpu> is one of
  {"available":true, "source":"nvml", "devices":[{index, uuid, name, utilizationGpuPercent,
     utilizationMemoryPercent, memoryUsedBytes, memoryTotalBytes, temperatureC, powerDrawW,
     powerLimitW, smClockMHz, fanPercent, pstate, migEnabled, processes:[{pid, usedMemoryBytes}]|null,
     errors:{field: message}?}]}
  {"available":true, "source":"nvidia-smi", "fields":[...], "csv":[raw lines]}
  {"available":false, "code":"no-driver"|"nvml-init-failed"|"nvidia-smi-failed", "reason":...}

GPU process PIDs are reported exactly as NVML gives them: inside a container these are usually
HOST PIDs. The hello's `pidNamespace` tells the host whether they can be matched to /proc here.

Never one process spawn per sample: NVML is called in-process; the fallback is ONE long-lived
`nvidia-smi ... -lms N` whose lines are read by a thread.

Usage: gpu_env_agent.py [--interval-ms 1000] [--count N] [--bench N]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, NoReturn, Union

AGENT_VERSION = "1.0.0"
PROTOCOL_VERSION = 1
NO_DRIVER_REASON = "no NVIDIA driver in this environment"
# Kernel constant PROC_PID_INIT_INO: the inode of the initial (host) PID namespace.
INITIAL_PID_NAMESPACE = "pid:[4026531836]"
# nvidia-smi column order. The host receives this list with every sample, so it never guesses.
SMI_FIELDS = (
    "index",
    "uuid",
    "name",
    "utilization.gpu",
    "utilization.memory",
    "memory.used",
    "memory.total",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "clocks.sm",
    "fan.speed",
    "pstate",
)
# cgroup v1 reports "no limit" as a page-aligned LONG_MAX; anything this large means unlimited.
UNLIMITED_BYTES = 1 << 62
MAX_DEVICES = 64
MAX_PROCESSES = 256
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- files re-read every sample ---------------------------------------------------------------
# Keep the descriptor open and pread it: one syscall per read.


class StatFile:
    """A small kernel-generated file read from offset 0 on every call; None when unreadable."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            self.fd = None

    def exists(self) -> bool:
        return self.fd is not None

    def read(self) -> str | None:
        if self.fd is None:
            return None
        try:
            return os.pread(self.fd, 65536, 0).decode("ascii", "replace")
        except OSError:
            return None


def read_once(path: str) -> str | None:
    f = StatFile(path)
    text = f.read()
    if f.fd is not None:
        os.close(f.fd)
    return text


def parse_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def keyed_value(text: str | None, key: str) -> int | None:
    """Value of `key value` in files like cpu.stat / memory.stat / meminfo (first number)."""
    if text is None:
        return None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].rstrip(":") == key:
            try:
                return int(parts[1])
            except ValueError:
                return None
    return None


# --- container CPU and memory -----------------------------------------------------------------
# cgroup v2, cgroup v1, then /proc (the whole machine) as a last resort.


def own_cgroup_paths(root: str) -> dict[str, str]:
    """Map controller name -> this process's cgroup path, from /proc/self/cgroup."""
    text = read_once(os.path.join(root, "proc/self/cgroup")) or ""
    paths = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers = parts[1].split(",") if parts[1] else [""]
        for name in controllers:
            paths[name] = parts[2]
    return paths


def first_existing(candidates: list[str]) -> str | None:
    for path in candidates:
        if os.path.exists(path):
            return path
    return None


def cgroup_dir(mounts: list[str], own_path: str | None) -> str | None:
    """The cgroup directory for this process. Without a cgroup namespace the mount shows the
    whole hierarchy and our group sits at own_path; with one (Docker's default on v2) the
    mount root IS our group. Try the specific one first."""
    candidates = []
    for mount in mounts:
        if own_path and own_path != "/":
            candidates.append(os.path.join(mount, own_path.lstrip("/")))
        candidates.append(mount)
    return first_existing(candidates)


class ContainerSampler:
    """CPU % of one core and memory used/limit for the container this agent runs in."""

    def __init__(self, root: str = "/") -> None:
        self.root = root
        self.cpu_source, self.memory_source = "none", "none"
        self._cpu_file = self._mem_current = self._mem_stat = None
        self._mem_limit_path = None
        self._cpu_limit_paths = None
        self._proc_stat = StatFile(os.path.join(root, "proc/stat"))
        self._meminfo = StatFile(os.path.join(root, "proc/meminfo"))
        self._cpu_count = self._online_cpus()
        self._detect()
        self._last_cpu = None
        self._limits_read_at = -1e9
        self.memory_limit = None
        self.cpu_limit_cores = None
        self.prime()

    def _path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def _online_cpus(self) -> int:
        try:
            return len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return os.cpu_count() or 1

    def _detect(self) -> None:
        own = own_cgroup_paths(self.root)
        base = self._path("sys/fs/cgroup")
        if os.path.exists(os.path.join(base, "cgroup.controllers")):
            self._detect_v2(cgroup_dir([base], own.get("")))
        else:
            self._detect_v1(base, own)
        if self.cpu_source == "none" and self._proc_stat.exists():
            self.cpu_source = "proc"
        if self.memory_source == "none" and self._meminfo.exists():
            self.memory_source = "proc"

    def _detect_v2(self, directory: str | None) -> None:
        if directory is None:
            return
        cpu = StatFile(os.path.join(directory, "cpu.stat"))
        if cpu.exists():
            self._cpu_file, self.cpu_source = cpu, "cgroup2"
            self._cpu_limit_paths = ("v2", os.path.join(directory, "cpu.max"))
        current = StatFile(os.path.join(directory, "memory.current"))
        if current.exists():
            self._mem_current, self.memory_source = current, "cgroup2"
            self._mem_stat = StatFile(os.path.join(directory, "memory.stat"))
            self._mem_limit_path = os.path.join(directory, "memory.max")

    def _detect_v1(self, base: str, own: dict[str, str]) -> None:
        cpu_dir = cgroup_dir(
            [os.path.join(base, name) for name in ("cpuacct", "cpu,cpuacct", "cpuacct,cpu")], own.get("cpuacct")
        )
        if cpu_dir is not None:
            usage = StatFile(os.path.join(cpu_dir, "cpuacct.usage"))
            if usage.exists():
                self._cpu_file, self.cpu_source = usage, "cgroup1"
                quota_dir = cgroup_dir(
                    [os.path.join(base, n) for n in ("cpu", "cpu,cpuacct", "cpuacct,cpu")], own.get("cpu")
                )
                if quota_dir is not None:
                    self._cpu_limit_paths = ("v1", quota_dir)
        mem_dir = cgroup_dir([os.path.join(base, "memory")], own.get("memory"))
        if mem_dir is not None:
            usage = StatFile(os.path.join(mem_dir, "memory.usage_in_bytes"))
            if usage.exists():
                self._mem_current, self.memory_source = usage, "cgroup1"
                self._mem_stat = StatFile(os.path.join(mem_dir, "memory.stat"))
                self._mem_limit_path = os.path.join(mem_dir, "memory.limit_in_bytes")

    # Limits change rarely (docker update); re-read them every 30 s, not every sample.
    def _refresh_limits(self, now: float) -> None:
        if now - self._limits_read_at < 30.0:
            return
        self._limits_read_at = now
        self.memory_limit = self._read_memory_limit()
        self.cpu_limit_cores = self._read_cpu_limit()

    def _read_memory_limit(self) -> int | None:
        limit = None
        if self._mem_limit_path is not None:
            raw = read_once(self._mem_limit_path)
            if raw is not None and raw.strip() != "max":
                value = parse_int(raw)
                if value is not None and 0 < value < UNLIMITED_BYTES:
                    limit = value
        return limit

    def _read_cpu_limit(self) -> float | None:
        if self._cpu_limit_paths is None:
            return None
        kind, where = self._cpu_limit_paths
        if kind == "v2":
            parts = (read_once(where) or "").split()
            if len(parts) == 2 and parts[0] != "max":
                quota, period = parse_int(parts[0]), parse_int(parts[1])
                if quota and period:
                    return round(quota / period, 3)
            return None
        quota = parse_int(read_once(os.path.join(where, "cpu.cfs_quota_us")))
        period = parse_int(read_once(os.path.join(where, "cpu.cfs_period_us")))
        if quota and quota > 0 and period:
            return round(quota / period, 3)
        return None

    def _cpu_busy_seconds(self) -> float | None:
        """Cumulative busy CPU seconds of the container (or machine for /proc)."""
        if self.cpu_source == "cgroup2":
            usec = keyed_value(self._cpu_file.read(), "usage_usec")
            return None if usec is None else usec / 1e6
        if self.cpu_source == "cgroup1":
            ns = parse_int(self._cpu_file.read())
            return None if ns is None else ns / 1e9
        if self.cpu_source == "proc":
            return self._proc_busy_seconds()
        return None

    def _proc_busy_seconds(self) -> float | None:
        text = self._proc_stat.read()
        if not text:
            return None
        fields = text.split("\n", 1)[0].split()
        if len(fields) < 5 or fields[0] != "cpu":
            return None
        try:
            ticks = [int(x) for x in fields[1:]]
        except ValueError:
            return None
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        return (sum(ticks[:8]) - idle) / CLOCK_TICKS

    def prime(self) -> None:
        busy = self._cpu_busy_seconds()
        if busy is not None:
            self._last_cpu = (busy, time.monotonic())

    def _cpu_percent(self) -> float | None:
        busy = self._cpu_busy_seconds()
        now = time.monotonic()
        previous, self._last_cpu = self._last_cpu, (None if busy is None else (busy, now))
        if busy is None or previous is None or now <= previous[1]:
            return None
        percent = (busy - previous[0]) / (now - previous[1]) * 100.0
        ceiling = self._cpu_count * 100.0
        return round(min(max(percent, 0.0), ceiling), 1)

    def _memory(self) -> tuple[int | None, int | None, bool]:
        """(used, limit, limited). Used excludes inactive page cache, like `docker stats`."""
        used = None
        if self.memory_source in ("cgroup2", "cgroup1"):
            current = parse_int(self._mem_current.read())
            stat = self._mem_stat.read() if self._mem_stat is not None else None
            key = "inactive_file" if self.memory_source == "cgroup2" else "total_inactive_file"
            inactive = keyed_value(stat, key) or 0
            if current is not None:
                used = max(current - inactive, 0)
        meminfo = self._meminfo.read()
        total_kib = keyed_value(meminfo, "MemTotal")
        if used is None and self.memory_source == "proc":
            available_kib = keyed_value(meminfo, "MemAvailable")
            if total_kib is not None and available_kib is not None:
                used = (total_kib - available_kib) * 1024
        if self.memory_limit is not None:
            return used, self.memory_limit, True
        return used, (None if total_kib is None else total_kib * 1024), False

    def sample(self) -> dict[str, Any]:
        self._refresh_limits(time.monotonic())
        used, limit, limited = self._memory()
        return {
            "cpuPercent": self._cpu_percent(),
            "cpuLimitCores": self.cpu_limit_cores,
            "cpuCount": self._cpu_count,
            "memoryUsedBytes": used,
            "memoryLimitBytes": limit,
            "memoryLimited": limited,
        }

    def describe(self) -> dict[str, str]:
        return {"cpuSource": self.cpu_source, "memorySource": self.memory_source}


# --- NVML through ctypes ----------------------------------------------------------------------

NVML_SUCCESS = 0
NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_INSUFFICIENT_SIZE = 7
NVML_TEMPERATURE_GPU = 0
NVML_CLOCK_SM = 1
NVML_PSTATE_UNKNOWN = 32
NVML_VALUE_NOT_AVAILABLE_ULL = (1 << 64) - 1
NVML_BUFFER_SIZE = 96  # NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE


class NvmlUtilization(ctypes.Structure):
    _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]


class NvmlMemory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


class NvmlProcessInfoV1(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_uint), ("usedGpuMemory", ctypes.c_ulonglong)]


class NvmlProcessInfoV2(ctypes.Structure):
    _fields_ = [
        ("pid", ctypes.c_uint),
        ("usedGpuMemory", ctypes.c_ulonglong),
        ("gpuInstanceId", ctypes.c_uint),
        ("computeInstanceId", ctypes.c_uint),
    ]


class NvmlProcessInfoV3(ctypes.Structure):
    _fields_ = [
        ("pid", ctypes.c_uint),
        ("usedGpuMemory", ctypes.c_ulonglong),
        ("gpuInstanceId", ctypes.c_uint),
        ("computeInstanceId", ctypes.c_uint),
        ("usedGpuCcProtectedMemory", ctypes.c_ulonglong),
    ]


class NvmlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def has_symbol(lib: ctypes.CDLL, name: str) -> bool:
    try:
        getattr(lib, name)
        return True
    except AttributeError:
        return False


def process_api(lib: ctypes.CDLL) -> tuple[str | None, type[ctypes.Structure] | None]:
    """(function name, struct) for the running-process query this driver really implements.
    Drivers that export `_v3` disagree on its struct: only those with the confidential-compute
    query and without the process-detail list fill the 32-byte layout; the others fill 24."""
    base = "nvmlDeviceGetComputeRunningProcesses"
    if has_symbol(lib, base + "_v3"):
        cc_layout = has_symbol(lib, "nvmlDeviceGetConfComputeMemSizeInfo") and not has_symbol(
            lib, "nvmlDeviceGetRunningProcessDetailList"
        )
        return base + "_v3", (NvmlProcessInfoV3 if cc_layout else NvmlProcessInfoV2)
    if has_symbol(lib, base + "_v2"):
        return base + "_v2", NvmlProcessInfoV2
    if has_symbol(lib, base):
        return base, NvmlProcessInfoV1
    return None, None


class Nvml:
    """Thin, typed access to the NVML calls the agent needs. Every call returns a value or
    raises NvmlError with NVML's own message."""

    REQUIRED = ("nvmlInit_v2", "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2")

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        self.lib.nvmlErrorString.restype = ctypes.c_char_p
        self.process_fn, self.process_struct = process_api(lib)

    def message(self, code: int) -> str:
        try:
            text = self.lib.nvmlErrorString(ctypes.c_int(code))
            return text.decode("utf-8", "replace") if text else f"NVML error {code}"
        except Exception:  # noqa: BLE001 - a broken library must not kill the agent
            return f"NVML error {code}"

    def check(self, code: int) -> None:
        if code != NVML_SUCCESS:
            raise NvmlError(code, self.message(code))

    def init(self) -> None:
        self.check(self.lib.nvmlInit_v2())

    def device_count(self) -> int:
        count = ctypes.c_uint(0)
        self.check(self.lib.nvmlDeviceGetCount_v2(ctypes.byref(count)))
        return count.value

    def handle(self, index: int) -> ctypes.c_void_p:
        handle = ctypes.c_void_p()
        self.check(self.lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(handle)))
        return handle

    def text(self, function: str, handle: ctypes.c_void_p) -> str:
        buf = ctypes.create_string_buffer(NVML_BUFFER_SIZE)
        self.check(getattr(self.lib, function)(handle, buf, ctypes.c_uint(NVML_BUFFER_SIZE)))
        return buf.value.decode("utf-8", "replace")

    def uint(self, function: str, handle: ctypes.c_void_p, *args: ctypes.c_int) -> int:
        value = ctypes.c_uint(0)
        self.check(getattr(self.lib, function)(handle, *args, ctypes.byref(value)))
        return value.value

    def utilization(self, handle: ctypes.c_void_p) -> tuple[int, int]:
        util = NvmlUtilization()
        self.check(self.lib.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(util)))
        return util.gpu, util.memory

    def memory(self, handle: ctypes.c_void_p) -> tuple[int, int]:
        mem = NvmlMemory()
        self.check(self.lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(mem)))
        return mem.used, mem.total

    def pstate(self, handle: ctypes.c_void_p) -> str | None:
        state = ctypes.c_int(NVML_PSTATE_UNKNOWN)
        self.check(self.lib.nvmlDeviceGetPerformanceState(handle, ctypes.byref(state)))
        return None if not 0 <= state.value <= 15 else f"P{state.value}"

    def mig_enabled(self, handle: ctypes.c_void_p) -> bool:
        current, pending = ctypes.c_uint(0), ctypes.c_uint(0)
        self.check(self.lib.nvmlDeviceGetMigMode(handle, ctypes.byref(current), ctypes.byref(pending)))
        return current.value == 1

    def processes(self, handle: ctypes.c_void_p) -> list[dict[str, int | None]]:
        if self.process_fn is None:
            raise NvmlError(NVML_ERROR_NOT_SUPPORTED, "Not Supported")
        function = getattr(self.lib, self.process_fn)
        count = ctypes.c_uint(0)
        code = function(handle, ctypes.byref(count), None)
        if code == NVML_SUCCESS:
            return []
        if code != NVML_ERROR_INSUFFICIENT_SIZE:
            self.check(code)
        # Room for processes that start between the two calls.
        count.value = min(count.value * 2 + 4, MAX_PROCESSES)
        table = (self.process_struct * count.value)()
        self.check(function(handle, ctypes.byref(count), table))
        result = []
        for info in table[: min(count.value, MAX_PROCESSES)]:
            used = info.usedGpuMemory
            result.append(
                {"pid": int(info.pid), "usedMemoryBytes": None if used == NVML_VALUE_NOT_AVAILABLE_ULL else int(used)}
            )
        return result


def nvml_library_candidates() -> list[str]:
    override = os.environ.get("GPU_ENV_NVML_LIBRARY")
    return [override] if override else ["libnvidia-ml.so.1", "libnvidia-ml.so"]


def load_nvml() -> tuple[Nvml | None, str | None]:
    """(Nvml or None, why not)."""
    problems = []
    for name in nvml_library_candidates():
        try:
            lib = ctypes.CDLL(name)
        except OSError as error:
            problems.append(str(error))
            continue
        missing = [s for s in (*Nvml.REQUIRED, "nvmlErrorString") if not has_symbol(lib, s)]
        if missing:
            problems.append(f"{name} lacks {', '.join(missing)}")
            continue
        return Nvml(lib), None
    return None, "; ".join(problems)


class NvmlSource:
    """Samples every GPU in-process. A call that fails becomes null, and failures other than
    NOT_SUPPORTED are named in the device's `errors`.

    Each NVML call costs the driver about 0.1 ms, so calls are tiered: utilisation, memory,
    power and temperature every sample (what the charts plot); power limit, SM clock, fan,
    P-state and the process list about every 5 s (`slow_every` samples), reused in between;
    name, UUID and MIG mode once."""

    name = "nvml"
    SLOW_REFRESH_MS = 5000

    def __init__(self, nvml: Nvml, interval_ms: int = 1000) -> None:
        self.nvml = nvml
        self.devices = []
        self.samples = 0
        self.slow_every = max(1, round(self.SLOW_REFRESH_MS / interval_ms))
        self.status = None
        self._last_init_attempt = -1e9
        self._try_init()

    def _try_init(self) -> None:
        self._last_init_attempt = time.monotonic()
        try:
            self.nvml.init()
            count = min(self.nvml.device_count(), MAX_DEVICES)
            self.devices = [self._static(i) for i in range(count)]
            self.status = {"available": True, "source": "nvml", "deviceCount": count}
        except NvmlError as error:
            self.devices = []
            self.status = {"available": False, "code": "nvml-init-failed", "reason": f"NVML init failed: {error}"}

    def _static(self, index: int) -> dict[str, Any]:
        handle = self.nvml.handle(index)
        static = {"index": index, "handle": handle, "errors": {}, "slow": {}, "slowErrors": {}}
        for key, call in (
            ("name", lambda: self.nvml.text("nvmlDeviceGetName", handle)),
            ("uuid", lambda: self.nvml.text("nvmlDeviceGetUUID", handle)),
            ("migEnabled", lambda: self.nvml.mig_enabled(handle)),
        ):
            static[key] = self._guard(call, key, static["errors"])
        return static

    def _guard(self, call: Callable[[], Any], field: str, errors: dict[str, str]) -> Any:
        try:
            return call()
        except NvmlError as error:
            if error.code != NVML_ERROR_NOT_SUPPORTED:
                errors[field] = str(error)
            return None
        except AttributeError:
            return None  # symbol absent in this driver: same as not supported

    def _refresh_slow(self, static: dict[str, Any]) -> None:
        nvml, handle, errors, guard = self.nvml, static["handle"], {}, self._guard
        limit_mw = guard(lambda: nvml.uint("nvmlDeviceGetEnforcedPowerLimit", handle), "powerLimit", errors)
        static["slow"] = {
            "powerLimitW": None if limit_mw is None else limit_mw / 1000.0,
            "smClockMHz": guard(
                lambda: nvml.uint("nvmlDeviceGetClockInfo", handle, ctypes.c_int(NVML_CLOCK_SM)), "smClock", errors
            ),
            "fanPercent": guard(lambda: nvml.uint("nvmlDeviceGetFanSpeed", handle), "fan", errors),
            "pstate": guard(lambda: nvml.pstate(handle), "pstate", errors),
            "processes": guard(lambda: nvml.processes(handle), "processes", errors),
        }
        static["slowErrors"] = errors

    def _device(self, static: dict[str, Any]) -> dict[str, Any]:
        nvml, handle, errors, guard = self.nvml, static["handle"], {}, self._guard
        if self.samples % self.slow_every == 0:
            self._refresh_slow(static)
        util = guard(lambda: nvml.utilization(handle), "utilization", errors) or (None, None)
        memory = guard(lambda: nvml.memory(handle), "memory", errors) or (None, None)
        power_mw = guard(lambda: nvml.uint("nvmlDeviceGetPowerUsage", handle), "power", errors)
        temperature = guard(
            lambda: nvml.uint("nvmlDeviceGetTemperature", handle, ctypes.c_int(NVML_TEMPERATURE_GPU)),
            "temperature",
            errors,
        )
        errors.update(static["errors"])
        errors.update(static["slowErrors"])
        device = {
            "index": static["index"],
            "uuid": static["uuid"],
            "name": static["name"],
            "utilizationGpuPercent": util[0],
            "utilizationMemoryPercent": util[1],
            "memoryUsedBytes": memory[0],
            "memoryTotalBytes": memory[1],
            "temperatureC": temperature,
            "powerDrawW": None if power_mw is None else power_mw / 1000.0,
            "migEnabled": static["migEnabled"],
        }
        device.update(static["slow"])
        if errors:
            device["errors"] = errors
        return device

    def hello(self) -> dict[str, Any]:
        return dict(self.status)

    def sample(self) -> dict[str, Any]:
        if not self.status["available"]:
            # Drivers that were not loaded yet come up later; a dead NVML stays dead, and one
            # attempt a minute costs nothing.
            if time.monotonic() - self._last_init_attempt >= 60.0:
                self._try_init()
            if not self.status["available"]:
                return dict(self.status)
        devices = [self._device(static) for static in self.devices]
        self.samples += 1
        return {"available": True, "source": "nvml", "devices": devices}

    def close(self) -> None:
        pass


# --- fallback: ONE long-lived nvidia-smi, its lines passed through raw ------------------------


def kill_with_parent() -> None:
    """Child setup: die with the agent (Linux PR_SET_PDEATHSIG), so a killed agent never leaves
    a looping nvidia-smi behind."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; SIGPIPE ends it on its next write anyway
        pass


class SmiSource:
    """Keeps the newest line per GPU index from `nvidia-smi -lms`. Lines are not parsed here:
    the host owns parsing, so an odd driver output is diagnosed in one place."""

    name = "nvidia-smi"
    RESTART_AFTER_S = 30.0

    def __init__(self, executable: str, interval_ms: int) -> None:
        self.executable = executable
        self.interval_ms = interval_ms
        self.lock = threading.Lock()
        self.latest = {}  # index -> (line, monotonic time)
        self.process = None
        self.failure = None
        self.started_at = -1e9
        self.stopping = False
        self._start()

    def _command(self) -> list[str]:
        return [
            self.executable,
            "--query-gpu=" + ",".join(SMI_FIELDS),
            "--format=csv,noheader,nounits",
            "-lms",
            str(max(self.interval_ms, 100)),
        ]

    def _start(self) -> None:
        self.started_at = time.monotonic()
        try:
            self.process = subprocess.Popen(
                self._command(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                close_fds=True,
                preexec_fn=kill_with_parent,
            )
        except OSError as error:
            self.failure = f"could not start nvidia-smi: {error}"
            self.process = None
            return
        self.failure = None
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        last_text = ""
        for raw in process.stdout:
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not text.strip():
                continue
            last_text = text[:500]
            key = text.split(",", 1)[0].strip()
            key = key if key.isdigit() else "?"
            with self.lock:
                if key not in self.latest and len(self.latest) > MAX_DEVICES:
                    continue  # bounded: at most MAX_DEVICES GPUs and one garbage slot
                self.latest[key] = (text[:4096], time.monotonic())
        code = process.wait()
        if not self.stopping:
            with self.lock:
                self.latest.clear()
                self.failure = f"nvidia-smi exited with code {code}: {last_text}"

    def hello(self) -> dict[str, Any]:
        if self.failure:
            return {"available": False, "code": "nvidia-smi-failed", "reason": self.failure}
        return {"available": True, "source": "nvidia-smi", "fields": list(SMI_FIELDS)}

    def sample(self) -> dict[str, Any]:
        now = time.monotonic()
        with self.lock:
            failure = self.failure
            stale_after = 3 * self.interval_ms / 1000.0 + 2.0
            lines = [line for key, (line, at) in sorted(self.latest.items()) if now - at <= stale_after]
        if failure:
            if now - self.started_at >= self.RESTART_AFTER_S:
                self._start()
            return {"available": False, "code": "nvidia-smi-failed", "reason": failure}
        return {"available": True, "source": "nvidia-smi", "fields": list(SMI_FIELDS), "csv": lines}

    def close(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()


class NoGpuSource:
    name = "none"

    def __init__(self, status: dict[str, Any]) -> None:
        self.status = status

    def hello(self) -> dict[str, Any]:
        return dict(self.status)

    def sample(self) -> dict[str, Any]:
        # The long `detail` went out once, in the hello.
        return {key: value for key, value in self.status.items() if key != "detail"}

    def close(self) -> None:
        pass


# What the sampling loop needs of a GPU source: name, hello(), sample() and close().
GpuSource = Union[NvmlSource, SmiSource, NoGpuSource]


def choose_source(interval_ms: int) -> GpuSource:
    nvml, nvml_problem = load_nvml()
    if nvml is not None:
        return NvmlSource(nvml, interval_ms)
    smi = shutil.which("nvidia-smi")
    if smi:
        return SmiSource(smi, interval_ms)
    return NoGpuSource(
        {
            "available": False,
            "code": "no-driver",
            "reason": NO_DRIVER_REASON,
            "detail": f"libnvidia-ml.so.1 could not be loaded ({nvml_problem or 'not found'}) "
            "and nvidia-smi is not on PATH",
        }
    )


# --- output and the sampling loop -------------------------------------------------------------


class LineWriter:
    """Writes whole lines straight to a file descriptor: no buffering to forget to flush."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def pid_namespace() -> str:
    try:
        link = os.readlink("/proc/self/ns/pid")
    except OSError:
        return "unknown"
    return "initial" if link == INITIAL_PID_NAMESPACE else "child"


def hello_line(source: GpuSource, container: ContainerSampler, interval_ms: int) -> dict[str, Any]:
    hello = {
        "type": "hello",
        "agent": "gpu-env-agent",
        "version": AGENT_VERSION,
        "protocol": PROTOCOL_VERSION,
        "pid": os.getpid(),
        "intervalMs": interval_ms,
        "source": source.name,
        "gpu": source.hello(),
        "container": container.describe(),
        "pidNamespace": pid_namespace(),
    }
    if isinstance(source, SmiSource):
        hello["smiFields"] = list(SMI_FIELDS)
    return hello


def sample_line(seq: int, source: GpuSource, container: ContainerSampler) -> dict[str, Any]:
    return {
        "type": "sample",
        "seq": seq,
        "timeMs": int(time.time() * 1000),
        "container": container.sample(),
        "gpu": source.sample(),
    }


def run_loop(
    source: GpuSource, container: ContainerSampler, writer: LineWriter, interval_ms: int, count: int | None
) -> None:
    """Samples on a fixed grid (no drift); if a sample overran, skip to the next slot rather
    than burst to catch up."""
    interval = interval_ms / 1000.0
    next_at = time.monotonic() + interval
    seq = 0
    while count is None or seq < count:
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        seq += 1
        writer.write(sample_line(seq, source, container))
        next_at += interval
        now = time.monotonic()
        if next_at < now:
            next_at = now + interval - ((now - next_at) % interval)


def proc_self_cpu_seconds() -> float | None:
    """utime+stime of this process from /proc/self/stat (clock-tick resolution)."""
    text = read_once("/proc/self/stat") or ""
    after_name = text.rsplit(")", 1)[-1].split()
    try:
        ticks = int(after_name[11]) + int(after_name[12])
    except (IndexError, ValueError):
        return None
    return ticks / CLOCK_TICKS


def run_bench(source: GpuSource, container: ContainerSampler, samples: int, interval_ms: int) -> dict[str, Any]:
    """CPU cost of the sampling loop itself, per sample: the real loop, output to /dev/null."""
    sink = os.open(os.devnull, os.O_WRONLY)
    writer = LineWriter(sink)
    writer.write(sample_line(0, source, container))  # warm caches and lazy imports
    proc_before, cpu_before, wall_before = (proc_self_cpu_seconds(), time.process_time(), time.monotonic())
    run_loop(source, container, writer, interval_ms, samples)
    proc_after, cpu_after, wall_after = (proc_self_cpu_seconds(), time.process_time(), time.monotonic())
    os.close(sink)
    proc_ms = None if proc_before is None or proc_after is None else (proc_after - proc_before) * 1000.0 / samples
    return {
        "type": "bench",
        "source": source.name,
        "samples": samples,
        "intervalMs": interval_ms,
        "cpuMsPerSample": round((cpu_after - cpu_before) * 1000.0 / samples, 4),
        "procStatCpuMsPerSample": None if proc_ms is None else round(proc_ms, 4),
        "procStatResolutionMs": round(1000.0 / CLOCK_TICKS / samples, 4),
        "wallMs": round((wall_after - wall_before) * 1000.0, 1),
        "cpuSource": container.cpu_source,
        "memorySource": container.memory_source,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gpu_env_agent.py", description="gpu-env GPU and container sampling agent")
    parser.add_argument(
        "--interval-ms", type=int, default=1000, help="sampling interval in milliseconds (default 1000)"
    )
    parser.add_argument(
        "--count", type=int, default=None, help="stop after this many samples (default: run until stdout closes)"
    )
    parser.add_argument(
        "--bench",
        type=int,
        default=None,
        metavar="N",
        help="measure CPU per sample over N samples and print one JSON line",
    )
    parser.add_argument("--fs-root", default="/", help=argparse.SUPPRESS)  # tests: fake /sys
    args = parser.parse_args(argv)
    if not 1 <= args.interval_ms <= 3600000:
        parser.error("--interval-ms must be an integer from 1 to 3600000")
    for name in ("count", "bench"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be a positive integer")
    return args


def install_signal_handlers() -> None:
    def stop(_signum: int, _frame: Any) -> NoReturn:
        raise SystemExit(0)

    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    install_signal_handlers()
    container = ContainerSampler(args.fs_root)
    source = choose_source(args.interval_ms)
    writer = LineWriter(sys.stdout.fileno())
    try:
        if args.bench is not None:
            writer.write(run_bench(source, container, args.bench, args.interval_ms))
        else:
            writer.write(hello_line(source, container, args.interval_ms))
            run_loop(source, container, writer, args.interval_ms, args.count)
    except BrokenPipeError:
        # The host went away (channel closed): that is how the agent is normally stopped.
        pass
    finally:
        source.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
