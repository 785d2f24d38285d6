"""media/runner/gpu_env_run.py for runs that are a cluster's batch jobs (`gpu-env train --nodes N`
on Slurm): create/submitted/stop/list/resume of their files, the rank wrapper (torchrun's variables
from Slurm's, prefixed output, its exit status, signals left to the command), and the job command
that records each attempt, warns the ranks before the time limit and decides about requeueing.

Standard library only. Slurm itself is not here: the job command runs a plain program in place of
srun, and with no `scontrol` on its PATH a requeue fails, which the run records as such. The same
commands run on the real Slurm test cluster in test/integration/slurm-distributed.test.ts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import unittest

from training_helpers import RUNNER, TempDir, read_json, runner, wait_for

HOST = socket.gethostname().split(".")[0]
# Only Python's own folder: no scontrol, whatever the machine has.
BARE_PATH = os.path.dirname(sys.executable)


def slurm_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    env.update(
        {"PATH": BARE_PATH, "SLURM_JOB_ID": "7", "SLURM_JOB_NODELIST": "node[1-2]", "SLURM_RESTART_COUNT": "0", **extra}
    )
    return env


class ClusterRunFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir("runner-cluster-")
        self.run_dir = os.path.join(self.tmp.path, "runs", "20261203-120000-abcd")

    def tearDown(self):
        self.tmp.cleanup()

    def create(self, *extra: str) -> dict:
        result = runner(
            "create", self.run_dir, "--scheduler=slurm", "--nodes=2", "--nproc-per-node=1", "--warn-seconds=45",
            "--time=3", "--environment=exp", *extra, "--", sys.executable, "train.py", "--epochs", "2",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def test_create_records_the_run_without_starting_it(self):
        status = self.create()
        self.assertEqual(status["state"], "starting")
        self.assertIsNone(status["alive"])
        run = read_json(os.path.join(self.run_dir, "run.json"))
        self.assertEqual(
            run["cluster"], {"scheduler": "slurm", "nodes": 2, "nprocPerNode": 1, "warnSeconds": 45, "time": "3"}
        )
        self.assertEqual(run["command"], [sys.executable, "train.py", "--epochs", "2"])
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, "stdout.log")), "create started something")
        self.assertEqual(runner("create", self.run_dir, "--scheduler=slurm", "--nodes=2", "--", "x").returncode, 3)

    def test_submitted_records_the_job_unless_the_job_already_recorded_itself(self):
        self.create()
        status = json.loads(runner("submitted", self.run_dir, "--job-id=42").stdout)
        self.assertEqual((status["state"], status["job"]["id"]), ("starting", "42"))
        # The job started first and said it runs: recording the same job again changes nothing.
        path = os.path.join(self.run_dir, "status.json")
        data = read_json(path)
        data.update(state="running", job={"id": "42", "nodes": ["node1", "node2"]})
        with open(path, "w") as f:
            json.dump(data, f)
        status = json.loads(runner("submitted", self.run_dir, "--job-id=42").stdout)
        self.assertEqual((status["state"], status["job"]["nodes"]), ("running", ["node1", "node2"]))
        self.assertEqual(runner("submitted", self.run_dir, "--job-id=4x").returncode, 2)

    def test_list_stop_resume_and_resume_all_leave_the_running_to_the_job(self):
        self.create()
        runner("submitted", self.run_dir, "--job-id=42")
        (listed,) = [json.loads(line) for line in runner("list", os.path.dirname(self.run_dir)).stdout.splitlines()]
        self.assertIsNone(listed["status"]["alive"], "a cluster run's processes are on other machines")
        resumed = runner("resume", self.run_dir)
        self.assertEqual(resumed.returncode, 2)
        self.assertIn("is a cluster run", resumed.stderr)
        self.assertEqual(runner("resume-all", os.path.dirname(self.run_dir)).stdout, "")
        stopped = json.loads(runner("stop", self.run_dir).stdout)
        self.assertEqual((stopped["state"], stopped["stopRequested"]), ("stopped", True))
        self.assertTrue(os.path.exists(os.path.join(self.run_dir, "stop-requested")))
        reopened = json.loads(runner("reopen", self.run_dir).stdout)
        self.assertFalse(reopened["stopRequested"])
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, "stop-requested")))


RANK_PROGRAM = textwrap.dedent(
    """
    import os, signal, sys, time
    names = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "NODE_RANK", "MASTER_ADDR", "MASTER_PORT", "USE_LIBUV")
    print(" ".join(f"{n}={os.environ.get(n)}" for n in names), flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    if sys.argv[1] == "wait":
        signal.signal(signal.SIGTERM, lambda *_: (print("command got SIGTERM", flush=True), sys.exit(0)))
        open(sys.argv[2], "w").close()
        time.sleep(30)
    sys.exit(int(sys.argv[1]))
    """
)


class RankWrapperTest(unittest.TestCase):
    def rank_env(self) -> dict:
        return slurm_env(
            SLURM_PROCID="1", SLURM_LOCALID="0", SLURM_STEP_NUM_TASKS="2", SLURM_STEP_NUM_NODES="2", SLURM_NODEID="1",
            SLURM_NTASKS_PER_NODE="1", SLURM_CPUS_ON_NODE="2", MASTER_ADDR="node1", MASTER_PORT="1234",
        )  # fmt: skip

    def test_torchrun_variables_prefixed_lines_and_the_exit_status(self):
        result = subprocess.run(
            [sys.executable, RUNNER, "rank", "--", sys.executable, "-c", RANK_PROGRAM, "3"],
            env=self.rank_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        self.assertEqual(result.returncode, 3, result.stderr)
        lines = result.stdout.splitlines()
        prefix = f"[rank 1 {HOST}] "
        self.assertTrue(all(line.startswith(prefix) for line in lines), lines)
        self.assertEqual(lines[0], f"{prefix}rank 1 of 2 (local 0 of 1) on {HOST}, master node1:1234")
        self.assertIn(
            f"{prefix}RANK=1 LOCAL_RANK=0 WORLD_SIZE=2 LOCAL_WORLD_SIZE=1 NODE_RANK=1 MASTER_ADDR=node1 MASTER_PORT=1234 USE_LIBUV=0",
            lines,
        )
        self.assertIn(f"{prefix}to stderr", lines)
        self.assertEqual(lines[-1], f"{prefix}exited with code 3")

    def test_a_signal_to_every_process_of_the_step_reaches_the_command_once_and_the_wrapper_passes_its_status_on(self):
        tmp = TempDir("runner-rank-")
        try:
            ready = os.path.join(tmp.path, "ready")
            wrapper = subprocess.Popen(
                [sys.executable, RUNNER, "rank", "--", sys.executable, "-c", RANK_PROGRAM, "wait", ready],
                env=self.rank_env(), stdout=subprocess.PIPE, text=True, start_new_session=True,
            )  # fmt: skip
            wait_for(lambda: os.path.exists(ready), timeout=30, what="the command to start")
            os.killpg(wrapper.pid, signal.SIGTERM)  # as Slurm signals a step: every process in it
            out, _ = wrapper.communicate(timeout=30)
            self.assertEqual(wrapper.returncode, 0, out)
            self.assertEqual(out.count("command got SIGTERM"), 1, out)
        finally:
            tmp.cleanup()


# In place of srun: says how it was started, then exits as told, or on SIGUSR1 as the templates do
# after their preemption checkpoint (75).
LAUNCH = textwrap.dedent(
    """
    import os, signal, sys, time
    print("launched", " ".join(sys.argv[1:]), "MASTER_ADDR=" + os.environ["MASTER_ADDR"], flush=True)
    if sys.argv[1] == "wait":
        signal.signal(signal.SIGUSR1, lambda *_: (print("launch got SIGUSR1", flush=True), sys.exit(75)))
        open(sys.argv[2], "w").close()
        time.sleep(60)
        sys.exit(0)
    sys.exit(int(sys.argv[1]))
    """
)


class JobCommandTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir("runner-job-")
        self.run_dir = os.path.join(self.tmp.path, "runs", "20261203-120000-abcd")
        self.ready = os.path.join(self.tmp.path, "ready")
        result = runner(
            "create", self.run_dir, "--scheduler=slurm", "--nodes=2", "--nproc-per-node=1", "--warn-seconds=10",
            "--", sys.executable, "train.py",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr)

    def tearDown(self):
        self.tmp.cleanup()

    def job(self, *launch: str, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, RUNNER, "job", self.run_dir, "--", sys.executable, "-c", LAUNCH, *launch],
            env=env or slurm_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    def status(self) -> dict:
        return read_json(os.path.join(self.run_dir, "status.json"))

    def test_a_job_that_succeeds_records_its_attempt_its_nodes_and_the_master(self):
        job = self.job("0")
        out, _ = job.communicate(timeout=60)
        self.assertEqual(job.returncode, 0, out)
        self.assertIn("MASTER_ADDR=node1", out)
        status = self.status()
        self.assertEqual(
            (status["state"], status["attempt"], status["job"]["nodes"]), ("succeeded", 1, ["node1", "node2"])
        )
        (attempt,) = status["attempts"]
        self.assertEqual((attempt["jobId"], attempt["end"], attempt["exitCode"]), ("7", "succeeded", 0))

    def test_a_failure_asks_slurm_to_requeue_and_says_so_when_it_cannot(self):
        job = self.job("1")
        out, _ = job.communicate(timeout=90)
        status = self.status()
        self.assertEqual(status["state"], "failed", out)
        self.assertRegex(status["error"], r"^scontrol requeue 7 failed .*; resume it with `gpu-env resume`$")
        self.assertEqual(status["attempts"][-1]["end"], "failed")
        self.assertIn("restart 1 of 3; requeueing job 7", out)

    def test_slurms_warning_makes_the_ranks_checkpoint_and_the_job_requeue(self):
        job = self.job("wait", self.ready)
        wait_for(lambda: os.path.exists(self.ready), timeout=30, what="the launch to start")
        job.send_signal(signal.SIGUSR1)  # sbatch --signal=B:USR1@W reaches the batch script only
        out, _ = job.communicate(timeout=90)
        self.assertIn("launch got SIGUSR1", out)
        status = self.status()
        self.assertEqual((status["state"], status["attempts"][-1]["end"]), ("stopped", "preempted"), out)
        self.assertIn("scontrol requeue 7 failed", status["error"])

    def test_the_jobs_own_timer_warns_before_its_end_time(self):
        env = slurm_env(SLURM_JOB_END_TIME=str(int(time.time()) + 10 + 2))
        job = self.job("wait", self.ready, env=env)
        out, _ = job.communicate(timeout=90)
        self.assertIn("10 s before the job's time limit: asking every rank to checkpoint", out)
        self.assertIn("launch got SIGUSR1", out)
        self.assertEqual(self.status()["attempts"][-1]["end"], "preempted")

    def test_attempts_warned_before_they_train_a_step_end_the_run_instead_of_requeueing_forever(self):
        # Three attempts already ended at step 50, the last two without getting further (a time
        # limit too short for the start-up); the fourth is warned before it trains a step.
        with open(os.path.join(self.run_dir, "metrics.jsonl"), "w") as f:
            f.write(json.dumps({"split": "train", "step": 50, "loss": 0.5}) + "\n")
            f.write(json.dumps({"event": "resume", "step": 50}) + "\n")
        path = os.path.join(self.run_dir, "status.json")
        data = read_json(path)
        data["attempt"] = 3
        data["attempts"] = [
            {
                "attempt": n,
                "jobId": "7",
                "nodes": ["node1", "node2"],
                "end": "preempted",
                "endedAt": 1.0,
                "lastStep": step,
            }
            for n, step in ((1, 50), (2, 50), (3, 50))
        ]
        with open(path, "w") as f:
            json.dump(data, f)
        job = self.job("wait", self.ready, env=slurm_env(SLURM_RESTART_COUNT="3"))
        wait_for(lambda: os.path.exists(self.ready), timeout=30, what="the launch to start")
        job.send_signal(signal.SIGUSR1)
        out, _ = job.communicate(timeout=90)
        self.assertEqual(job.returncode, 1, out)
        self.assertNotIn("requeueing job", out)
        status = self.status()
        self.assertEqual((status["state"], status["attempts"][-1]["end"]), ("failed", "preempted"), out)
        self.assertRegex(
            status["error"],
            r"^3 attempts in a row were warned before they trained a step past 50: .*; train with a longer --time$",
        )
        # One step further, and the same warning requeues (here: fails to, with no scontrol).
        with open(os.path.join(self.run_dir, "metrics.jsonl"), "a") as f:
            f.write(json.dumps({"split": "train", "step": 60, "loss": 0.4}) + "\n")
        os.unlink(self.ready)
        job = self.job("wait", self.ready, env=slurm_env(SLURM_RESTART_COUNT="4"))
        wait_for(lambda: os.path.exists(self.ready), timeout=30, what="the launch to start")
        job.send_signal(signal.SIGUSR1)
        out, _ = job.communicate(timeout=90)
        self.assertIn("requeueing job 7", out)
        self.assertIn("scontrol requeue 7 failed", self.status()["error"])

    def test_the_next_attempt_closes_an_unrecorded_one_and_resumes(self):
        self.job("0").communicate(timeout=60)
        # An attempt killed with its job (node failure) leaves no end; the next one says so.
        path = os.path.join(self.run_dir, "status.json")
        data = read_json(path)
        data["attempts"][-1].update(endedAt=None, end=None)
        with open(path, "w") as f:
            json.dump(data, f)
        job = self.job("0", env=slurm_env(SLURM_RESTART_COUNT="1"))
        out, _ = job.communicate(timeout=60)
        self.assertIn("--resume", out.split("launched", 1)[1].splitlines()[0])
        status = self.status()
        self.assertEqual([(a["attempt"], a["end"]) for a in status["attempts"]], [(1, "interrupted"), (2, "succeeded")])
        self.assertEqual(status["job"]["restartCount"], 1)

    def test_a_stop_requested_before_the_attempt_starts_nothing(self):
        runner("stop", self.run_dir)
        job = self.job("0")
        out, _ = job.communicate(timeout=60)
        self.assertNotIn("launched", out)
        self.assertEqual(self.status()["state"], "stopped")


if __name__ == "__main__":
    unittest.main()
