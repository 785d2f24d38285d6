"""(d) Metrics lines are valid JSON even with NaN loss; gpu_env_metrics works on its own."""

import math
import os
import sys
import unittest

from training_helpers import TEMPLATES, TempDir, events, import_templates, read_metrics, run_train, strict_json

sys.path.insert(0, TEMPLATES)
import gpu_env_metrics as gm


class MetricsWriterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir("metrics-")
        self.path = os.path.join(self.tmp.path, "run", "metrics.jsonl")

    def tearDown(self):
        self.tmp.cleanup()

    def lines(self):
        with open(self.path, encoding="utf-8") as f:
            return [strict_json(line) for line in f.read().splitlines()]

    def test_non_finite_numbers_are_protocol_strings(self):
        with gm.MetricsWriter(self.path, clock=lambda: 12.5) as w:
            w.log(
                step=3,
                epoch=0.5,
                split="train",
                loss=float("nan"),
                accuracy=float("inf"),
                lr=float("-inf"),
                extra=[1.0, float("nan")],
            )
        self.assertEqual(
            self.lines(),
            [
                {
                    "v": 1,
                    "time": 12.5,
                    "step": 3,
                    "epoch": 0.5,
                    "split": "train",
                    "loss": "NaN",
                    "accuracy": "Infinity",
                    "lr": "-Infinity",
                    "extra": [1.0, "NaN"],
                }
            ],
        )
        with open(self.path, encoding="utf-8") as f:
            raw = f.read()
        self.assertNotIn("NaN,", raw.replace('"NaN"', ""))  # never a bare NaN token

    def test_each_line_is_flushed_before_the_next_is_written(self):
        w = gm.MetricsWriter(self.path)
        w.event("start", model="m")
        self.assertEqual(self.lines()[0]["event"], "start")  # readable while the writer is open
        w.log(step=1, epoch=0.0, loss=1.0)
        self.assertEqual(len(self.lines()), 2)
        w.close()

    def test_appends_across_writers(self):
        with gm.MetricsWriter(self.path) as w:
            w.event("start")
        with gm.MetricsWriter(self.path) as w:
            w.event("resume", step=5)
        self.assertEqual([r["event"] for r in self.lines()], ["start", "resume"])

    def test_item_values_numpy_and_tensor_like(self):
        class Scalar:
            def __init__(self, v):
                self.v = v

            def item(self):
                return self.v

        with gm.MetricsWriter(self.path) as w:
            w.log(step=1, epoch=1, split="val", loss=Scalar(float("nan")), accuracy=Scalar(0.5))
        self.assertEqual(self.lines()[0]["loss"], "NaN")
        self.assertEqual(self.lines()[0]["accuracy"], 0.5)

    def test_bad_input_is_refused_with_what_is_accepted(self):
        with gm.MetricsWriter(self.path) as w:
            with self.assertRaisesRegex(ValueError, r"split must be one of train, val, test \(got 'dev'\)"):
                w.log(step=1, epoch=0, split="dev", loss=1.0)
            with self.assertRaisesRegex(ValueError, r"step must be a non-negative int"):
                w.log(step=-1, epoch=0, loss=1.0)
            with self.assertRaisesRegex(ValueError, r"event must be one of start, resume, checkpoint, end"):
                w.event("finish")
            with self.assertRaisesRegex(TypeError, r"not a number, string, list or dict"):
                w.log(step=1, epoch=0, loss=object())
        self.assertEqual(os.path.getsize(self.path), 0, "a refused line writes nothing")

    def test_for_run_uses_the_run_directory_from_the_environment(self):
        os.environ[gm.RUN_DIR_ENV] = os.path.dirname(self.path)
        try:
            with gm.MetricsWriter.for_run() as w:
                w.event("start")
        finally:
            del os.environ[gm.RUN_DIR_ENV]
        self.assertEqual(len(self.lines()), 1)

    def test_parse_number_inverts_encode(self):
        for value in (1.5, float("inf"), float("-inf")):
            self.assertEqual(gm.parse_number(gm.encode_number(value)), value)
        self.assertTrue(math.isnan(gm.parse_number(gm.encode_number(float("nan")))))


class DivergingRunTest(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("metrics-nan-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_run_whose_loss_becomes_nan_still_writes_valid_json(self):
        run_dir = os.path.join(self.tmp.path, "nan")
        # An absurd learning rate makes the weights overflow within a few steps.
        result = run_train(
            run_dir, "--subset", "5120", "--test-subset", "1000", "--epochs", "1", "--lr", "1e30", "--log-every", "2"
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(os.path.join(run_dir, "metrics.jsonl"), encoding="utf-8") as f:
            raw_lines = f.read().splitlines()
        records = [strict_json(line) for line in raw_lines]  # raises on any bare NaN
        self.assertTrue(any(r.get("loss") == "NaN" for r in records), "the loss never became NaN")
        end = events(records, "end")[-1]
        self.assertEqual(end["test_loss"], "NaN")
        for record in records:
            self.assertEqual(record["v"], 1)
            self.assertIsInstance(record["time"], float)
            self.assertTrue(("event" in record) != ("split" in record))
        self.assertEqual(read_metrics(run_dir), records)


if __name__ == "__main__":
    unittest.main()
