#!/usr/bin/env python3
"""gpu-env idle watcher: stops its environment when nobody has used it for a whole window.

The container's entrypoint starts it (as root) when the environment was created with an idle stop
(`gpu-env up --idle-stop 30m`, setting gpuEnv.idleStop). It decides inside the environment, so it
works while the computer that created the environment sleeps or is gone. Every interval it looks at

  - SSH: established TCP connections to the container's sshd (port 22), VS Code's included; on a
    Slurm node (--slurm-job), the sshd processes whose parent is a step of this job (each connection
    is `srun --overlap … sshd -i`, one step; sshd renames itself, so its parent is what says whose);
  - runs: a training run whose status.json says starting/running and whose process is alive;
  - GPUs: the highest utilisation of the container's GPUs (NVML, through gpu_env_agent.py; on a
    node only those CUDA_VISIBLE_DEVICES names), busy at THRESHOLD percent and above;
  - "Keep running": STATE/keep-running touched (by VS Code's warning) since the last look.

Any of them resets the idle clock (monotonic, so a clock change cannot stop anything). After WINDOW
without any, it writes STATE/idle-stopped and sends SIGTERM to the main process (sshd); the
entrypoint then exits with code 0, which the container's restart policy (`on-failure`) does not
restart, also across an engine restart. Everything stays in the container; `gpu-env up` starts it.

STATE/idle.json, rewritten every interval, says where the clock stands; VS Code reads it (through
the engine, not SSH, so reading it does not count as use) to warn 5 minutes before:

  {"windowMs", "intervalMs", "thresholdPercent", "idleForMs", "remainingMs", "busy": [...],
   "sshSessions", "runsRunning", "gpuMaxPercent", "updatedAtMs"}

Usage: gpu_env_idle.py --window-ms MS --main-pid PID [--interval-ms MS] [--threshold PERCENT]
                       [--runs DIR] [--state DIR] [--slurm-job ID]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contextlib

import gpu_env_agent as agent  # copied next to this file

SSH_PORT = 22
TCP_ESTABLISHED = "01"
ACTIVE_STATES = ("starting", "running")
DEFAULT_THRESHOLD_PERCENT = 5.0
MIN_INTERVAL_MS, MAX_INTERVAL_MS = 1000, 60_000
MAX_RUNS = 10_000


def default_interval_ms(window_ms: int) -> int:
    """A sixth of the window, from 5 s to 60 s: a 30-minute window is checked every minute."""
    return max(5000, min(MAX_INTERVAL_MS, window_ms // 6))


def ssh_sessions(proc: str = "/proc") -> int:
    """Established connections to the SSH port, IPv4 and IPv6 (this container's network namespace)."""
    count = 0
    for name in ("tcp", "tcp6"):
        text = agent.read_once(os.path.join(proc, "net", name)) or ""
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 4 or fields[3] != TCP_ESTABLISHED:
                continue
            local_port = fields[1].rsplit(":", 1)[-1]
            try:
                if int(local_port, 16) == SSH_PORT:
                    count += 1
            except ValueError:
                continue
    return count


def cmdline(pid: str, proc: str = "/proc") -> str:
    try:
        with open(os.path.join(proc, pid, "cmdline"), "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def parent_of(pid: str, proc: str = "/proc") -> str | None:
    text = agent.read_once(os.path.join(proc, pid, "stat"))
    try:
        return text.rsplit(")", 1)[1].split()[1] if text else None
    except IndexError:
        return None


def slurm_sessions(job_id: str, proc: str = "/proc") -> int:
    """SSH connections into this job: sshd processes (`sshd-session: user [priv]`, `sshd: …`) whose
    parent is `slurmstepd: [JOB.STEP]` of this job, not its batch step."""
    try:
        pids = [name for name in os.listdir(proc) if name.isdigit()]
    except OSError:
        return 0
    prefix = f"slurmstepd: [{job_id}."
    count = 0
    for pid in pids:
        if not cmdline(pid, proc).startswith("sshd"):
            continue
        parent = parent_of(pid, proc)
        step = cmdline(parent, proc) if parent else ""
        if step.startswith(prefix) and not step.startswith(f"{prefix}batch]"):
            count += 1
    return count


def visible_filter(devices: list[dict[str, Any]], visible: str | None) -> list[dict[str, Any]]:
    """The devices CUDA_VISIBLE_DEVICES names (by UUID, or by index where NVML sees more GPUs than it
    names: a node without device cgroups); all of them when it is unset or names them all."""
    if not visible:
        return devices
    names = [name.strip() for name in visible.split(",") if name.strip()]
    if any(not name.isdigit() for name in names):
        return [d for d in devices if d.get("uuid") in names]
    if len(devices) <= len(names):
        return devices
    wanted = {int(name) for name in names}
    return [d for d in devices if d.get("index") in wanted]


def start_time(pid: int) -> int | None:
    """Start of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), None when gone."""
    text = agent.read_once(f"/proc/{pid}/stat")
    if not text:
        return None
    try:
        return int(text.rsplit(")", 1)[1].split()[19])
    except (IndexError, ValueError):
        return None


def alive(pid: Any, started: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    now = start_time(pid)
    return now is not None and (not isinstance(started, int) or started == now)


def runs_running(runs_dir: str) -> int:
    """Runs whose status says starting/running and whose process (or supervisor) is alive."""
    try:
        names = sorted(os.listdir(runs_dir))[:MAX_RUNS]
    except OSError:
        return 0
    count = 0
    for name in names:
        try:
            with open(os.path.join(runs_dir, name, "status.json"), encoding="utf-8") as f:
                status = json.load(f)
        except (OSError, ValueError):
            continue
        if not isinstance(status, dict) or status.get("state") not in ACTIVE_STATES:
            continue
        if alive(status.get("pid"), status.get("pidStartTime")) or alive(
            status.get("supervisorPid"), status.get("supervisorStartTime")
        ):
            count += 1
    return count


class GpuUse:
    """The highest utilisation of this container's GPUs; None without NVML (no GPU to keep busy)."""

    def __init__(self, interval_ms: int) -> None:
        nvml, _problem = agent.load_nvml()
        self.source = agent.NvmlSource(nvml, interval_ms) if nvml is not None else None

    def max_percent(self) -> float | None:
        if self.source is None:
            return None
        sample = self.source.sample()
        devices = visible_filter(sample.get("devices") or [], os.environ.get("CUDA_VISIBLE_DEVICES"))
        values = [d.get("utilizationGpuPercent") for d in devices]
        numbers = [v for v in values if isinstance(v, (int, float))]
        return max(numbers) if numbers else None


def mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def write_json_atomic(path: str, data: dict[str, Any]) -> None:
    temp = f"{path}.tmp"
    with open(temp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.chmod(temp, 0o644)
    os.replace(temp, path)


class Watcher:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.window_s = args.window_ms / 1000.0
        self.interval_ms = args.interval_ms or default_interval_ms(args.window_ms)
        self.gpus = GpuUse(self.interval_ms)
        self.keep_running = os.path.join(args.state, "keep-running")
        self.keep_running_seen = mtime(self.keep_running)
        self.idle_since = time.monotonic()

    def look(self) -> dict[str, Any]:
        busy = []
        sessions = slurm_sessions(self.args.slurm_job) if self.args.slurm_job else ssh_sessions()
        runs = runs_running(self.args.runs)
        gpu = self.gpus.max_percent()
        if sessions > 0:
            busy.append("ssh")
        if runs > 0:
            busy.append("run")
        if gpu is not None and gpu >= self.args.threshold:
            busy.append("gpu")
        touched = mtime(self.keep_running)
        if touched is not None and touched != self.keep_running_seen:
            self.keep_running_seen = touched
            busy.append("keep-running")
        now = time.monotonic()
        if busy:
            self.idle_since = now
        idle_for_ms = int((now - self.idle_since) * 1000)
        return {
            "windowMs": self.args.window_ms,
            "intervalMs": self.interval_ms,
            "thresholdPercent": self.args.threshold,
            "idleForMs": idle_for_ms,
            "remainingMs": max(0, self.args.window_ms - idle_for_ms),
            "busy": busy,
            "sshSessions": sessions,
            "runsRunning": runs,
            "gpuMaxPercent": gpu,
            "updatedAtMs": int(time.time() * 1000),
        }

    def stop(self, state: dict[str, Any]) -> None:
        reason = (
            f"idle for {state['idleForMs'] // 1000} s (window {self.args.window_ms // 1000} s): no SSH session, "
            f"no running run, GPU utilisation under {self.args.threshold:g}%"
        )
        write_json_atomic(
            os.path.join(self.args.state, "idle-stopped"), {"reason": reason, "atMs": int(time.time() * 1000)}
        )
        print(f"gpu-env idle stop: {reason}; stopping the environment (gpu-env up starts it again)", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.args.main_pid, signal.SIGTERM)

    def run(self) -> int:
        os.makedirs(self.args.state, exist_ok=True)
        print(
            f"gpu-env idle stop: on, after {self.args.window_ms // 1000} s without SSH sessions, runs or GPU use "
            f"(checked every {self.interval_ms // 1000} s)",
            flush=True,
        )
        while True:
            state = self.look()
            write_json_atomic(os.path.join(self.args.state, "idle.json"), state)
            if state["remainingMs"] <= 0:
                self.stop(state)
                return 0
            time.sleep(min(self.interval_ms, max(state["remainingMs"], 1000)) / 1000.0)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gpu_env_idle.py", description="stop this environment when unused")
    parser.add_argument("--window-ms", type=int, required=True)
    parser.add_argument("--main-pid", type=int, required=True, help="the process to stop (sshd)")
    parser.add_argument("--interval-ms", type=int, default=None)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD_PERCENT)
    parser.add_argument("--runs", default="/workspace/.gpu-env/runs")
    parser.add_argument("--state", default="/run/gpu-env")
    parser.add_argument("--slurm-job", default=None, help="on a Slurm node: count SSH sessions as steps of this job")
    args = parser.parse_args(argv)
    if args.window_ms < 1000:
        parser.error("--window-ms must be at least 1000")
    if args.interval_ms is not None and not MIN_INTERVAL_MS <= args.interval_ms <= MAX_INTERVAL_MS:
        parser.error(f"--interval-ms must be from {MIN_INTERVAL_MS} to {MAX_INTERVAL_MS}")
    if not 0 < args.threshold <= 100:
        parser.error("--threshold must be a percentage above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return Watcher(args).run()


if __name__ == "__main__":
    sys.exit(main())
