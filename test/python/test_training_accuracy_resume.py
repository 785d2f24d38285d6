"""(a) accuracy on the real Fashion-MNIST and (b) SIGKILL mid-epoch, then resume.

Both use the full 60k training set, SimpleCNN, 2 epochs on the CPU. The uninterrupted run is the
reference for the interrupted one: same seed, so the resumed run must end where it ends.
"""

import os
import signal
import time
import unittest

from training_helpers import (
    TempDir,
    end_event,
    events,
    kill_hard,
    read_metrics,
    require_torch,
    run_train,
    start_train,
    train_lines,
    wait_for,
)

EPOCHS = ["--epochs", "2", "--model", "simplecnn", "--seed", "1", "--checkpoint-every", "50", "--log-every", "10"]


class FullRunThenInterruptedRun(unittest.TestCase):
    reference = None  # the end event of the uninterrupted run

    @classmethod
    def setUpClass(cls):
        require_torch()
        cls.tmp = TempDir("train-full-")
        cls.ref_dir = os.path.join(cls.tmp.path, "reference")
        started = time.monotonic()
        result = run_train(cls.ref_dir, *EPOCHS)
        cls.ref_seconds = time.monotonic() - started
        if result.returncode != 0:
            raise AssertionError(f"reference run failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        cls.ref_records = read_metrics(cls.ref_dir)
        cls.reference = end_event(cls.ref_dir)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_full_training_set_two_epochs_reaches_85_percent(self):
        start = events(self.ref_records, "start")[0]
        self.assertEqual(start["train_size"], 60000, "the whole training set must be used")
        self.assertEqual(start["test_size"], 10000)
        self.assertEqual(start["device"], "cpu")
        self.assertEqual(self.reference["status"], "completed")
        self.assertEqual(self.reference["epoch"], 2.0)
        self.assertGreaterEqual(self.reference["test_accuracy"], 0.85, self.reference)
        self.assertTrue(os.path.isfile(self.reference["best_checkpoint"]))
        epoch_evals = [r for r in self.ref_records if r.get("split") == "test"]
        self.assertEqual([r["epoch"] for r in epoch_evals], [1.0, 2.0])
        epoch_times = ", ".join("{:.1f} s".format(r["epoch_time_s"]) for r in epoch_evals)
        print(
            f"\n  (a) test accuracy {self.reference['test_accuracy']:.4f} after 2 epochs; epoch times "
            f"{epoch_times}; "
            f"{self.reference['train_images_per_s']:.0f} images/s; whole run {self.ref_seconds:.1f} s",
            flush=True,
        )

    def test_b_sigkill_mid_epoch_then_resume_matches_the_uninterrupted_run(self):
        run_dir = os.path.join(self.tmp.path, "interrupted")
        steps_per_epoch = events(self.ref_records, "start")[0]["steps_per_epoch"]
        process = start_train(run_dir, *EPOCHS)
        try:
            # Kill in the second epoch, after a mid-epoch checkpoint and some steps past it.
            def past_a_checkpoint_in_epoch_two():
                records = read_metrics(run_dir)
                saved = [e["step"] for e in events(records, "checkpoint") if e["step"] > steps_per_epoch]
                trained = [r["step"] for r in train_lines(records)]
                return saved and trained and trained[-1] >= saved[-1] + 10 and trained[-1] % 50 != 0

            wait_for(past_a_checkpoint_in_epoch_two, timeout=300, what="a checkpoint in epoch 2")
            self.assertIsNone(process.poll(), "the run ended before it could be interrupted")
            process.send_signal(signal.SIGKILL)
        finally:
            kill_hard(process)
        self.assertEqual(process.returncode, -signal.SIGKILL)
        before = read_metrics(run_dir)
        self.assertIsNone(end_event(run_dir), "killed before the end")
        last_step_before = train_lines(before)[-1]["step"]
        last_checkpoint = events(before, "checkpoint")[-1]["step"]
        self.assertTrue(steps_per_epoch < last_checkpoint < last_step_before < 2 * steps_per_epoch)

        result = run_train(run_dir, *EPOCHS, "--resume")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        after = read_metrics(run_dir)
        self.assertEqual(after[: len(before)], before, "the resumed run appends to the same metrics file")
        resume = events(after, "resume")
        self.assertEqual(len(resume), 1)
        self.assertEqual(resume[0]["step"], last_checkpoint, "resumes from the newest checkpoint")
        self.assertGreaterEqual(resume[0]["epoch"], 1.0, "the completed first epoch is not lost")
        self.assertEqual(resume[0]["position"], last_checkpoint - steps_per_epoch)
        resumed_steps = [r["step"] for r in train_lines(after[len(before) :])]
        self.assertGreater(resumed_steps[0], last_checkpoint, "the step count continues, it does not restart")
        self.assertEqual(resumed_steps[-1], 2 * steps_per_epoch)

        end = end_event(run_dir)
        self.assertEqual(end["step"], self.reference["step"])
        self.assertLessEqual(abs(end["test_accuracy"] - self.reference["test_accuracy"]), 0.005, (end, self.reference))
        # Same seed, same data order, every state restored: on the CPU the result is bit-identical.
        self.assertEqual(end["test_accuracy"], self.reference["test_accuracy"])
        self.assertEqual(end["test_loss"], self.reference["test_loss"])
        print(
            f"\n  (b) killed at step {last_step_before} (epoch 2), resumed from step {last_checkpoint}: "
            f"test accuracy {end['test_accuracy']:.4f} vs {self.reference['test_accuracy']:.4f} uninterrupted",
            flush=True,
        )


if __name__ == "__main__":
    unittest.main()
