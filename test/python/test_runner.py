"""(e) media/runner/gpu_env_run.py: detached start that outlives its session, stop, resume,
resume-all, list, and status.json that is never half written.

Standard library only, except the last test, which runs train_cnn.py through the runner (torch).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unittest

from training_helpers import (
    RUNNER,
    TempDir,
    events,
    read_json,
    read_metrics,
    require_torch,
    runner,
    train_command,
    wait_for,
)

# The environment's run key, as gpu-env gives it to the container (/etc/gpu-env/run_key there):
# runs started by these tests are sealed with it. Readable by uid 1000 for the as-root test.
_KEY_DIR = TempDir("runner-key-")
os.chmod(_KEY_DIR.path, 0o755)
RUN_KEY = os.path.join(_KEY_DIR.path, "run_key")
with open(RUN_KEY, "w") as _key:
    _key.write("0123456789abcdef" * 4 + "\n")
os.chmod(RUN_KEY, 0o644)
os.environ["GPU_ENV_RUN_KEY"] = RUN_KEY

# A stand-in for training: records how it was started, then beats until stopped.
WORKER = textwrap.dedent("""
    import json, os, signal, sys, time
    run = os.environ["GPU_ENV_RUN_DIR"]
    mode = sys.argv[1]
    with open(os.path.join(run, "starts.jsonl"), "a") as f:
        f.write(json.dumps({"argv": sys.argv[1:], "pid": os.getpid(), "uid": os.getuid(),
                            "sid": os.getsid(0), "cwd": os.getcwd()}) + "\\n")
    if mode == "exit":
        sys.exit(int(sys.argv[2]))
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode == "graceful":
        def bye(*_):
            print("graceful stop", flush=True)
            sys.exit(0)
        signal.signal(signal.SIGTERM, bye)
    print("working", flush=True)
    beat = 0
    while True:
        beat += 1
        with open(os.path.join(run, "heartbeat"), "w") as f:
            f.write(str(beat))
        time.sleep(0.05)
""")


def read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def usable_by_other_users(path):
    """Whether uid 1000 could run `path` (a pyenv Python under /root could not)."""
    path = os.path.realpath(path)
    while path != "/":
        path = os.path.dirname(path)
        if not os.stat(path).st_mode & 0o001:
            return False
    return True


def pid_exists(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return False


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir("runner-")
        self.runs = os.path.join(self.tmp.path, "runs")
        os.makedirs(self.runs)
        self.worker = os.path.join(self.tmp.path, "worker.py")
        with open(self.worker, "w") as f:
            f.write(WORKER)
        self.started = []

    def tearDown(self):
        # Stop whatever a failed test left running: only runs this test started.
        for run_dir in self.started:
            status_path = os.path.join(run_dir, "status.json")
            if os.path.exists(status_path):
                status = read_json(status_path)
                for key in ("pgid",):
                    if status.get(key) and pid_exists(status[key]):
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(status[key], signal.SIGKILL)
                if status.get("supervisorPid") and pid_exists(status["supervisorPid"]):
                    os.kill(status["supervisorPid"], signal.SIGKILL)
        self.tmp.cleanup()

    def run_dir(self, name):
        path = os.path.join(self.runs, name)
        self.started.append(path)
        return path

    def start(self, name, mode="beat", *extra, auto_resume=False):
        run_dir = self.run_dir(name)
        args = (
            ["start", run_dir]
            + (["--auto-resume"] if auto_resume else [])
            + ["--", sys.executable, self.worker, mode, *extra]
        )
        result = runner(*args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return run_dir, json.loads(result.stdout)

    def status(self, run_dir):
        return read_json(os.path.join(run_dir, "status.json"))

    def heartbeat(self, run_dir):
        try:
            with open(os.path.join(run_dir, "heartbeat")) as f:
                return int(f.read() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def assert_beating(self, run_dir):
        first = wait_for(lambda: self.heartbeat(run_dir), timeout=20, what="a first heartbeat")
        wait_for(lambda: self.heartbeat(run_dir) > first + 5, timeout=20, what="the heartbeat to go on")

    def wait_state(self, run_dir, *states, timeout=30):
        return wait_for(
            lambda: self.status(run_dir)["state"] in states and self.status(run_dir),
            timeout=timeout,
            what=f"state {states}",
        )

    def starts(self, run_dir):
        with open(os.path.join(run_dir, "starts.jsonl")) as f:
            return [json.loads(line) for line in f]

    # --- start --------------------------------------------------------------------------------

    def test_the_run_outlives_the_session_that_started_it(self):
        run_dir = self.run_dir("detached")
        # An "SSH session": a session leader shell that runs start, then lingers like a login shell.
        session = subprocess.Popen(
            [
                "sh",
                "-c",
                f'"{sys.executable}" "{RUNNER}" start "{run_dir}" -- "{sys.executable}" "{self.worker}" beat'
                f" && echo started && exec sleep 120",
            ],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            lines = iter(session.stdout.readline, "")
            self.assertIn("started", [line.strip() for _, line in zip(range(2), lines)])
            self.assert_beating(run_dir)
            # The connection drops: hang up, then kill, the whole session.
            os.killpg(session.pid, signal.SIGHUP)
            time.sleep(0.2)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(session.pid, signal.SIGKILL)
        finally:
            session.wait(timeout=30)
            session.stdout.close()
        self.assert_beating(run_dir)
        status = self.status(run_dir)
        self.assertEqual(status["state"], "running")
        self.assertTrue(pid_exists(status["pid"]))
        start = self.starts(run_dir)[0]
        self.assertNotEqual(start["sid"], session.pid, "the run must be in a session of its own")
        self.assertEqual(status["pgid"], status["pid"])

    def test_start_returns_at_once_without_holding_the_callers_output_open(self):
        # An SSH exec ends when every holder of its stdout closes it; a daemon that kept it would hang.
        run_dir = self.run_dir("pipe")
        began = time.monotonic()
        result = subprocess.run(
            [sys.executable, RUNNER, "start", run_dir, "--", sys.executable, self.worker, "beat"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertLess(time.monotonic() - began, 10)
        reported = json.loads(result.stdout)
        self.assertEqual(reported["state"], "running")
        self.assertEqual(reported["pid"], self.status(run_dir)["pid"])
        run = read_json(os.path.join(run_dir, "run.json"))
        self.assertEqual(run["command"], [sys.executable, self.worker, "beat"])
        self.assertEqual(run["id"], "pipe")
        log = os.path.join(run_dir, "stdout.log")
        wait_for(lambda: "working" in read_text(log), 10, what="the command's output in stdout.log")

    def test_exit_codes_and_signals_are_recorded(self):
        ok, _ = self.start("ok", "exit", "0")
        bad, _ = self.start("bad", "exit", "3")
        killed, status = self.start("killed", "beat")
        self.assertEqual(self.wait_state(ok, "succeeded")["exitCode"], 0)
        self.assertEqual(self.wait_state(bad, "failed")["exitCode"], 3)
        os.kill(status["pid"], signal.SIGKILL)  # e.g. the kernel's OOM killer
        final = self.wait_state(killed, "stopped")
        self.assertEqual((final["signal"], final["exitCode"], final["stopRequested"]), ("SIGKILL", None, False))
        self.assertIn("ended: failed (exit code 3)", read_text(os.path.join(bad, "stdout.log")))

    def test_usage_errors(self):
        self.assertEqual(runner("start", self.run_dir("nocmd")).returncode, 2)
        self.assertIn("needs a command after --", runner("start", self.run_dir("nocmd2"), "--").stderr)
        run_dir, _ = self.start("twice", "exit", "0")
        again = runner("start", run_dir, "--", "true")
        self.assertEqual(again.returncode, 3)
        self.assertIn("already holds a run", again.stderr)
        self.assertEqual(runner("resume", os.path.join(self.runs, "nothing")).returncode, 2)
        missing = runner("start", self.run_dir("missing"), "--", "/nonexistent/python")
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(self.status(os.path.join(self.runs, "missing"))["state"], "failed")

    # --- stop ---------------------------------------------------------------------------------

    def test_stop_is_sigterm_first(self):
        run_dir, _ = self.start("graceful", "graceful")
        self.assert_beating(run_dir)
        result = runner("stop", run_dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        final = json.loads(result.stdout)
        self.assertEqual((final["state"], final["stopRequested"], final["alive"]), ("stopped", True, False))
        self.assertIn("graceful stop", read_text(os.path.join(run_dir, "stdout.log")))
        again = runner("stop", run_dir)  # stopping a stopped run is a no-op
        self.assertEqual((again.returncode, json.loads(again.stdout)["state"]), (0, "stopped"))

    def test_stop_kills_after_the_grace_period(self):
        run_dir, status = self.start("stubborn", "ignore-term")
        self.assert_beating(run_dir)
        began = time.monotonic()
        result = runner("stop", run_dir, "--grace", "1")
        took = time.monotonic() - began
        final = json.loads(result.stdout)
        self.assertEqual((final["state"], final["signal"]), ("stopped", "SIGKILL"))
        self.assertGreaterEqual(took, 1.0)
        self.assertLess(took, 15)
        self.assertFalse(pid_exists(status["pid"]))

    def test_stop_after_the_supervisor_died_still_stops_and_records(self):
        run_dir, status = self.start("orphan", "beat")
        self.assert_beating(run_dir)
        os.kill(status["supervisorPid"], signal.SIGKILL)
        result = runner("stop", run_dir, "--grace", "5")
        final = json.loads(result.stdout)
        self.assertEqual(final["state"], "stopped")
        self.assertFalse(pid_exists(status["pid"]))

    # --- resume -------------------------------------------------------------------------------

    def simulate_container_restart(self, run_dir):
        """Everything of the run dies at once; status.json still says running."""
        status = self.status(run_dir)
        for pid in (status["supervisorPid"], status["pid"]):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_for(
            lambda: not pid_exists(status["pid"]) and not pid_exists(status["supervisorPid"]),
            10,
            what="the run's processes to die",
        )
        self.assertEqual(self.status(run_dir)["state"], "running")

    def test_resume_all_resumes_only_dead_auto_resume_runs(self):
        auto, _ = self.start("a-auto", "beat", auto_resume=True)
        manual, _ = self.start("b-manual", "beat")
        done, _ = self.start("c-done", "exit", "0", auto_resume=True)
        live, live_status = self.start("d-live", "beat", auto_resume=True)
        self.wait_state(done, "succeeded")
        self.assert_beating(auto)
        self.simulate_container_restart(auto)
        self.simulate_container_restart(manual)

        result = runner("resume-all", self.runs)
        self.assertEqual(result.returncode, 0, result.stderr)
        actions = {line["id"]: line["action"] for line in map(json.loads, result.stdout.splitlines())}
        self.assertEqual(actions, {"a-auto": "resumed", "b-manual": "marked-interrupted"})
        self.assert_beating(auto)
        self.assertEqual(self.starts(auto)[-1]["argv"], ["beat", "--resume"])
        self.assertEqual(self.status(auto)["attempt"], 2)
        self.assertEqual(self.status(manual)["state"], "failed")
        self.assertIn("interrupted", self.status(manual)["error"])
        self.assertEqual(self.status(done)["state"], "succeeded")
        self.assertEqual(self.status(live)["pid"], live_status["pid"], "a live run is left alone")
        self.assertEqual(len(self.starts(done)), 1)

        again = runner("resume-all", self.runs)  # at every container start: nothing left to do
        self.assertEqual((again.returncode, again.stdout), (0, ""))
        self.assertEqual(self.status(auto)["attempt"], 2)

    def test_resume_all_never_starts_a_run_this_environment_did_not_seal(self):
        # Issue 16 defect 12: a run.json committed with a repository ran its command at container start.
        sealed, _ = self.start("a-sealed", "beat", auto_resume=True)
        self.simulate_container_restart(sealed)
        changed, _ = self.start("b-changed", "beat", auto_resume=True)
        self.simulate_container_restart(changed)
        run_file = os.path.join(changed, "run.json")
        run = read_json(run_file)
        run["command"] = [sys.executable, "-c", f"open({os.path.join(self.tmp.path, 'pwned-changed')!r}, 'w')"]
        with open(run_file, "w") as f:
            json.dump(run, f)
        planted = self.run_dir("c-planted")
        os.makedirs(planted)
        with open(os.path.join(planted, "run.json"), "w") as f:
            marker = os.path.join(self.tmp.path, "pwned-planted")
            json.dump({"v": 1, "id": "c-planted", "command": [sys.executable, "-c", f"open({marker!r}, 'w')"],
                       "autoResume": True, "seal": "0" * 64}, f)  # fmt: skip
        with open(os.path.join(planted, "status.json"), "w") as f:
            json.dump({"state": "running", "pid": 999999, "supervisorPid": 999998, "attempt": 1}, f)

        result = runner("resume-all", self.runs)
        self.assertEqual(result.returncode, 0, result.stderr)
        actions = {line["id"]: line["action"] for line in map(json.loads, result.stdout.splitlines())}
        self.assertEqual(actions, {"a-sealed": "resumed", "b-changed": "untrusted", "c-planted": "untrusted"})
        self.assert_beating(sealed)
        time.sleep(1)
        self.assertEqual(sorted(f for f in os.listdir(self.tmp.path) if f.startswith("pwned")), [])
        self.assertEqual(self.status(planted)["state"], "running", "left as it was")

        without_key = dict(os.environ)
        without_key["GPU_ENV_RUN_KEY"] = os.path.join(self.tmp.path, "no-such-key")
        self.simulate_container_restart(sealed)
        no_key = subprocess.run([sys.executable, RUNNER, "resume-all", self.runs], capture_output=True, text=True,
                                timeout=60, env=without_key)  # fmt: skip
        self.assertEqual(
            {line["id"]: line["action"] for line in map(json.loads, no_key.stdout.splitlines())}["a-sealed"],
            "untrusted",
        )

    def test_concurrent_resumes_launch_once(self):
        run_dir, _ = self.start("race", "beat", auto_resume=True)
        self.assert_beating(run_dir)
        self.simulate_container_restart(run_dir)
        callers = [
            subprocess.Popen(
                [sys.executable, RUNNER, "resume", run_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        outputs = [c.communicate(timeout=60) for c in callers]
        self.assertEqual([c.returncode for c in callers], [0, 0, 0, 0], outputs)
        actions = sorted(json.loads(out)["action"] for out, _ in outputs)
        self.assertEqual(actions, ["resumed", "running", "running", "running"])
        self.assert_beating(run_dir)
        self.assertEqual(len(self.starts(run_dir)), 2)
        self.assertEqual(self.status(run_dir)["attempt"], 2)

    def test_status_json_is_never_half_written(self):
        run_dir, _ = self.start("churn", "graceful", auto_resume=True)
        path = os.path.join(run_dir, "status.json")
        bad = []
        reads = [0]
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                    json.loads(text)
                    reads[0] += 1
                except ValueError as e:
                    bad.append(f"{e}: {text!r}")

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for _ in range(4):
                self.assertEqual(runner("stop", run_dir).returncode, 0)
                self.assertEqual(runner("resume", run_dir).returncode, 0)
        finally:
            stop.set()
            thread.join()
        self.assertEqual(bad, [])
        self.assertGreater(reads[0], 100)
        self.assertEqual(self.status(run_dir)["attempt"], 5)
        self.assertFalse([n for n in os.listdir(run_dir) if ".tmp-" in n], "no temp files left behind")

    # --- list ---------------------------------------------------------------------------------

    def test_list_prints_one_json_object_per_run_with_a_metrics_summary(self):
        run_dir, _ = self.start("listed", "exit", "0", auto_resume=True)
        self.wait_state(run_dir, "succeeded")
        with open(os.path.join(run_dir, "metrics.jsonl"), "w") as f:
            f.write('{"v":1,"time":1.0,"event":"start"}\n')
            f.write('{"v":1,"time":2.0,"step":10,"epoch":0.5,"split":"train","loss":NaN,"lr":0.1}\n')  # bare NaN
            f.write('{"v":1,"time":3.0,"step":20,"epoch":1,"split":"test","accuracy":0.9}\n')
            f.write('{"v":1,"time":4.0,"step":2')  # being written
        os.makedirs(os.path.join(self.runs, "not-a-run"))
        result = runner("list", self.runs)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1)
        entry = json.loads(lines[0], parse_constant=lambda c: self.fail(f"bare {c} in list output"))
        self.assertEqual(entry["id"], "listed")
        self.assertEqual(entry["run"]["autoResume"], True)
        self.assertEqual((entry["status"]["state"], entry["status"]["alive"]), ("succeeded", False))
        self.assertEqual(entry["metrics"]["train"]["step"], 10)
        self.assertEqual(entry["metrics"]["train"]["loss"], "NaN")
        self.assertEqual(entry["metrics"]["eval"]["accuracy"], 0.9)
        self.assertEqual(entry["metrics"]["event"]["event"], "start")
        self.assertEqual(runner("list", os.path.join(self.tmp.path, "no-runs-yet")).stdout, "")

    def test_list_survives_hostile_lines_and_files_in_one_run(self):
        # Issue 16 defect 5: one bad line (1e999, 30,000 nested "[") made `list` fail for every run.
        good, _ = self.start("good", "exit", "0")
        bad, _ = self.start("bad", "exit", "0")
        self.wait_state(good, "succeeded")
        self.wait_state(bad, "succeeded")
        with open(os.path.join(good, "metrics.jsonl"), "w") as f:
            f.write('{"v":1,"time":2.0,"step":10,"epoch":1,"split":"train","loss":0.5}\n')
        with open(os.path.join(bad, "metrics.jsonl"), "w") as f:
            f.write('{"v":1,"time":2.0,"step":10,"epoch":1,"split":"train","loss":0.25}\n')
            f.write('{"v":1,"time":3.0,"step":11,"epoch":1,"split":"train","loss":1e999}\n')
            f.write("[" * 30_000 + "\n")
            f.write('{"v":1,"time":4.0,"event":' + "[" * 30_000 + "\n")
        hostile_status = os.path.join(self.runs, "hostile-status")
        os.makedirs(hostile_status)
        with open(os.path.join(hostile_status, "status.json"), "w") as f:
            f.write('{"state":"running","updatedAt":1e999,"x":' + "[" * 30_000 + "]" * 30_000 + "}")
        result = runner("list", self.runs)
        self.assertEqual(result.returncode, 0, result.stderr)
        entries = {e["id"]: e for e in (json.loads(line) for line in result.stdout.splitlines())}
        self.assertEqual(sorted(entries), ["bad", "good", "hostile-status"])
        self.assertEqual(entries["good"]["metrics"]["train"]["loss"], 0.5)
        self.assertEqual(entries["bad"]["status"]["state"], "succeeded")
        # The non-finite loss is kept as the protocol's string, not dropped and not invalid JSON.
        self.assertEqual(entries["bad"]["metrics"]["train"]["step"], 11)
        self.assertEqual(entries["bad"]["metrics"]["train"]["loss"], "Infinity")
        self.assertIn("unreadable", entries["hostile-status"]["error"])

    # --- as root: runs belong to their owner ----------------------------------------------------

    @unittest.skipUnless(
        os.geteuid() == 0 and usable_by_other_users(sys.executable),
        "needs root (the container entrypoint runs resume-all as root) and a Python uid 1000 can run",
    )
    def test_resume_all_as_root_relaunches_as_the_owner_of_the_run(self):
        owned = os.path.join(self.tmp.path, "owned")
        os.makedirs(owned)
        os.chmod(self.tmp.path, 0o755)
        os.chmod(self.worker, 0o644)
        os.chown(owned, 1000, 1000)
        run_dir = os.path.join(owned, "run")
        self.started.append(run_dir)
        as_user = subprocess.run(
            [
                "setpriv",
                "--reuid=1000",
                "--regid=1000",
                "--clear-groups",
                sys.executable,
                RUNNER,
                "start",
                run_dir,
                "--auto-resume",
                "--",
                sys.executable,
                self.worker,
                "beat",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(as_user.returncode, 0, as_user.stderr)
        self.assert_beating(run_dir)
        self.simulate_container_restart(run_dir)
        result = runner("resume-all", owned)  # as root
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_beating(run_dir)
        self.assertEqual([s["uid"] for s in self.starts(run_dir)], [1000, 1000])
        for name in os.listdir(run_dir):
            self.assertEqual(os.stat(os.path.join(run_dir, name)).st_uid, 1000, name)


class OomKillCounterTest(unittest.TestCase):
    """oom_kill_count reads the memory cgroup's OOM-kill counter in both cgroup versions, as a
    container sees them (its cgroup at the mount's root) and as a host process does (at its path).
    The real kernel OOM killer is in test/integration/memory-kill.test.ts."""

    def setUp(self) -> None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("gpu_env_run", RUNNER)
        assert spec and spec.loader
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.tmp = TempDir("oom-counter-")
        self.addCleanup(self.tmp.cleanup)

    def write(self, relative: str, text: str) -> str:
        path = os.path.join(self.tmp.path, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def count(self, proc_cgroup: str) -> int | None:
        return self.module.oom_kill_count(self.write("proc-cgroup", proc_cgroup), os.path.join(self.tmp.path, "cg"))

    def test_cgroup_v2_in_a_container_and_on_a_host(self) -> None:
        self.write("cg/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n")
        self.assertEqual(self.count("0::/\n"), 2)
        self.write("cg/system.slice/job_7/memory.events", "oom 5\noom_kill 5\n")
        self.assertEqual(self.count("0::/system.slice/job_7\n"), 5)

    def test_cgroup_v1_in_a_container_and_on_a_host(self) -> None:
        v1 = "12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n"
        self.write("cg/memory/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
        self.assertEqual(self.count(v1), 1)
        self.write("cg/memory/slurm/uid_0/job_3/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n")
        self.assertEqual(self.count("4:memory:/slurm/uid_0/job_3\n"), 4)

    def test_no_counter_is_none(self) -> None:
        self.assertIsNone(self.count("0::/\n"))
        self.write("cg/memory/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n")  # kernels before 4.13
        self.assertIsNone(self.count("4:memory:/\n"))
        self.assertIsNone(self.module.oom_kill_count(os.path.join(self.tmp.path, "missing"), self.tmp.path))


class RunnerWithTrainingTest(unittest.TestCase):
    """The real thing: train_cnn.py under the runner, killed like a container restart, resume-all."""

    def setUp(self):
        require_torch()
        self.tmp = TempDir("runner-train-")

    def tearDown(self):
        path = os.path.join(self.tmp.path, "run", "status.json")
        if os.path.exists(path):
            runner("stop", os.path.dirname(path), "--grace", "2")
        self.tmp.cleanup()

    def test_resume_all_continues_an_auto_resume_training_run(self):
        run_dir = os.path.join(self.tmp.path, "run")
        options = "--subset 10240 --test-subset 2000 --epochs 2 --checkpoint-every 10 --log-every 5"
        command = train_command(None, *options.split())
        result = runner("start", run_dir, "--auto-resume", "--", *command)  # no --run-dir: the runner's env says
        self.assertEqual(result.returncode, 0, result.stderr)
        wait_for(
            lambda: [e for e in events(read_metrics(run_dir), "checkpoint") if e["step"] >= 20],
            timeout=180,
            what="two checkpoints",
        )
        status = read_json(os.path.join(run_dir, "status.json"))
        for pid in (status["supervisorPid"], status["pid"]):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not pid_exists(status["pid"]), 10, what="training to die")
        resumed = runner("resume-all", self.tmp.path)
        self.assertEqual(json.loads(resumed.stdout)["action"], "resumed", resumed.stdout + resumed.stderr)
        final = wait_for(
            lambda: (
                read_json(os.path.join(run_dir, "status.json"))["state"] != "running"
                and read_json(os.path.join(run_dir, "status.json"))
            ),
            timeout=300,
            what="the end",
        )
        self.assertEqual(final["state"], "succeeded", read_text(os.path.join(run_dir, "stdout.log")))
        records = read_metrics(run_dir)
        self.assertEqual(len(events(records, "resume")), 1)
        self.assertGreaterEqual(events(records, "resume")[0]["step"], 20)
        self.assertEqual(events(records, "end")[-1]["step"], 2 * (10240 // 128))

        stopped = runner(
            "start",
            os.path.join(self.tmp.path, "stopme"),
            "--",
            *command,
            "--epochs",
            "50",
            "--checkpoint-every",
            "100000",
        )
        self.assertEqual(stopped.returncode, 0, stopped.stderr)
        stop_dir = os.path.join(self.tmp.path, "stopme")
        wait_for(lambda: train_started(stop_dir), timeout=180, what="training steps")
        final = json.loads(runner("stop", stop_dir).stdout)
        self.assertEqual((final["state"], final["signal"]), ("stopped", "SIGTERM"))
        saved = [e for e in events(read_metrics(stop_dir), "checkpoint") if e["reason"] == "signal"]
        self.assertEqual(len(saved), 1, "SIGTERM makes the template checkpoint before it exits")


def train_started(run_dir):
    return any(r.get("split") == "train" for r in read_metrics(run_dir))


if __name__ == "__main__":
    unittest.main()
