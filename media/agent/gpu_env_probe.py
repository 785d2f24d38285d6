#!/usr/bin/env python3
"""gpu-env GPU probe: one sample of every GPU of a machine, and the container of each GPU process.

`gpu-env gpus` and `up --gpus N` run it once in a short-lived container that has every GPU and the
machine's PID namespace, next to gpu_env_agent.py (whose NVML sampling it uses). It prints two JSON
lines on stdout:

  the agent's sample line  {"type":"sample", ..., "gpu":{...,"devices":[..., "processes":[{pid,...}]]}}
  {"type":"owners", "pids": {"<pid>": {"container": "<64 hex digits>"|null}}}

NVML reports GPU processes by their pid in the machine's PID namespace, which is this container's
here, so /proc/<pid>/cgroup says which container each one runs in (Docker names a container's
cgroup after its id, on cgroup v1 and v2 alike).
"""

from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gpu_env_agent as agent  # found next to this file

CONTAINER_ID = re.compile(r"(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])")
MAX_PIDS = 1024


def container_of(pid: int) -> str | None:
    """The id of the container `pid` runs in, None outside containers or when it is gone."""
    text = agent.read_once(f"/proc/{pid}/cgroup") or ""
    for line in text.splitlines():
        match = CONTAINER_ID.search(line.split(":", 2)[-1])
        if match:
            return match.group(1)
    return None


def gpu_pids(sample: dict) -> list[int]:
    gpu = sample.get("gpu") or {}
    pids = []
    for device in gpu.get("devices") or []:
        for process in device.get("processes") or []:
            if isinstance(process.get("pid"), int) and process["pid"] not in pids:
                pids.append(process["pid"])
    return pids[:MAX_PIDS]


def main() -> int:
    source = agent.choose_source(1000)
    writer = agent.LineWriter(sys.stdout.fileno())
    try:
        sample = agent.sample_line(1, source, agent.ContainerSampler())
        writer.write(sample)
        writer.write(
            {"type": "owners", "pids": {str(pid): {"container": container_of(pid)} for pid in gpu_pids(sample)}}
        )
    finally:
        source.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
