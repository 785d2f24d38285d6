"""(c) 100 SIGKILLs at random moments while checkpoints are being written: the newest checkpoint on
disk always loads, and the next start removes the dead writer's temp files. Also: a corrupt newest
checkpoint falls back to the one before it; a checkpoint whose pickle runs code is refused, not run;
a disk that fills during a checkpoint fails the run cleanly and keeps the checkpoints it had.
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

MIN_KILLS = 100
MAX_SECONDS = 300

# A fork server: torch is imported once (single-threaded, so forking is safe), then each line on
# stdin forks a writer that cleans stale temp files, says "ready" with what it removed, and writes
# checkpoints back to back (16 MB each, so most of its time is spent writing), and after each one
# the same state straight onto plain.pt with torch.save: the non-atomic way, as a control. The
# test SIGKILLs the writer; the server reaps it and says so. Forking keeps a kill cycle well under a
# second, where a fresh interpreter importing torch took two.
WRITERS = textwrap.dedent("""
    import json, os, sys, torch
    torch.set_num_threads(1)
    sys.path.insert(0, sys.argv[2])
    import checkpointing as ckpt
    folder = sys.argv[1]
    base = torch.arange(4_000_000, dtype=torch.float32)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                removed = ckpt.remove_stale_temp_files(folder)
                found = ckpt.list_checkpoints(folder)
                step = found[-1][0] + 1 if found else 0
                print("ready", os.getpid(), json.dumps(sorted(removed)), flush=True)
                while True:
                    state = {"format": ckpt.FORMAT, "version": ckpt.VERSION, "global_step": step, "payload": base + step}
                    ckpt.atomic_save(state, os.path.join(folder, ckpt.checkpoint_name(step)))
                    ckpt.prune(folder, 3)
                    torch.save(state, os.path.join(folder, "plain.pt"))
                    step += 1
            finally:
                os._exit(1)
        os.waitpid(pid, 0)
        print("reaped", pid, flush=True)
""")


class KillsDuringCheckpointWrites(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("ckpt-kills-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_newest_checkpoint_always_loads_after_100_kills_mid_write(self):
        import json

        import torch

        import checkpointing as ckpt

        folder = self.tmp.path
        rng = random.Random(1234)
        kills = mid_write = torn_plain = cleaned = 0
        stale: list[str] = []
        server = subprocess.Popen(
            [sys.executable, "-c", WRITERS, folder, TEMPLATES], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        started = time.monotonic()
        try:
            while kills < MIN_KILLS and time.monotonic() - started < MAX_SECONDS:
                server.stdin.write("go\n")
                server.stdin.flush()
                word, pid, removed = server.stdout.readline().split(" ", 2)
                self.assertEqual(word, "ready")
                # The next start removed exactly the temp files the killed writer left, and no other.
                self.assertEqual(json.loads(removed), stale)
                cleaned += len(stale)
                time.sleep(rng.uniform(0.0, 0.3))
                os.kill(int(pid), signal.SIGKILL)
                self.assertEqual(server.stdout.readline().split(), ["reaped", pid])
                kills += 1
                stale = sorted(n for n in os.listdir(folder) if ckpt.TEMP_MARK in n)
                mid_write += bool(stale)
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
        finally:
            server.stdin.close()
            kill_hard(server)
            server.stdout.close()
        print(
            f"\n  (c) {kills} SIGKILLs in {time.monotonic() - started:.0f} s: {mid_write} during an atomic write "
            f"({cleaned} stale temp files removed by the next start), newest checkpoint loaded every time; "
            f"plain torch.save torn {torn_plain} times",
            flush=True,
        )
        self.assertGreaterEqual(kills, MIN_KILLS, f"only {kills} kills in {MAX_SECONDS} s")
        self.assertGreater(mid_write, 0, "no kill landed during a checkpoint write: the test did not test it")
        self.assertGreater(cleaned, 0)
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


# Made by run-in-image.sh (docker --tmpfs): a small disk of its own for the disk-full case.
SMALL_DISK = "/small-disk"


class _RunsCode:
    """Unpickling this runs os.system: what a hostile checkpoint carries."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class HostileAndFullCheckpoints(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("ckpt-hostile-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_checkpoint_whose_pickle_runs_code_is_refused_by_resume_not_run(self):
        import torch

        import checkpointing as ckpt

        run_dir = os.path.join(self.tmp.path, "hostile")
        marker = os.path.join(self.tmp.path, "code-ran")
        os.makedirs(os.path.join(run_dir, "checkpoints"))
        path = os.path.join(run_dir, "checkpoints", ckpt.checkpoint_name(7))
        # A real torch checkpoint (zip, data.pkl) with a valid-looking header around the payload.
        torch.save({"format": ckpt.FORMAT, "version": ckpt.VERSION, "global_step": 7, "model": _RunsCode(marker)}, path)
        result = run_train(run_dir, "--subset", "2560", "--epochs", "1")
        output = result.stdout + result.stderr
        self.assertFalse(os.path.exists(marker), "loading the checkpoint ran its code")
        self.assertEqual(result.returncode, 2, output)
        self.assertIn("none of the 1 checkpoints", result.stderr)
        # The reason names what was refused: the unpickler's allow-list, not a crash.
        self.assertRegex(output, r"Unsupported global: GLOBAL (posix|os)\.system|weights_only", output)
        self.assertIn("--no-resume", result.stderr)

    def test_disk_full_during_a_checkpoint_fails_cleanly_and_keeps_the_checkpoints_it_had(self):
        import checkpointing as ckpt

        if not os.path.ismount(SMALL_DISK):
            if os.environ.get("GPU_ENV_REQUIRE_TORCH") == "1":
                self.fail(f"{SMALL_DISK} is not mounted: run through test/python/run-in-image.sh (docker --tmpfs)")
            self.skipTest(f"needs the small tmpfs at {SMALL_DISK} (test/python/run-in-image.sh)")
        run_dir = os.path.join(SMALL_DISK, f"run-{os.getpid()}")
        filler = os.path.join(SMALL_DISK, f"filler-{os.getpid()}")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", run_dir, filler], check=False))
        args = [
            "--subset",
            "2560",
            "--test-subset",
            "500",
            "--checkpoint-every",
            "5",
            "--keep",
            "3",
            "--log-every",
            "5",
            "--seed",
            "3",
        ]
        # A run that checkpointed a few times and was stopped politely (SIGTERM: it checkpoints and exits).
        first = start_train(run_dir, *args)
        try:
            wait_for(lambda: len(events(read_metrics(run_dir), "checkpoint")) >= 2, timeout=180, what="checkpoints")
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=120)
        finally:
            kill_hard(first)
        folder = os.path.join(run_dir, "checkpoints")
        self.assertEqual([n for n in os.listdir(folder) if ckpt.TEMP_MARK in n], [])
        before = ckpt.list_checkpoints(folder)
        self.assertTrue(before)
        size = os.path.getsize(before[-1][1])
        # Fill the disk so that less than half a checkpoint stays free: the next checkpoint cannot fit.
        stats = os.statvfs(SMALL_DISK)
        free = stats.f_bavail * stats.f_frsize
        with open(filler, "wb") as f:
            f.write(b"\0" * max(0, free - size // 2))
        started = time.monotonic()
        second = run_train(run_dir, *args)
        output = second.stdout + second.stderr
        print(
            f"\n  (c) disk full: {size} B checkpoints, {size // 2} B left free; the resumed run exited "
            f"{second.returncode} after {time.monotonic() - started:.1f} s",
            flush=True,
        )
        self.assertNotEqual(second.returncode, 0, output)
        self.assertIn("No space left on device", output)
        self.assertEqual(ckpt.list_checkpoints(folder), before, "a checkpoint was pruned or added")
        self.assertEqual(ckpt.load_checkpoint(before[-1][1])["global_step"], before[-1][0])
        self.assertEqual([n for n in os.listdir(folder) if ckpt.TEMP_MARK in n], [], "a temp file was left")


if __name__ == "__main__":
    unittest.main()
