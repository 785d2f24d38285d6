#!/usr/bin/env python3
"""gpu-env run launcher: start training runs detached from SSH, stop, resume and list them.

  gpu_env_run.py start RUN_DIR [--id ID] [--label TEXT] [--auto-resume] [--environment NAME]
                 [--cwd DIR] [--resume-arg ARG]... [--nproc-per-node K] [--max-restarts N]
                 -- CMD [ARG...]
                 (everything after -- is the command, passed as is)
  gpu_env_run.py stop RUN_DIR [--grace SECONDS]
  gpu_env_run.py resume RUN_DIR
  gpu_env_run.py resume-all RUNS_DIR
  gpu_env_run.py status RUN_DIR
  gpu_env_run.py list RUNS_DIR

A run on a cluster is a batch job of its own (gpu-env writes its job.sh and submits it):
  gpu_env_run.py create RUN_DIR [--id ID] [--label TEXT] [--environment NAME] [--cwd DIR]
                 [--resume-arg ARG]... [--max-restarts N] --scheduler slurm --nodes N
                 --nproc-per-node K -- CMD [ARG...]
                 (records the run without starting it; its job runs it)
  gpu_env_run.py submitted RUN_DIR --job-id ID   (records the job that will run it)
  gpu_env_run.py reopen RUN_DIR                  (clears a stop request before it is submitted again)
  gpu_env_run.py job RUN_DIR -- srun ... gpu_env_run.py rank -- CMD [ARG...]
                 (the job's batch script: records each attempt, asks the ranks to checkpoint
                 before the time limit, requeues the job after a warning or a failure)
  gpu_env_run.py rank -- CMD [ARG...]
                 (one rank under srun: torchrun's variables from Slurm's, output lines
                 prefixed "[rank R HOST] ")

A run directory holds run.json (what to run), status.json (what it is doing),
stdout.log (its stdout and stderr) and whatever the command writes there
(train_cnn.py: metrics.jsonl and checkpoints/). The command is started in a new
session by a supervisor process that is itself double-forked into its own
session, so neither a closed SSH connection (SIGHUP) nor the exit of the
calling shell reaches it. The supervisor records the exit in status.json.

Every write of run.json or status.json goes to a temp file that is fsynced and
renamed over the old one, under an flock, so readers never see half a file and
concurrent calls (two clients, a retry) cannot launch a run twice.

Output is JSON on stdout (one object per line for list and resume-all).
Exit codes: 0 ok, 1 failed, 2 bad usage, 3 the run is already running or exists.

resume-all (the container's start) relaunches only runs whose run.json carries a
seal made with this environment's key (GPU_ENV_RUN_KEY, default /etc/gpu-env/run_key,
given to the container by gpu-env): a run.json that came with a cloned repository
is never started by itself.

Python standard library only: it runs in any container with python3.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import hashlib
import hmac
import json
import math
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from typing import Any, Callable, Iterator, TextIO

VERSION = 1
RUN_FILE = "run.json"
STATUS_FILE = "status.json"
LOG_FILE = "stdout.log"
METRICS_FILE = "metrics.jsonl"
LOCK_FILE = ".lock"
ACTIVE_STATES = ("starting", "running")
DEFAULT_RESUME_ARGS = ["--resume"]
DEFAULT_GRACE_S = 20.0
DEFAULT_MAX_RESTARTS = 3
# train_cnn.py's exit status after it checkpointed on a preemption warning (EX_TEMPFAIL: try again).
EXIT_PREEMPTED = 75
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_EXISTS = 0, 1, 2, 3
METRICS_TAIL_BYTES = 64 * 1024
# Cluster runs: written (by `gpu-env stop` on the login node) to ask the job not to requeue.
STOP_FILE = "stop-requested"
MAX_ATTEMPTS_KEPT = 100
# Seconds before the time limit at which a cluster job asks its ranks to checkpoint, unless
# run.json's cluster.warnSeconds says otherwise (gpu-env chooses it from the time limit).
DEFAULT_WARN_S = 90


class RunError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


# --- files ------------------------------------------------------------------------------------


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: str, data: dict[str, Any]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        if os.geteuid() == 0:
            # Root (the container entrypoint) writing into a user's run: keep the files the user's.
            st = os.stat(folder)
            os.chown(temp, st.st_uid, st.st_gid)
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(folder)


def protocol_float(text: str) -> float | str:
    """A JSON number; one too large for a float (1e999) becomes the protocol's "Infinity" string."""
    value = float(text)
    return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")


def parse_json(text: str | bytes) -> Any:
    """json.loads that keeps non-finite numbers as protocol strings; ValueError for anything
    unreadable, including nesting too deep for the decoder (30,000 "[")."""
    try:
        return json.loads(text, parse_constant=str, parse_float=protocol_float)
    except RecursionError as e:
        raise ValueError("nested too deeply") from e


def read_json(path: str) -> dict[str, Any] | None:
    """The object in `path`, None if the file does not exist; RunError if it is not a JSON object."""
    try:
        with open(path, encoding="utf-8") as f:
            data = parse_json(f.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise RunError(f"{path} is unreadable: {e}") from e
    if not isinstance(data, dict):
        raise RunError(f"{path} does not hold a JSON object")
    return data


@contextmanager
def run_lock(run_dir: str) -> Iterator[None]:
    """Serialises status updates and launches of one run across processes."""
    path = os.path.join(run_dir, LOCK_FILE)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        fd = os.open(path, os.O_RDONLY)  # created by another user; flock works read-only too
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def update_status(run_dir: str, **changes: Any) -> dict[str, Any]:
    """Merge `changes` into status.json; call with the run lock held."""
    path = os.path.join(run_dir, STATUS_FILE)
    status = read_json(path) or {"v": VERSION}
    status.update(changes)
    status["updatedAt"] = time.time()
    write_json_atomic(path, status)
    return status


# --- processes --------------------------------------------------------------------------------


def process_start_time(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (/proc/PID/stat field 22), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("ascii", "replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    except OSError:
        return None
    # comm (field 2) may hold spaces and parentheses: split after the last ')'.
    rest = raw.rsplit(")", 1)[-1].split()
    if len(rest) < 20 or rest[0] in ("Z", "X"):  # zombies and dead tasks are not running
        return None
    return int(rest[19])


def pid_alive(pid: int | None, start_time: int | None = None) -> bool:
    """Whether `pid` runs and, when known, is the same process (pids are reused after a restart)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if os.path.isdir("/proc/self"):
        started = process_start_time(pid)
        return started is not None and (start_time is None or started == start_time)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_alive(status: dict[str, Any]) -> bool:
    """The training process or its supervisor still runs."""
    return pid_alive(status.get("pid"), status.get("pidStartTime")) or pid_alive(
        status.get("supervisorPid"), status.get("supervisorStartTime")
    )


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"SIG{signum}"


def kill_group(pgid: int | None, signum: int) -> bool:
    if not isinstance(pgid, int) or pgid <= 1:
        return False
    try:
        os.killpg(pgid, signum)
        return True
    except ProcessLookupError:
        return False


def owner_of(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


def drop_privileges_to_owner(run_dir: str, env: dict[str, str]) -> None:
    """Root (the container entrypoint) relaunches a run as the user who owns the run directory."""
    if os.geteuid() != 0:
        return
    uid, gid = owner_of(run_dir)
    if uid == 0:
        return
    try:
        entry = pwd.getpwuid(uid)
        env.update(HOME=entry.pw_dir, USER=entry.pw_name, LOGNAME=entry.pw_name)
        os.initgroups(entry.pw_name, gid)
    except KeyError:
        os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


# --- launching --------------------------------------------------------------------------------


def log_line(log: TextIO, text: str) -> None:
    log.write(f"[gpu-env-run {time.strftime('%Y-%m-%d %H:%M:%S')}] {text}\n")
    log.flush()


def child_env(run_dir: str, run: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    extra = run.get("env") or {}
    env.update({str(k): str(v) for k, v in extra.items()})
    env.update(GPU_ENV_RUN_DIR=os.path.abspath(run_dir), GPU_ENV_RUN_ID=str(run.get("id", "")), PYTHONUNBUFFERED="1")
    return env


class Reporter:
    """The supervisor's one message back to the launching process, through a pipe."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def send(self, message: dict[str, Any]) -> None:
        if self.fd is None:
            return  # already reported; the fd number may belong to another file by now
        fd, self.fd = self.fd, None
        try:
            os.write(fd, (json.dumps(message) + "\n").encode())
        finally:
            os.close(fd)


def redirect_stdio(log_path: str) -> None:
    """Detach from the caller's terminal/SSH channel: stdin from /dev/null, output to the log."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(devnull, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(devnull)
    os.close(log_fd)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)


def rank_env(env: dict[str, str], rank: int, ranks: int, port: int, restarts: int, max_restarts: int) -> dict[str, str]:
    """What torchrun gives each process on one machine, so scripts written for torchrun run unchanged.
    USE_LIBUV=0: PyTorch builds without libuv (Debian's) cannot serve the default TCPStore otherwise."""
    env = dict(env)
    env.update(
        RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(ranks), LOCAL_WORLD_SIZE=str(ranks),
        GROUP_RANK="0", ROLE_RANK=str(rank), ROLE_WORLD_SIZE=str(ranks), NODE_RANK="0",
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), USE_LIBUV="0",
        TORCHELASTIC_RESTART_COUNT=str(restarts), TORCHELASTIC_MAX_RESTARTS=str(max_restarts),
        TORCHELASTIC_RUN_ID=env.get("GPU_ENV_RUN_ID", "gpu-env"),
    )  # fmt: skip
    # Like torchrun: ranks sharing the CPUs must not each start a thread per core.
    env.setdefault("OMP_NUM_THREADS", str(max(1, cpu_count() // ranks)))
    return env


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def free_port() -> int:
    """A loopback port free now, for the group's rendezvous (MASTER_PORT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ranks(
    argv: list[str], run: dict[str, Any], cwd: str, env: dict[str, str], ranks: int, restarts: int
) -> list[subprocess.Popen]:
    """Start the command once per rank, all in one new process group (led by rank 0), so stop reaches
    them all with one killpg. One rank: the command as given, without rank variables."""
    port = free_port() if ranks > 1 else 0
    children: list[subprocess.Popen] = []
    try:
        for rank in range(ranks):
            leader = children[0].pid if children else None
            children.append(
                subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=env if ranks == 1 else rank_env(env, rank, ranks, port, restarts, max_restarts_of(run)),
                    stdin=subprocess.DEVNULL,
                    stdout=sys.stdout,
                    stderr=subprocess.STDOUT,
                    # One process: its own session, as always. Several: one process group in the
                    # supervisor's session (a group cannot span sessions), led by rank 0. The
                    # supervisor has one thread, so a preexec_fn is safe here.
                    start_new_session=ranks == 1,
                    preexec_fn=None if ranks == 1 else (lambda leader=leader: os.setpgid(0, leader or 0)),
                    close_fds=True,
                )
            )
    except OSError:
        for child in children:
            with suppress(OSError):
                child.kill()
            child.wait()
        raise
    return children


def max_restarts_of(run: dict[str, Any]) -> int:
    return int(run.get("maxRestarts", DEFAULT_MAX_RESTARTS))


def wait_group(children: list[subprocess.Popen], grace: float) -> tuple[int, int | None]:
    """Wait until every rank ended. When one fails (non-zero exit or a signal) while others still
    run, the others would wait forever for it in their next collective: stop them (SIGTERM, SIGKILL
    after `grace` seconds). Returns (the first failure's code or 0, its rank or None); a code < 0 is
    the signal that ended it, as in Popen.returncode."""
    if len(children) == 1:
        return children[0].wait(), None
    first: tuple[int, int | None] = (0, None)
    stopping_since: float | None = None
    while True:
        running = [c for c in children if c.poll() is None]
        if first[1] is None:
            # A rank killed by a signal is the cause; ranks that then lost their peer exit with errors.
            ended = sorted((c.returncode >= 0, i) for i, c in enumerate(children) if c.returncode not in (None, 0))
            failed = ended[0][1] if ended else None
            if failed is not None:
                first = (children[failed].returncode, failed)
                if running:
                    log_line(sys.stdout, f"rank {failed} ended ({describe_code(first[0])}); stopping the other ranks")
                    kill_group(children[0].pid, signal.SIGTERM)
                    stopping_since = time.monotonic()
        if not running:
            return first
        if stopping_since is not None and time.monotonic() - stopping_since > grace:
            kill_group(children[0].pid, signal.SIGKILL)
            stopping_since = None
        time.sleep(0.1)


CGROUP_ROOT = "/sys/fs/cgroup"


def oom_kill_count(proc_cgroup: str = "/proc/self/cgroup", root: str = CGROUP_ROOT) -> int | None:
    """How many processes the kernel's OOM killer has killed in this process's memory cgroup and
    below (the container's, or a Slurm job's), or None where no counter can be read. cgroup v2:
    memory.events; v1: memory.oom_control. A container sees its own cgroup at the mount's root, a
    process on a host at its path under the mount: both are tried, the path first."""
    try:
        with open(proc_cgroup) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    candidates: list[str] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, path = parts[1], parts[2].lstrip("/")
        if controllers == "":
            candidates += [os.path.join(root, path, "memory.events"), os.path.join(root, "memory.events")]
        elif "memory" in controllers.split(","):
            candidates += [
                os.path.join(root, "memory", path, "memory.oom_control"),
                os.path.join(root, "memory", "memory.oom_control"),
            ]
    for candidate in candidates:
        try:
            with open(candidate) as f:
                for entry in f.read().splitlines():
                    key, _, value = entry.partition(" ")
                    if key == "oom_kill" and value.strip().isdigit():
                        return int(value)
        except OSError:
            continue
    return None


def oom_kills_since(before: int | None) -> int:
    """OOM kills in our memory cgroup since `before` was read (0 where there is no counter)."""
    after = oom_kill_count()
    return after - before if before is not None and after is not None and after > before else 0


def oom_message(kills: int) -> str:
    # failure.ts recognises "out-of-memory killer killed" and tells how to fix it.
    return (
        f"the kernel's out-of-memory killer killed {kills} process{'es' if kills > 1 else ''} of this environment: "
        "host memory ran out (the environment's --memory limit, or the machine's RAM)"
    )


def describe_code(code: int) -> str:
    return f"signal {signal_name(-code)}" if code < 0 else f"exit code {code}"


def supervise(run_dir: str, argv: list[str], run: dict[str, Any], env: dict[str, str], reporter: Reporter) -> int:
    """Launch the command (once per rank), record it, wait for it, record how it ended. Runs in the
    daemon. With several ranks, a rank that dies takes the group down and the group starts again with
    the resume arguments (from the newest checkpoint), up to maxRestarts times."""
    with run_lock(run_dir):
        previous = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
        if previous.get("state") in ACTIVE_STATES and run_alive(previous):
            reporter.send({"ok": False, "code": EXIT_EXISTS, "error": "the run is already running", "status": previous})
            return EXIT_EXISTS
        me = os.getpid()
        attempt = int(previous.get("attempt", 0)) + 1
        update_status(
            run_dir,
            state="starting",
            pid=None,
            pgid=None,
            pidStartTime=None,
            ranks=None,
            restarts=0,
            supervisorPid=me,
            supervisorStartTime=process_start_time(me),
            exitCode=None,
            signal=None,
            stopRequested=False,
            error=None,
            oomKills=0,
            attempt=attempt,
            startedAt=time.time(),
            endedAt=None,
        )
    redirect_stdio(os.path.join(run_dir, LOG_FILE))
    ranks = int(run.get("nprocPerNode", 1))
    log_line(sys.stdout, f"attempt {attempt}: {' '.join(argv)}" + (f" ({ranks} ranks)" if ranks > 1 else ""))
    restarts = 0
    leader: int | None = None
    # Forward a polite stop sent to the supervisor to the whole training process group.
    signal.signal(signal.SIGTERM, lambda *_: leader is not None and kill_group(leader, signal.SIGTERM))
    oom_kills = 0
    while True:
        oom_before = oom_kill_count()
        try:
            children = start_ranks(argv, run, run.get("cwd") or run_dir, env, ranks, restarts)
        except OSError as e:
            with run_lock(run_dir):
                status = update_status(
                    run_dir,
                    state="failed",
                    exitCode=127,
                    endedAt=time.time(),
                    error=f"cannot start {argv[0]}: {e.strerror or e}",
                )
            log_line(sys.stdout, status["error"])
            reporter.send({"ok": False, "code": EXIT_FAIL, "error": status["error"], "status": status})
            return EXIT_FAIL
        leader = children[0].pid
        pids = [c.pid for c in children]
        if ranks > 1:
            log_line(sys.stdout, " ".join(f"rank {r}: pid {pid}" for r, pid in enumerate(pids)))
        with run_lock(run_dir):
            status = update_status(
                run_dir, state="running", pid=leader, pgid=leader, pidStartTime=process_start_time(leader),
                ranks=pids if ranks > 1 else None, restarts=restarts,
            )  # fmt: skip
        reporter.send({"ok": True, "status": status})
        code, failed_rank = wait_group(children, DEFAULT_GRACE_S)
        killed = oom_kills_since(oom_before) if code != 0 else 0
        if killed:
            oom_kills += killed
            log_line(sys.stdout, oom_message(killed))
        current = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
        if failed_rank is not None and not current.get("stopRequested") and restarts < max_restarts_of(run):
            restarts += 1
            log_line(
                sys.stdout,
                f"rank {failed_rank} failed ({describe_code(code)}): restarting the group from the newest "
                f"checkpoint (restart {restarts} of {max_restarts_of(run)})",
            )
            argv = resume_argv(run)
            continue
        break
    with run_lock(run_dir):
        current = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
        if oom_kills and code not in (0, EXIT_PREEMPTED):
            # Not a stop: the kernel killed it (SIGKILL, or 137 from a shell, or a DataLoader worker).
            final = {
                "state": "failed",
                "exitCode": None if code < 0 else code,
                "signal": signal_name(-code) if code < 0 else None,
            }
        elif code < 0:
            final = {"state": "stopped", "exitCode": None, "signal": signal_name(-code)}
        elif current.get("stopRequested") or code == EXIT_PREEMPTED:
            # It caught the SIGTERM from stop and exited on its own (torchrun, shell traps), or it
            # checkpointed on a preemption warning: both resume where they stopped.
            final = {"state": "stopped", "exitCode": code, "signal": None}
        else:
            final = {"state": "succeeded" if code == 0 else "failed", "exitCode": code, "signal": None}
        if current.get("supervisorPid") == os.getpid():  # a later attempt may own the file now
            update_status(run_dir, endedAt=time.time(), oomKills=oom_kills, **final)
    log_line(sys.stdout, f"attempt {attempt} ended: {final['state']} ({describe_code(code)})")
    return EXIT_OK


def launch(run_dir: str, argv: list[str], run: dict[str, Any]) -> dict[str, Any]:
    """Double-fork a supervisor in a new session; return the status it reports back."""
    read_fd, write_fd = os.pipe()
    first = os.fork()
    if first == 0:  # child 1: new session, fork the supervisor, exit at once
        os.close(read_fd)
        code = EXIT_FAIL
        try:
            os.setsid()
            env = child_env(run_dir, run)
            drop_privileges_to_owner(run_dir, env)
            if os.fork() == 0:  # the supervisor: not a session leader, so it never gets a terminal
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                reporter = Reporter(write_fd)
                try:
                    code = supervise(run_dir, argv, run, env, reporter)
                except BaseException as e:  # noqa: BLE001 - report anything rather than leave the caller waiting
                    with suppress(OSError):
                        reporter.send({"ok": False, "code": EXIT_FAIL, "error": f"supervisor: {e}"})
                os._exit(code)
            code = EXIT_OK
        except BaseException as e:  # noqa: BLE001 - a forked child must report and _exit, never unwind
            with suppress(OSError):
                Reporter(write_fd).send({"ok": False, "code": EXIT_FAIL, "error": f"detach: {e}"})
        os._exit(code)
    os.close(write_fd)
    os.waitpid(first, 0)
    with os.fdopen(read_fd, "r") as pipe:
        line = pipe.readline()  # EOF (empty) if the supervisor died before reporting
    if not line:
        raise RunError("the supervisor exited without reporting; see " + os.path.join(run_dir, LOG_FILE))
    message = json.loads(line)
    if not message.get("ok"):
        raise RunError(message.get("error", "launch failed"), int(message.get("code", EXIT_FAIL)))
    return message["status"]


# --- cluster runs -----------------------------------------------------------------------------


def is_cluster_run(run: dict[str, Any] | None) -> bool:
    return isinstance(run, dict) and isinstance(run.get("cluster"), dict)


def stop_requested(run_dir: str) -> bool:
    return os.path.exists(os.path.join(run_dir, STOP_FILE))


def short_host() -> str:
    return socket.gethostname().split(".")[0]


def expand_nodelist(nodelist: str) -> list[str]:
    """Slurm's compressed host list ("node[1-3,07],gpu1") as names; what scontrol says when it can."""
    names: list[str] = []
    for prefix, ranges, suffix in re.findall(r"([^,\[]+)(?:\[([^\]]*)\])?([^,\[]*)", nodelist):
        if not ranges:
            names.append(prefix + suffix)
            continue
        for part in ranges.split(","):
            low, _, high = part.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                continue
            for n in range(int(low), int(high or low) + 1)[:4096]:
                names.append(f"{prefix}{str(n).zfill(len(low))}{suffix}")
    return names


def job_nodes() -> list[str]:
    nodelist = os.environ.get("SLURM_JOB_NODELIST", "")
    with suppress(OSError, subprocess.TimeoutExpired):
        shown = subprocess.run(
            ["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True, timeout=30, check=False
        )
        if shown.returncode == 0 and shown.stdout.split():
            return shown.stdout.split()
    return expand_nodelist(nodelist) or [short_host()]


def last_step(run_dir: str) -> int | None:
    """The newest step in the run's metrics (what an attempt got to): its newest train line, or its
    newest event (a checkpoint saved on a warning can be past the last train line)."""
    summary = metrics_summary(os.path.join(run_dir, METRICS_FILE)) or {}
    steps = [(summary.get(kind) or {}).get("step") for kind in ("train", "event")]
    found = [step for step in steps if isinstance(step, int) and not isinstance(step, bool)]
    return max(found) if found else None


def rendezvous_port(job_id: str, master: str) -> int:
    """A free port when this (the batch) host is the master, else one every node computes alike."""
    if master == short_host():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("", 0))
            return sock.getsockname()[1]
    return 29500 + (int(job_id) if job_id.isdigit() else 0) % 1000


def job_waiting(job_id: str) -> bool:
    """Whether the job is queued to run again (squeue: PENDING, REQUEUED, ...)."""
    with suppress(OSError, subprocess.TimeoutExpired):
        shown = subprocess.run(
            ["squeue", "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True, timeout=30, check=False
        )
        return shown.stdout.strip() in ("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING")
    return False


class JobAttempt:
    """One run of a cluster run's batch job (the first, or one after a requeue): what it records in
    status.json, and whether it asks Slurm to run the job again."""

    def __init__(self, run_dir: str, run: dict[str, Any], job_id: str, launch: list[str]) -> None:
        self.run_dir, self.run, self.job_id, self.launch = run_dir, run, job_id, launch
        self.cluster: dict[str, Any] = run["cluster"]
        self.restart_count = int(os.environ.get("SLURM_RESTART_COUNT") or 0)
        self.nodes = job_nodes()
        self.attempt = 0
        self.proc: subprocess.Popen | None = None
        self.warned: str | None = None  # why the ranks were asked to checkpoint
        self.terminated = False  # Slurm is ending the job (scancel, requeue, preemption, node failure)

    def status_path(self) -> str:
        return os.path.join(self.run_dir, STATUS_FILE)

    def begin(self) -> dict[str, Any]:
        now = time.time()
        with run_lock(self.run_dir):
            status = read_json(self.status_path()) or {}
            attempts = [a for a in status.get("attempts") or [] if isinstance(a, dict)]
            if attempts and attempts[-1].get("endedAt") is None:
                # Ended with its job before it could say so: a node failed, or Slurm requeued,
                # preempted or cancelled the job (srun ends the ranks at once on SIGTERM).
                attempts[-1].update(endedAt=now, end="interrupted", lastStep=last_step(self.run_dir))
            self.attempt = int(status.get("attempt") or 0) + 1
            attempts.append(
                {
                    "attempt": self.attempt, "jobId": self.job_id, "restartCount": self.restart_count,
                    "nodes": self.nodes, "startedAt": now, "endedAt": None, "end": None, "exitCode": None,
                    "lastStep": None,
                }
            )  # fmt: skip
            return update_status(
                self.run_dir,
                state="running",
                attempt=self.attempt,
                attempts=attempts[-MAX_ATTEMPTS_KEPT:],
                job={"scheduler": "slurm", "id": self.job_id, "nodes": self.nodes, "restartCount": self.restart_count},
                pid=None, pgid=None, ranks=None, exitCode=None, signal=None, error=None,
                stopRequested=stop_requested(self.run_dir), startedAt=now, endedAt=None,
            )  # fmt: skip

    def end(self, end: str, code: int | None, **status: Any) -> dict[str, Any]:
        with run_lock(self.run_dir):
            current = read_json(self.status_path()) or {}
            attempts = [a for a in current.get("attempts") or [] if isinstance(a, dict)]
            mine = next((a for a in reversed(attempts) if a.get("attempt") == self.attempt), None)
            if mine is not None:
                mine.update(endedAt=time.time(), end=end, exitCode=code, lastStep=last_step(self.run_dir))
            return update_status(self.run_dir, attempts=attempts, **status)

    def warn(self, why: str) -> None:
        """Ask every rank to checkpoint and stop (srun forwards SIGUSR1 to each); once per attempt."""
        if self.warned is not None:
            return
        self.warned = why
        log_line(sys.stdout, f"{why}: asking every rank to checkpoint and stop (SIGUSR1)")
        if self.proc is not None and self.proc.poll() is None:
            with suppress(OSError):
                self.proc.send_signal(signal.SIGUSR1)

    def on_terminate(self, *_: Any) -> None:
        # srun gets the same SIGTERM and ends the ranks itself: nothing to forward.
        self.terminated = True

    def arm_warnings(self) -> int:
        """Slurm's own warning (sbatch --signal=B:USR1@W) and, sharper, a timer W seconds before the
        job's end (Slurm sends its signal up to a minute early or late). Returns W."""
        warn_s = int(self.cluster.get("warnSeconds") or DEFAULT_WARN_S)
        signal.signal(signal.SIGUSR1, lambda *_: self.warn("warning from Slurm (time limit or preemption)"))
        signal.signal(signal.SIGALRM, lambda *_: self.warn(f"{warn_s} s before the job's time limit"))
        signal.signal(signal.SIGTERM, self.on_terminate)
        end = os.environ.get("SLURM_JOB_END_TIME", "")
        if end.isdigit():
            delay = int(end) - warn_s - time.time()
            if delay > 0:
                signal.alarm(max(1, int(delay)))
        return warn_s

    def launch_env(self) -> dict[str, str]:
        env = child_env(self.run_dir, self.run)
        master = self.nodes[0]
        env.setdefault("MASTER_ADDR", master)
        env.setdefault("MASTER_PORT", str(rendezvous_port(self.job_id, master)))
        env.setdefault("USE_LIBUV", "0")
        return env

    def run_ranks(self) -> int:
        argv = resume_argv({**self.run, "command": self.launch}) if self.attempt > 1 else list(self.launch)
        env = self.launch_env()
        ranks = int(self.cluster.get("nodes", len(self.nodes))) * int(self.cluster.get("nprocPerNode", 1))
        log_line(
            sys.stdout,
            f"attempt {self.attempt} (job {self.job_id}, restart {self.restart_count}) on {','.join(self.nodes)}: "
            f"{ranks} ranks, MASTER_ADDR={env['MASTER_ADDR']} MASTER_PORT={env['MASTER_PORT']}",
        )
        self.proc = subprocess.Popen(argv, cwd=self.run.get("cwd") or self.run_dir, env=env, stdin=subprocess.DEVNULL)
        if self.warned is not None:  # the warning came while srun was starting
            with suppress(OSError):
                self.proc.send_signal(signal.SIGUSR1)
        code = self.proc.wait()
        signal.alarm(0)
        return code

    def requeue(self, end: str, code: int, why: str) -> int:
        """`scontrol requeue`: Slurm ends this script and runs the job again (after its requeue
        delay); the next attempt resumes from the newest checkpoint."""
        self.end(end, code, state="starting", exitCode=code, endedAt=None)
        log_line(
            sys.stdout, f"attempt {self.attempt} {end} ({describe_code(code)}): {why}; requeueing job {self.job_id}"
        )
        try:
            done = subprocess.run(
                ["scontrol", "requeue", self.job_id], capture_output=True, text=True, timeout=60, check=False
            )
            said = (done.stderr or done.stdout).strip()
            ok = done.returncode == 0
        except (OSError, subprocess.TimeoutExpired) as e:
            said, ok = str(e), False
        if not ok and job_waiting(self.job_id):
            # Slurm got there first (a failed node: the job is already queued again).
            ok = True
            log_line(sys.stdout, f"job {self.job_id} is already queued again ({said})")
        if not ok:
            state = "stopped" if end == "preempted" else "failed"
            error = f"scontrol requeue {self.job_id} failed ({said}); resume it with `gpu-env resume`"
            with run_lock(self.run_dir):
                update_status(self.run_dir, state=state, error=error, endedAt=time.time())
            log_line(sys.stdout, error)
            return EXIT_FAIL
        # Slurm now ends this script (SIGTERM); wait for that rather than end the job ourselves.
        wait_until(lambda: self.terminated, 120.0, 0.2)
        return EXIT_OK

    def stalled(self) -> int:
        """Attempts in a row, this one included, that got no further than the one before them."""
        attempts = [a for a in (read_json(self.status_path()) or {}).get("attempts") or [] if isinstance(a, dict)]
        steps = [a.get("lastStep") or 0 for a in attempts[:-1]] + [last_step(self.run_dir) or 0]
        streak = 0
        for before, after in zip(reversed(steps[:-1]), reversed(steps[1:])):
            if after > before:
                break
            streak += 1
        return streak

    def supervise(self) -> int:
        self.begin()
        if stop_requested(self.run_dir):
            self.end("stopped", None, state="stopped", stopRequested=True, endedAt=time.time())
            log_line(sys.stdout, f"attempt {self.attempt}: a stop was requested; not starting the ranks")
            return EXIT_OK
        self.arm_warnings()
        code = self.run_ranks()
        failures = sum(
            1 for a in (read_json(self.status_path()) or {}).get("attempts") or [] if a.get("end") == "failed"
        )
        if stop_requested(self.run_dir):
            self.end("stopped", code, state="stopped", stopRequested=True, exitCode=code, endedAt=time.time())
        elif self.terminated:
            self.end(
                "interrupted", code, state="stopped", signal="SIGTERM", exitCode=None, endedAt=time.time(),
                error="Slurm ended the job (scancel, requeue, preemption or a failed node); "
                "a requeued job resumes from the newest checkpoint",
            )  # fmt: skip
        elif code == 0:
            self.end("succeeded", 0, state="succeeded", exitCode=0, endedAt=time.time())
        elif (self.warned is not None or code == EXIT_PREEMPTED) and self.stalled() >= max_restarts_of(self.run):
            # Warned again before a step was trained: a time limit too short for the start-up
            # (or a node that slow) would requeue the job forever.
            stalled = self.stalled()
            error = (
                f"{stalled} attempts in a row were warned before they trained a step past {last_step(self.run_dir)}: "
                f"the job's time limit ({self.cluster.get('time') or 'the partition default'}) leaves too little "
                "time after the start-up; train with a longer --time"
            )
            self.end("preempted", code, state="failed", exitCode=code, error=error, endedAt=time.time())
            log_line(sys.stdout, f"attempt {self.attempt} preempted ({describe_code(code)}): {error}; not requeueing")
            return EXIT_FAIL
        elif self.warned is not None or code == EXIT_PREEMPTED:
            return self.requeue("preempted", code, self.warned or "the ranks checkpointed on a preemption warning")
        elif failures < max_restarts_of(self.run):
            return self.requeue("failed", code, f"restart {failures + 1} of {max_restarts_of(self.run)}")
        else:
            self.end("failed", code, state="failed", exitCode=code, endedAt=time.time())
            log_line(
                sys.stdout,
                f"attempt {self.attempt} failed ({describe_code(code)}); {failures} restarts used, giving up",
            )
            return EXIT_FAIL
        final = read_json(self.status_path()) or {}
        log_line(sys.stdout, f"attempt {self.attempt} ended: {final.get('state')} ({describe_code(code)})")
        return EXIT_OK


def cmd_job(args: argparse.Namespace) -> int:
    launch = list(args.command or [])
    if not launch:
        raise RunError("job needs the launch command after --, e.g. job RUN_DIR -- srun ... ", EXIT_USAGE)
    run_dir = os.path.abspath(args.run_dir)
    run = load_run(run_dir)
    if not is_cluster_run(run):
        raise RunError(f"{run_dir} is not a cluster run (run.json has no 'cluster')", EXIT_USAGE)
    job_id = os.environ.get("SLURM_JOB_ID", "")
    if not job_id:
        raise RunError("job is the batch script of a Slurm job: SLURM_JOB_ID is not set", EXIT_USAGE)
    return JobAttempt(run_dir, run, job_id, launch).supervise()


def slurm_rank_env(env: dict[str, str]) -> dict[str, str]:
    """torchrun's variables from a Slurm task's, so scripts written for torchrun run unchanged; the
    job script set MASTER_ADDR and MASTER_PORT for every task."""
    env = dict(env)
    rank, world = env.get("SLURM_PROCID", "0"), env.get("SLURM_STEP_NUM_TASKS") or env.get("SLURM_NTASKS", "1")
    nodes = max(1, int(env.get("SLURM_STEP_NUM_NODES") or env.get("SLURM_JOB_NUM_NODES") or 1))
    local_world = env.get("SLURM_NTASKS_PER_NODE") or str(max(1, int(world) // nodes))
    env.update(
        RANK=rank, LOCAL_RANK=env.get("SLURM_LOCALID", "0"), WORLD_SIZE=world, LOCAL_WORLD_SIZE=local_world,
        GROUP_RANK=env.get("SLURM_NODEID", "0"), NODE_RANK=env.get("SLURM_NODEID", "0"), ROLE_RANK=rank,
        ROLE_WORLD_SIZE=world, TORCHELASTIC_RESTART_COUNT=env.get("SLURM_RESTART_COUNT", "0"),
        TORCHELASTIC_RUN_ID=env.get("GPU_ENV_RUN_ID") or env.get("SLURM_JOB_ID", "gpu-env"), PYTHONUNBUFFERED="1",
    )  # fmt: skip
    env.setdefault("USE_LIBUV", "0")
    step_nodes = expand_nodelist(env.get("SLURM_STEP_NODELIST", ""))
    env.setdefault("MASTER_ADDR", step_nodes[0] if step_nodes else "127.0.0.1")
    env.setdefault("MASTER_PORT", str(29500 + int(env.get("SLURM_JOB_ID", "0") or 0) % 1000))
    cpus = int(env.get("SLURM_CPUS_PER_TASK") or 0) or max(
        1, int(env.get("SLURM_CPUS_ON_NODE") or cpu_count()) // max(1, int(local_world))
    )
    env.setdefault("OMP_NUM_THREADS", str(cpus))
    return env


RANK_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP)


def default_signals() -> None:
    for signum in RANK_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)


def cmd_rank(args: argparse.Namespace) -> int:
    """One rank: the command with torchrun's variables, each line of its output prefixed with the
    rank and host, its exit status passed on. Slurm signals every process of the step (scancel
    --signal, the warning srun forwards), so the command gets its own copy; this wrapper ignores
    them rather than deliver a second one (a second SIGTERM means "now" to the templates)."""
    command = list(args.command or [])
    if not command:
        raise RunError("rank needs the command after --, e.g. rank -- python3 train.py", EXIT_USAGE)
    env = slurm_rank_env(dict(os.environ))
    host = short_host()
    prefix = f"[rank {env['RANK']} {host}] ".encode()
    out = sys.stdout.buffer

    def emit(line: bytes) -> None:
        out.write(prefix + line + (b"" if line.endswith(b"\n") else b"\n"))
        out.flush()

    for signum in RANK_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    emit(
        f"rank {env['RANK']} of {env['WORLD_SIZE']} (local {env['LOCAL_RANK']} of {env['LOCAL_WORLD_SIZE']}) on {host}, "
        f"master {env['MASTER_ADDR']}:{env['MASTER_PORT']}".encode()
    )
    read_fd, write_fd = os.pipe()
    try:
        child = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd, preexec_fn=default_signals
        )
    except OSError as e:
        emit(f"cannot start {command[0]}: {e.strerror or e}".encode())
        return 127
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        for line in pipe:  # until every writer (the command and its children) closed the pipe
            emit(line)
    code = child.wait()
    if code < 0:
        emit(f"ended by signal {signal_name(-code)}".encode())
        return 128 - code
    if code != 0:
        emit(f"exited with code {code}".encode())
    return code


def cmd_create(args: argparse.Namespace) -> int:
    cluster = {
        "scheduler": args.scheduler,
        "nodes": args.nodes,
        "nprocPerNode": args.nproc_per_node,
        "warnSeconds": args.warn_seconds,
        "time": args.time,
    }
    # autoResume: by Slurm, which runs the job again after a requeue.
    run_dir, _ = write_new_run(args, "create", autoResume=True, cluster=cluster)
    with run_lock(run_dir):
        status = update_status(run_dir, state="starting", attempt=0, attempts=[], job=None, stopRequested=False)
    print(json.dumps(with_liveness(status, cluster=True)))
    return EXIT_OK


def cluster_run_dir(path: str) -> str:
    run_dir = os.path.abspath(path)
    if not is_cluster_run(load_run(run_dir)):
        raise RunError(f"{run_dir} is not a cluster run", EXIT_USAGE)
    return run_dir


def cmd_submitted(args: argparse.Namespace) -> int:
    run_dir = cluster_run_dir(args.run_dir)
    with run_lock(run_dir):
        status = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
        job = status.get("job") if isinstance(status.get("job"), dict) else {}
        if not (job.get("id") == args.job_id and status.get("state") != "starting"):
            # Not when the job has already started and recorded itself: it knows better.
            status = update_status(
                run_dir, state="starting", job={"scheduler": "slurm", "nodes": [], **job, "id": args.job_id},
                exitCode=None, signal=None, error=None, endedAt=None, stopRequested=False,
            )  # fmt: skip
    print(json.dumps(with_liveness(status, cluster=True)))
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    run_dir = cluster_run_dir(args.run_dir)
    with run_lock(run_dir):
        with suppress(FileNotFoundError):
            os.unlink(os.path.join(run_dir, STOP_FILE))
        status = update_status(run_dir, stopRequested=False)
    print(json.dumps(with_liveness(status, cluster=True)))
    return EXIT_OK


# --- commands ---------------------------------------------------------------------------------


def load_run(run_dir: str) -> dict[str, Any]:
    run = read_json(os.path.join(run_dir, RUN_FILE))
    if run is None:
        raise RunError(f"{run_dir} has no {RUN_FILE}: not a run directory", EXIT_USAGE)
    command = run.get("command")
    if not isinstance(command, list) or not command or not all(isinstance(a, str) for a in command):
        raise RunError(f"{os.path.join(run_dir, RUN_FILE)}: 'command' must be a non-empty list of strings")
    return run


def with_liveness(status: dict[str, Any] | None, cluster: bool = False) -> dict[str, Any] | None:
    """The status with `alive`; None for a cluster run, whose processes are on other machines
    (gpu-env asks the scheduler's queue instead)."""
    if status is None:
        return None
    result = dict(status)
    result["alive"] = None if cluster else run_alive(status)
    return result


def write_new_run(args: argparse.Namespace, verb: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """run.json of a new run in RUN_DIR (sealed with this environment's key when there is one);
    exit 3 when RUN_DIR holds a run already. Returns (RUN_DIR, the record)."""
    command = list(args.command or [])
    if not command:
        raise RunError(f"{verb} needs a command after --, e.g. {verb} RUN_DIR -- python3 train.py", EXIT_USAGE)
    run_dir = os.path.abspath(args.run_dir)
    os.makedirs(run_dir, exist_ok=True)
    with run_lock(run_dir):
        if os.path.exists(os.path.join(run_dir, RUN_FILE)):
            status = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
            raise RunError(
                f"{run_dir} already holds a run (state {status.get('state', 'unknown')}); "
                f"use resume, or start in a new directory",
                EXIT_EXISTS,
            )
        run = {
            "v": VERSION,
            "id": args.id or os.path.basename(run_dir),
            "label": args.label,
            "command": command,
            "cwd": os.path.abspath(args.cwd) if args.cwd else os.getcwd(),
            "environment": args.environment,
            "nprocPerNode": args.nproc_per_node,
            "maxRestarts": args.max_restarts,
            "resumeArgs": args.resume_arg if args.resume_arg is not None else DEFAULT_RESUME_ARGS,
            **extra,
            "createdAt": time.time(),
        }
        key = run_key()
        if key is not None:
            run["seal"] = seal_of(run, key)
        write_json_atomic(os.path.join(run_dir, RUN_FILE), run)
    return run_dir, run


def cmd_start(args: argparse.Namespace) -> int:
    run_dir, run = write_new_run(args, "start", autoResume=bool(args.auto_resume))
    print(json.dumps(launch(run_dir, run["command"], run)))
    return EXIT_OK


def resume_argv(run: dict[str, Any]) -> list[str]:
    argv = list(run["command"])
    for arg in run.get("resumeArgs", DEFAULT_RESUME_ARGS):
        if arg not in argv:
            argv.append(arg)
    return argv


def resume_run(run_dir: str) -> tuple[str, dict[str, Any]]:
    """('resumed' | 'running', status). Resuming a live run is a no-op, not an error."""
    run = load_run(run_dir)
    if is_cluster_run(run):
        raise RunError(
            f"{run_dir} is a cluster run: its batch job runs it; `gpu-env resume` submits it again", EXIT_USAGE
        )
    status = read_json(os.path.join(run_dir, STATUS_FILE)) or {}
    if status.get("state") in ACTIVE_STATES and run_alive(status):
        return "running", status
    try:
        return "resumed", launch(run_dir, resume_argv(run), run)
    except RunError as e:
        if e.code == EXIT_EXISTS:  # another caller won the race
            return "running", read_json(os.path.join(run_dir, STATUS_FILE)) or {}
        raise


def cmd_resume(args: argparse.Namespace) -> int:
    action, status = resume_run(os.path.abspath(args.run_dir))
    print(json.dumps({"action": action, "status": status}))
    return EXIT_OK


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def stop_cluster_run(run_dir: str) -> int:
    """A cluster run's job was signalled and cancelled by gpu-env on the login node; record that it
    stopped, unless its batch script already did."""
    with run_lock(run_dir):
        with open(os.path.join(run_dir, STOP_FILE), "a", encoding="utf-8"):
            pass
        status = read_json(os.path.join(run_dir, STATUS_FILE))
        if status is None:
            raise RunError(f"{run_dir} has no {STATUS_FILE}: not a run directory", EXIT_USAGE)
        changes: dict[str, Any] = {"stopRequested": True}
        if status.get("state") in ACTIVE_STATES:
            changes.update(state="stopped", endedAt=time.time())
        status = update_status(run_dir, **changes)
    print(json.dumps(with_liveness(status, cluster=True)))
    return EXIT_OK


def cmd_stop(args: argparse.Namespace) -> int:
    run_dir = os.path.abspath(args.run_dir)
    if is_cluster_run(read_json(os.path.join(run_dir, RUN_FILE))):
        return stop_cluster_run(run_dir)
    path = os.path.join(run_dir, STATUS_FILE)
    with run_lock(run_dir):
        status = read_json(path)
        if status is None:
            raise RunError(f"{run_dir} has no {STATUS_FILE}: not a run directory", EXIT_USAGE)
        if status.get("state") not in ACTIVE_STATES:
            print(json.dumps(with_liveness(status)))
            return EXIT_OK
        status = update_status(run_dir, stopRequested=True)
    # A run still "starting" gets its pid within moments.
    wait_until(lambda: (read_json(path) or {}).get("pid") or not run_alive(read_json(path) or {}), 5.0)
    status = read_json(path) or {}
    pid, start = status.get("pid"), status.get("pidStartTime")
    used = None
    if pid_alive(pid, start):
        kill_group(status.get("pgid"), signal.SIGTERM)
        used = "SIGTERM"
        if not wait_until(lambda: not pid_alive(pid, start), args.grace):
            kill_group(status.get("pgid"), signal.SIGKILL)
            used = "SIGKILL"
            wait_until(lambda: not pid_alive(pid, start), 5.0)
    # The supervisor records the exit; if it is gone too (container restarted), record it here.
    supervisor = (status.get("supervisorPid"), status.get("supervisorStartTime"))
    wait_until(lambda: (read_json(path) or {}).get("state") not in ACTIVE_STATES or not pid_alive(*supervisor), 5.0)
    with run_lock(run_dir):
        status = read_json(path) or {}
        if status.get("state") in ACTIVE_STATES and not run_alive(status):
            status = update_status(run_dir, state="stopped", signal=used, exitCode=None, endedAt=time.time())
    print(json.dumps(with_liveness(status)))
    return EXIT_OK if status.get("state") not in ACTIVE_STATES else EXIT_FAIL


def run_dirs(runs_dir: str) -> list[str]:
    try:
        names = sorted(os.listdir(runs_dir))
    except FileNotFoundError:
        return []
    return [
        os.path.join(runs_dir, n) for n in names if not n.startswith(".") and os.path.isdir(os.path.join(runs_dir, n))
    ]


def run_key() -> bytes | None:
    """This environment's secret for sealing run.json, or None where gpu-env gave none."""
    try:
        with open(os.environ.get("GPU_ENV_RUN_KEY", "/etc/gpu-env/run_key"), "rb") as f:
            key = f.read().strip()
    except OSError:
        return None
    return key or None


def seal_of(run: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 over every field of run.json but the seal itself."""
    body = json.dumps({k: v for k, v in run.items() if k != "seal"}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def sealed_here(run: dict[str, Any]) -> bool:
    """Whether this environment started the run (and nobody changed what it runs since)."""
    key = run_key()
    seal = run.get("seal")
    return key is not None and isinstance(seal, str) and hmac.compare_digest(seal, seal_of(run, key))


def cmd_resume_all(args: argparse.Namespace) -> int:
    failures = 0
    for run_dir in run_dirs(os.path.abspath(args.runs_dir)):
        run_id = os.path.basename(run_dir)
        try:
            status = read_json(os.path.join(run_dir, STATUS_FILE))
            run = read_json(os.path.join(run_dir, RUN_FILE))
            if status is None or run is None or status.get("state") not in ACTIVE_STATES or run_alive(status):
                continue
            if is_cluster_run(run):
                continue  # its batch job, not this machine, runs it (and Slurm requeues it)
            if not sealed_here(run):
                # Not started in this environment (committed with a repository, or changed since):
                # never run by itself at start, and left as it is. `resume RUN_DIR` runs it on request.
                print(json.dumps({"id": run_id, "action": "untrusted"}))
                continue
            if not run.get("autoResume"):
                # Interrupted (container stopped) and not ours to restart: say so instead of "running".
                with run_lock(run_dir):
                    update_status(
                        run_dir,
                        state="failed",
                        error="interrupted: the process is gone (container restarted?) and autoResume is off",
                        endedAt=time.time(),
                    )
                print(json.dumps({"id": run_id, "action": "marked-interrupted"}))
                continue
            action, new_status = resume_run(run_dir)
            print(json.dumps({"id": run_id, "action": action, "status": new_status}))
        except RunError as e:
            failures += 1
            print(json.dumps({"id": run_id, "action": "error", "error": str(e)}))
    return EXIT_OK if failures == 0 else EXIT_FAIL


def metrics_summary(path: str) -> dict[str, Any] | None:
    """The newest train line, eval line and event of a metrics file (read from its tail)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            f.seek(max(0, size - METRICS_TAIL_BYTES))
            tail = f.read()
    except OSError:
        return None
    lines = tail.split(b"\n")
    if size > METRICS_TAIL_BYTES:
        lines = lines[1:]  # the first one is probably cut
    summary: dict[str, Any] = {"bytes": size, "train": None, "eval": None, "event": None, "end": None}
    for raw in reversed(lines):
        try:
            # Bare NaN/Infinity (not protocol, but Python's json writes them) and numbers out of
            # float range become protocol strings.
            record = parse_json(raw)
        except ValueError:
            continue  # a line still being written, or garbage
        if not isinstance(record, dict):
            continue
        if "event" in record:
            summary["event"] = summary["event"] or record
            if record.get("event") == "end":
                summary["end"] = summary["end"] or record
        elif record.get("split") == "train":
            summary["train"] = summary["train"] or record
        elif record.get("split") in ("val", "test"):
            summary["eval"] = summary["eval"] or record
        if summary["train"] and summary["eval"] and summary["event"]:
            break
    return summary


def describe_run(run_dir: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": os.path.basename(run_dir), "dir": run_dir}
    try:
        entry["run"] = run = read_json(os.path.join(run_dir, RUN_FILE))
        status = read_json(os.path.join(run_dir, STATUS_FILE))
        if status is not None and is_cluster_run(run) and stop_requested(run_dir):
            status["stopRequested"] = True
        entry["status"] = with_liveness(status, cluster=is_cluster_run(run))
    except RunError as e:
        entry["error"] = str(e)
    entry["metrics"] = metrics_summary(os.path.join(run_dir, METRICS_FILE))
    return entry


def list_line(run_dir: str) -> str:
    """One run's line of `list`; a run whose files defeat it is listed with an error, never
    taking the other runs down with it."""
    try:
        # allow_nan=False: a NaN in someone's metrics must not make this line invalid JSON.
        return json.dumps(describe_run(run_dir), allow_nan=False, default=str)
    except (ValueError, RecursionError) as e:
        entry = {"id": os.path.basename(run_dir), "dir": run_dir, "error": f"cannot describe this run: {e}"}
        return json.dumps(entry)


def cmd_list(args: argparse.Namespace) -> int:
    for run_dir in run_dirs(os.path.abspath(args.runs_dir)):
        if os.path.exists(os.path.join(run_dir, RUN_FILE)) or os.path.exists(os.path.join(run_dir, STATUS_FILE)):
            print(list_line(run_dir))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    run_dir = os.path.abspath(args.run_dir)
    if not os.path.isdir(run_dir):
        raise RunError(f"{run_dir} does not exist", EXIT_USAGE)
    print(list_line(run_dir))
    return EXIT_OK


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def job_id_arg(text: str) -> str:
    if not re.fullmatch(r"\d{1,12}", text):
        raise argparse.ArgumentTypeError(f"expected a Slurm job id (digits), got {text!r}")
    return text


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds (a number >= 0), got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected seconds (a number >= 0), got {text}")
    return value


def add_record_options(s: argparse.ArgumentParser, ranks_help: str) -> None:
    """What run.json records of a new run (start, create)."""
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.add_argument("--id", help="run id (default: the name of RUN_DIR)")
    s.add_argument("--label", help="a human-readable name, recorded in run.json")
    s.add_argument("--environment", help="environment name, recorded in run.json")
    s.add_argument("--cwd", help="working directory of CMD (default: the current one)")
    s.add_argument("--nproc-per-node", type=positive_int, default=1, help=f"{ranks_help} (default: 1)")
    s.add_argument(
        "--max-restarts",
        type=non_negative_int,
        default=DEFAULT_MAX_RESTARTS,
        help=f"restart a group whose rank failed this many times, with the resume arguments (default: {DEFAULT_MAX_RESTARTS})",
    )
    s.add_argument(
        "--resume-arg", action="append", help="argument added to CMD on resume (repeatable; default: --resume)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gpu_env_run.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    s = sub.add_parser("start", help="start CMD detached, recording it in RUN_DIR")
    add_record_options(s, "start CMD this many times as the ranks of one group, with torchrun's variables")
    s.add_argument("--auto-resume", action="store_true", help="resume-all may relaunch it after a restart")
    s.set_defaults(func=cmd_start)
    s = sub.add_parser("stop", help="SIGTERM the run's process group, SIGKILL after --grace seconds")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.add_argument(
        "--grace",
        type=positive_seconds,
        default=DEFAULT_GRACE_S,
        help=f"seconds between SIGTERM and SIGKILL (default: {DEFAULT_GRACE_S:g})",
    )
    s.set_defaults(func=cmd_stop)
    s = sub.add_parser("resume", help="relaunch run.json's command with its resume arguments")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.set_defaults(func=cmd_resume)
    s = sub.add_parser("resume-all", help="resume every autoResume run whose process is gone")
    s.add_argument("runs_dir", metavar="RUNS_DIR")
    s.set_defaults(func=cmd_resume_all)
    s = sub.add_parser("status", help="one run as JSON")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("list", help="every run in RUNS_DIR, one JSON object per line")
    s.add_argument("runs_dir", metavar="RUNS_DIR")
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("create", help="record a cluster run (CMD after --) that its batch job will run")
    add_record_options(s, "ranks per node (srun tasks), recorded for the job")
    s.add_argument("--scheduler", choices=("slurm",), required=True)
    s.add_argument("--nodes", type=positive_int, required=True)
    s.add_argument("--warn-seconds", type=positive_int, default=DEFAULT_WARN_S)
    s.add_argument("--time", help="the job's own time limit, as Slurm takes it (recorded for resubmission)")
    s.set_defaults(func=cmd_create)
    s = sub.add_parser("submitted", help="record the batch job submitted for a cluster run")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.add_argument("--job-id", required=True, type=job_id_arg)
    s.set_defaults(func=cmd_submitted)
    s = sub.add_parser("reopen", help="clear a cluster run's stop request before it is submitted again")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.set_defaults(func=cmd_reopen)
    s = sub.add_parser("job", help="the batch script of a cluster run: run the launch command after --")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.set_defaults(func=cmd_job)
    s = sub.add_parser("rank", help="one rank under srun: CMD after -- with torchrun's variables")
    s.set_defaults(func=cmd_rank)
    return p


def split_command(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """Everything after the first "--" is the command, untouched by option parsing."""
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, None


def main(argv: list[str] | None = None) -> int:
    own, command = split_command(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(own)
    if command is not None and args.cmd not in ("start", "create", "job", "rank"):
        build_parser().error(f"{args.cmd} takes no command after --")
    args.command = command
    try:
        return args.func(args)
    except RunError as e:
        print(f"gpu_env_run.py {args.cmd}: {e}", file=sys.stderr)
        return e.code
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM):
            print(f"gpu_env_run.py {args.cmd}: permission denied: {e.filename or e}", file=sys.stderr)
            return EXIT_FAIL
        raise


if __name__ == "__main__":
    sys.exit(main())
