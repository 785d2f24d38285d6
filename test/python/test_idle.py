"""Tests of media/agent/gpu_env_idle.py's decisions, on /proc-shaped folders written here (what the
kernel would show), and of the whole watcher against a real process it stops. Standard library only."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "media", "agent")
sys.path.insert(0, AGENT_DIR)
spec = importlib.util.spec_from_file_location("gpu_env_idle", os.path.join(AGENT_DIR, "gpu_env_idle.py"))
idle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(idle)

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class SessionsTest(unittest.TestCase):
    def test_established_connections_to_port_22_count_listening_and_others_do_not(self):
        with tempfile.TemporaryDirectory() as proc:
            write(
                os.path.join(proc, "net", "tcp"),
                TCP_HEADER
                + "   0: 00000000:0016 00000000:0000 0A 0 0 0 0 0 0 0 1\n"  # sshd listening
                + "   1: 0200A8C0:0016 0100A8C0:D431 01 0 0 0 0 0 0 0 2\n"  # a session
                + "   2: 0200A8C0:1F90 0100A8C0:D432 01 0 0 0 0 0 0 0 3\n",  # port 8080
            )
            write(
                os.path.join(proc, "net", "tcp6"),
                TCP_HEADER
                + "   0: 00000000000000000000000001000000:0016 00000000000000000000000001000000:9C40 01 0 0\n",
            )
            self.assertEqual(idle.ssh_sessions(proc), 2)

    def test_slurm_sessions_are_sshd_children_of_this_jobs_steps(self):
        with tempfile.TemporaryDirectory() as proc:
            processes = {
                "10": ("slurmstepd: [5.batch]", 1),
                "11": ("sshd: me [priv]", 10),  # not a session step
                "20": ("slurmstepd: [5.1]", 1),
                "21": ("sshd-session: me [priv]", 20),
                "22": ("sshd-session: me@notty", 21),
                "30": ("slurmstepd: [6.0]", 1),
                "31": ("sshd-session: me [priv]", 30),  # another job's
            }
            for pid, (cmd, ppid) in processes.items():
                write(os.path.join(proc, pid, "cmdline"), cmd.replace(" ", "\0"))
                write(os.path.join(proc, pid, "stat"), f"{pid} (x) S {ppid} 0 0")
            self.assertEqual(idle.slurm_sessions("5", proc), 1)
            self.assertEqual(idle.slurm_sessions("6", proc), 1)
            self.assertEqual(idle.slurm_sessions("7", proc), 0)


class RunsAndGpusTest(unittest.TestCase):
    def test_a_run_counts_while_its_status_says_running_and_its_process_is_this_one(self):
        me, started = os.getpid(), idle.start_time(os.getpid())
        with tempfile.TemporaryDirectory() as runs:
            write(
                os.path.join(runs, "a", "status.json"),
                json.dumps({"state": "running", "pid": me, "pidStartTime": started}),
            )
            write(
                os.path.join(runs, "b", "status.json"),
                json.dumps({"state": "running", "pid": me, "pidStartTime": started + 1}),
            )
            write(os.path.join(runs, "c", "status.json"), json.dumps({"state": "succeeded", "pid": me}))
            write(os.path.join(runs, "d", "status.json"), "not json")
            self.assertEqual(idle.runs_running(runs), 1)
        self.assertEqual(idle.runs_running("/nonexistent"), 0)

    def test_gpus_are_those_cuda_visible_devices_names(self):
        devices = [{"index": i, "uuid": f"GPU-{i}"} for i in range(4)]
        self.assertEqual(idle.visible_filter(devices, None), devices)
        self.assertEqual([d["index"] for d in idle.visible_filter(devices, "1,3")], [1, 3])
        self.assertEqual([d["index"] for d in idle.visible_filter(devices, "GPU-2")], [2])
        self.assertEqual(idle.visible_filter(devices[:2], "0,1"), devices[:2])

    def test_interval_is_a_sixth_of_the_window_from_5_to_60_s(self):
        self.assertEqual(idle.default_interval_ms(60_000), 10_000)
        self.assertEqual(idle.default_interval_ms(10_000), 5_000)
        self.assertEqual(idle.default_interval_ms(1_800_000), 60_000)


class WatcherTest(unittest.TestCase):
    def test_stops_its_main_process_after_the_window_and_says_why(self):
        with tempfile.TemporaryDirectory() as state:
            main = subprocess.Popen(["sleep", "60"])
            watcher = subprocess.run(
                [
                    sys.executable,
                    os.path.join(AGENT_DIR, "gpu_env_idle.py"),
                    "--window-ms",
                    "2000",
                    "--interval-ms",
                    "1000",
                    "--main-pid",
                    str(main.pid),
                    "--state",
                    state,
                    "--runs",
                    os.path.join(state, "no-runs"),
                    "--slurm-job",
                    "0",
                ],
                capture_output=True,
                timeout=30,
                env={**os.environ, "GPU_ENV_NVML_LIBRARY": "/nonexistent"},
            )
            started = time.monotonic()
            main.wait(timeout=10)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(watcher.returncode, 0, watcher.stderr)
            with open(os.path.join(state, "idle-stopped")) as f:
                self.assertIn("no SSH session, no running run", json.load(f)["reason"])
            with open(os.path.join(state, "idle.json")) as f:
                self.assertEqual(json.load(f)["remainingMs"], 0)


if __name__ == "__main__":
    unittest.main()
