"""(c) Kills at random moments while checkpoints are being written: the newest checkpoint on disk
always loads. Also: a corrupt newest checkpoint falls back to the one before it.
"""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from training_helpers import (
    TEMPLATES,
    TempDir,
    events,
    import_templates,
    kill_hard,
    read_metrics,
    run_train,
    start_train,
    wait_for,
)

MAX_KILLS = 12
MAX_SECONDS = 90

# Writes checkpoints back to back (16 MB each, so most of its time is spent writing), and after
# each one the same state straight onto plain.pt with torch.save: the non-atomic way, as a control.
WRITER = textwrap.dedent("""
    import os, sys, torch
    sys.path.insert(0, sys.argv[2])
    import checkpointing as ckpt
    folder = sys.argv[1]
    ckpt.remove_stale_temp_files(folder)
    found = ckpt.list_checkpoints(folder)
    step = found[-1][0] + 1 if found else 0
    base = torch.arange(4_000_000, dtype=torch.float32)
    print("ready", flush=True)
    while True:
        state = {"format": ckpt.FORMAT, "version": ckpt.VERSION, "global_step": step, "payload": base + step}
        ckpt.atomic_save(state, os.path.join(folder, ckpt.checkpoint_name(step)))
        ckpt.prune(folder, 3)
        torch.save(state, os.path.join(folder, "plain.pt"))
        step += 1
""")


class KillsDuringCheckpointWrites(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("ckpt-kills-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_newest_checkpoint_always_loads_after_a_kill_mid_write(self):
        import torch

        import checkpointing as ckpt

        folder = self.tmp.path
        rng = random.Random(1234)
        kills = mid_write = torn_plain = 0
        started = time.monotonic()
        while kills < MAX_KILLS and time.monotonic() - started < MAX_SECONDS:
            writer = subprocess.Popen(
                [sys.executable, "-c", WRITER, folder, TEMPLATES], stdout=subprocess.PIPE, text=True
            )
            try:
                self.assertEqual(writer.stdout.readline().strip(), "ready")
                time.sleep(rng.uniform(0.05, 0.8))
                writer.send_signal(signal.SIGKILL)
            finally:
                kill_hard(writer)
                writer.stdout.close()
            kills += 1
            names = os.listdir(folder)
            mid_write += any(ckpt.TEMP_MARK in n for n in names)
            found = ckpt.list_checkpoints(folder)
            if not found:
                continue  # killed before the first save finished: nothing to check yet
            step, newest = found[-1]
            state = ckpt.load_checkpoint(newest)  # raises if the newest file is torn
            self.assertEqual(state["global_step"], step)
            payload = state["payload"]
            self.assertEqual((payload[0].item(), payload[-1].item()), (float(step), float(3_999_999 + step)))
            latest = ckpt.load_latest(folder)
            self.assertEqual((latest.path, latest.failures), (newest, []))
            try:
                torch.load(os.path.join(folder, "plain.pt"), weights_only=True)
            except Exception:  # noqa: BLE001 - any failure to load is what a torn file looks like
                torn_plain += 1
        print(
            f"\n  (c) {kills} kills in {time.monotonic() - started:.0f} s: {mid_write} during an atomic write, "
            f"newest checkpoint loaded every time; plain torch.save torn {torn_plain} times",
            flush=True,
        )
        self.assertGreaterEqual(kills, 6, "too few kills in the time budget to mean anything")
        self.assertGreater(mid_write, 0, "no kill landed during a checkpoint write: the test did not test it")
        # The control shows the harness sees torn files: a non-atomic save does not survive this.
        self.assertGreater(torn_plain, 0, "plain torch.save was never torn: kills did not hit writes")

    def test_train_cnn_killed_while_checkpointing_every_step_resumes(self):
        import checkpointing as ckpt

        run_dir = os.path.join(self.tmp.path, "run")
        args = [
            "--subset",
            "12800",
            "--test-subset",
            "2000",
            "--epochs",
            "3",
            "--checkpoint-every",
            "1",
            "--keep",
            "2",
            "--log-every",
            "5",
            "--seed",
            "3",
        ]
        rng = random.Random(99)
        for _ in range(3):
            process = start_train(run_dir, *args)
            try:
                already = len(events(read_metrics(run_dir), "checkpoint"))
                wait_for(
                    lambda already=already: len(events(read_metrics(run_dir), "checkpoint")) > already + 2,
                    timeout=120,
                    what="checkpoints",
                )
                time.sleep(rng.uniform(0.0, 0.4))
                process.send_signal(signal.SIGKILL)
            finally:
                kill_hard(process)
            found = ckpt.list_checkpoints(os.path.join(run_dir, "checkpoints"))
            self.assertTrue(found)
            state = ckpt.load_checkpoint(found[-1][1])
            self.assertEqual(state["global_step"], found[-1][0])
        result = run_train(run_dir, *args)  # no --resume: picked up automatically
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        records = read_metrics(run_dir)
        self.assertEqual(len(events(records, "resume")), 3)
        self.assertEqual(events(records, "end")[-1]["step"], 3 * (12800 // 128))

    def test_corrupt_newest_checkpoint_falls_back_to_the_previous_one(self):
        import checkpointing as ckpt

        run_dir = os.path.join(self.tmp.path, "corrupt")
        args = [
            "--subset",
            "5120",
            "--test-subset",
            "1000",
            "--epochs",
            "2",
            "--checkpoint-every",
            "5",
            "--keep",
            "3",
            "--log-every",
            "5",
        ]
        first = run_train(run_dir, *args, "--max-steps", "15")
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        folder = os.path.join(run_dir, "checkpoints")
        self.assertEqual([s for s, _ in ckpt.list_checkpoints(folder)], [5, 10, 15])
        newest = ckpt.list_checkpoints(folder)[-1][1]
        with open(newest, "r+b") as f:  # a disk that lied: half the file is gone
            f.truncate(os.path.getsize(newest) // 2)
        second = run_train(run_dir, *args, "--max-steps", "20", "--resume")
        self.assertEqual(second.returncode, 0, second.stdout + second.stderr)
        self.assertIn("does not load", second.stdout)
        resume = events(read_metrics(run_dir), "resume")[-1]
        self.assertEqual(resume["step"], 10)
        self.assertEqual(resume["skipped"], [newest])

    def test_unloadable_checkpoints_only_is_a_clear_error(self):
        run_dir = os.path.join(self.tmp.path, "garbage")
        os.makedirs(os.path.join(run_dir, "checkpoints"))
        with open(os.path.join(run_dir, "checkpoints", "ckpt-0000000007.pt"), "wb") as f:
            f.write(b"not a checkpoint")
        result = run_train(run_dir, "--subset", "2560", "--epochs", "1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("none of the 1 checkpoints", result.stderr)
        self.assertIn("--no-resume", result.stderr)


if __name__ == "__main__":
    unittest.main()
