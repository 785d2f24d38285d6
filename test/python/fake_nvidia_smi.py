#!/usr/bin/env python3
"""A stand-in `nvidia-smi` for the agent's fallback path (CONSTRUCTED test double).

FAKE_SMI_MODE=loop (default): prints the lines of $FAKE_SMI_LINES every -lms milliseconds.
FAKE_SMI_MODE=fail: prints the message real drivers print when a container lost its GPU
(NVIDIA/nvidia-container-toolkit#1227) and exits 255.
Each start appends one line to $FAKE_SMI_SPAWN_LOG, so tests can count spawns.
"""

import os
import sys
import time


def main():
    log = os.environ.get("FAKE_SMI_SPAWN_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(" ".join(sys.argv[1:]) + "\n")
    if os.environ.get("FAKE_SMI_MODE") == "fail":
        print("Failed to initialize NVML: Unknown Error", flush=True)
        return 255
    interval_s = 1.0
    for i, arg in enumerate(sys.argv):
        if arg == "-lms" and i + 1 < len(sys.argv):
            interval_s = int(sys.argv[i + 1]) / 1000.0
    with open(os.environ["FAKE_SMI_LINES"]) as handle:
        lines = [line.rstrip("\n") for line in handle if line.strip()]
    while True:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        time.sleep(interval_s)


if __name__ == "__main__":
    sys.exit(main())
