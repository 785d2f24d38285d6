"""The runner starting the ranks of a data-parallel run itself (no torchrun: Debian's torch has no
libuv), on the real Fashion-MNIST with the real template, gloo on the CPU: two ranks train to 85 %
in two epochs with one metrics stream; a rank killed mid-epoch takes the group down and the group
comes back from the newest checkpoint, ending where an uninterrupted run ends."""

import json
import os
import signal
import unittest

from training_helpers import (
    TempDir,
    end_event,
    events,
    read_json,
    read_metrics,
    require_torch,
    runner,
    train_command,
    wait_for,
)

EPOCHS = "2"
# Checkpoints often enough that a kill loses little, and the kill lands after one exists.
OPTIONS = ["--epochs", EPOCHS, "--checkpoint-every", "100", "--log-every", "25", "--seed", "5"]
RUN_TIMEOUT = 1500


def status_of(run_dir):
    return read_json(os.path.join(run_dir, "status.json"))


def log_of(run_dir):
    with open(os.path.join(run_dir, "stdout.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


def finished(run_dir):
    state = status_of(run_dir).get("state")
    return state if state not in ("starting", "running") else None


class RunnerRanksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_torch()
        cls.tmp = TempDir("runner-ranks-")
        cls.uninterrupted = os.path.join(cls.tmp.path, "whole")

    @classmethod
    def tearDownClass(cls):
        for name in os.listdir(cls.tmp.path):
            if os.path.exists(os.path.join(cls.tmp.path, name, "status.json")):
                runner("stop", os.path.join(cls.tmp.path, name), "--grace", "2")
        cls.tmp.cleanup()

    def start(self, run_dir, *extra):
        command = train_command(run_dir, *OPTIONS)
        result = runner("start", run_dir, "--nproc-per-node", "2", *extra, "--", *command)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return json.loads(result.stdout)

    def test_1_two_ranks_reach_85_percent_in_two_epochs_with_one_metrics_stream(self):
        run_dir = self.uninterrupted
        status = self.start(run_dir)
        self.assertEqual(len(status["ranks"]), 2)
        state = wait_for(lambda: finished(run_dir), timeout=RUN_TIMEOUT, interval=1, what="the 2-rank run to end")
        log = log_of(run_dir)
        self.assertEqual(state, "succeeded", log[-3000:])
        self.assertRegex(log, r"rank 0: pid \d+ rank 1: pid \d+")
        records = read_metrics(run_dir)
        (start,) = events(records, "start")  # one stream: rank 1 writes nothing
        self.assertEqual(start["world_size"], 2)
        steps = [r["step"] for r in records if r.get("split") == "train"]
        self.assertEqual(steps, sorted(set(steps)), "train lines repeat: more than one rank wrote metrics")
        end = end_event(run_dir)
        self.assertEqual(end["status"], "completed")
        self.assertGreaterEqual(end["test_accuracy"], 0.85)
        # Images/s counts both ranks' images (global), the whole training set per epoch.
        self.assertGreaterEqual(end["train_images"], 2 * 59_900)
        self.assertEqual(os.listdir(run_dir).count("metrics.jsonl"), 1)
        print(
            f"\n  2 ranks: test accuracy {end['test_accuracy']:.4f} after {EPOCHS} epochs, "
            f"{end['train_images_per_s']:.0f} images/s (global)",
            flush=True,
        )

    def test_2_a_killed_rank_restarts_the_group_from_the_newest_checkpoint(self):
        whole = end_event(self.uninterrupted)
        if whole is None:
            self.skipTest("needs the uninterrupted run of test_1")
        run_dir = os.path.join(self.tmp.path, "killed")
        self.start(run_dir)
        # Mid-epoch 2, after a checkpoint of that epoch.
        wait_for(
            lambda: any(e["epoch"] > 1.2 for e in events(read_metrics(run_dir), "checkpoint")),
            timeout=RUN_TIMEOUT,
            interval=0.5,
            what="a checkpoint in epoch 2",
        )
        before = max(r["step"] for r in read_metrics(run_dir) if r.get("split") == "train")
        rank1 = status_of(run_dir)["ranks"][1]
        os.kill(rank1, signal.SIGKILL)
        state = wait_for(lambda: finished(run_dir), timeout=RUN_TIMEOUT, interval=1, what="the restarted run to end")
        log = log_of(run_dir)
        self.assertEqual(state, "succeeded", log[-3000:])
        self.assertIn("rank 1 failed (signal SIGKILL): restarting the group from the newest checkpoint", log)
        status = status_of(run_dir)
        self.assertEqual((status["restarts"], status["attempt"]), (1, 1))
        self.assertNotIn(rank1, status["ranks"])
        records = read_metrics(run_dir)
        (resume,) = events(records, "resume")
        checkpoints = [e["step"] for e in events(records, "checkpoint") if e["time"] < resume["time"]]
        self.assertEqual(resume["step"], max(checkpoints), "resumed from another than the newest checkpoint")
        self.assertLessEqual(resume["step"], before)
        self.assertGreater(resume["step"], 0)
        end = end_event(run_dir)
        # Step count continues: the restarted group ends at the same step as the whole run.
        self.assertEqual(end["step"], whole["step"])
        self.assertLessEqual(abs(end["test_accuracy"] - whole["test_accuracy"]), 0.005)
        print(
            f"\n  rank 1 killed at step ~{before}, group resumed from step {resume['step']}: test accuracy "
            f"{end['test_accuracy']:.4f} vs {whole['test_accuracy']:.4f} uninterrupted",
            flush=True,
        )

    def test_3_bad_process_counts_are_usage_errors(self):
        result = runner("start", os.path.join(self.tmp.path, "bad"), "--nproc-per-node", "0", "--", "true")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--nproc-per-node: expected a whole number >= 1, got '0'", result.stderr)


if __name__ == "__main__":
    unittest.main()
