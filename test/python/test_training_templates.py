"""The template's parts: models for any size and channel count, dataset readers, batch order,
speed switches, argument errors, and the DDP code path (two CPU processes with gloo)."""

import gzip
import os
import pickle
import signal
import struct
import subprocess
import sys
import unittest

from training_helpers import (
    FASHION_MNIST,
    TRAIN,
    TempDir,
    end_event,
    events,
    import_templates,
    kill_hard,
    read_metrics,
    run_train,
    start_train,
    train_command,
    wait_for,
)


def write_idx(path, array):
    import numpy as np

    codes = {np.dtype(np.uint8): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


class ModelsTest(unittest.TestCase):
    def setUp(self):
        import_templates()

    def test_both_models_train_on_any_size_and_channel_count(self):
        import torch

        from cnn_models import build_model

        for channels, size in [
            (1, (28, 28)),
            (3, (32, 32)),
            (1, (7, 7)),
            (3, (65, 65)),
            (4, (97, 31)),
            (3, (224, 224)),
            (2, (2, 3)),
        ]:
            for name in ("simplecnn", "resnet"):
                with self.subTest(model=name, channels=channels, size=size):
                    model = build_model(name, channels, size, 7, width=8)
                    x = torch.randn(3, channels, *size)
                    out = model(x)
                    self.assertEqual(tuple(out.shape), (3, 7))
                    out.sum().backward()
                    model.to(memory_format=torch.channels_last)(x.contiguous(memory_format=torch.channels_last))

    def test_simplecnn_is_the_classic_network(self):
        import torch
        from torch import nn

        from cnn_models import build_model

        model = build_model("simplecnn", 1, (28, 28), 10)
        self.assertEqual(
            (model.conv.in_channels, model.conv.out_channels, model.conv.kernel_size, model.conv.padding),
            (1, 32, (3, 3), (1, 1)),
        )
        self.assertEqual((model.classifier.in_features, model.classifier.out_features), (32 * 14 * 14, 10))
        # Pooling before the ReLU computes exactly conv -> ReLU -> pool.
        x = torch.randn(5, 1, 28, 28)
        reference = model.classifier(torch.flatten(nn.functional.max_pool2d(torch.relu(model.conv(x)), 2), 1))
        self.assertTrue(torch.equal(model(x), reference))

    def test_too_small_images_are_refused_clearly(self):
        from cnn_models import build_model

        with self.assertRaisesRegex(ValueError, "at least 2x2"):
            build_model("simplecnn", 1, (1, 5), 10)


class DataTest(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("data-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_idx_files_gzipped_or_not(self):
        import numpy as np

        from cnn_data import DataError, read_idx

        images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
        for name in ("a-idx3-ubyte", "b-idx3-ubyte.gz"):
            path = os.path.join(self.tmp.path, name)
            write_idx(path, images)
            self.assertTrue(np.array_equal(read_idx(path), images))
        bad = os.path.join(self.tmp.path, "bad")
        with open(bad, "wb") as f:
            f.write(b"\x00\x00\x08\x03" + struct.pack(">3I", 2, 3, 4) + b"short")
        with self.assertRaisesRegex(DataError, "header says 24"):
            read_idx(bad)
        with open(bad, "wb") as f:
            f.write(b"PK\x03\x04")
        with self.assertRaisesRegex(DataError, "bad magic"):
            read_idx(bad)

    def test_real_fashion_mnist_and_a_torchvision_layout_copy(self):
        import numpy as np

        from cnn_data import IDX_FILES, load_dataset, load_idx_dataset

        real = load_dataset("fashion-mnist", FASHION_MNIST)
        self.assertEqual(
            (len(real.train), len(real.test), real.num_classes, real.channels, real.image_size),
            (60000, 10000, 10, 1, (28, 28)),
        )
        self.assertAlmostEqual(real.mean[0], 0.2860, places=3)
        arrays = load_idx_dataset("fashion-mnist", FASHION_MNIST)
        raw = os.path.join(self.tmp.path, "FashionMNIST", "raw")
        os.makedirs(raw)
        for key, base in IDX_FILES.items():  # uncompressed, where torchvision puts them
            write_idx(os.path.join(raw, base), arrays[key][:100])
        copy = load_dataset("fashion-mnist", self.tmp.path)
        self.assertTrue(np.array_equal(copy.train.images[:, 0].numpy(), arrays["train_images"][:100]))

    def test_missing_files_name_the_files_and_the_folder(self):
        from cnn_data import DataError, load_dataset

        empty = os.path.join(self.tmp.path, "empty")
        os.makedirs(empty)
        with self.assertRaises(DataError) as caught:
            load_dataset("mnist", empty)
        message = str(caught.exception)
        for expected in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", empty, "--data-dir", "--download"):
            self.assertIn(expected, message)
        result = run_train(os.path.join(self.tmp.path, "run"), "--data-dir", empty)
        self.assertEqual(result.returncode, 2)
        self.assertIn("fashion-mnist: missing train-images-idx3-ubyte", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def write_cifar(self, folder, extra_global=None):
        import numpy as np

        os.makedirs(folder)
        rng = np.random.default_rng(0)
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            batch = {
                b"data": rng.integers(0, 256, (20, 3072), dtype=np.uint8),
                b"labels": list(rng.integers(0, 10, 20).tolist()),
            }
            if extra_global is not None:
                batch[b"evil"] = extra_global
            with open(os.path.join(folder, name), "wb") as f:
                pickle.dump(batch, f, protocol=2)

    def test_cifar10_python_batches(self):
        from cnn_data import load_dataset

        self.write_cifar(os.path.join(self.tmp.path, "cifar-10-batches-py"))
        data = load_dataset("cifar10", self.tmp.path)
        self.assertEqual((len(data.train), len(data.test), data.channels, data.image_size), (100, 20, 3, (32, 32)))
        self.assertTrue(data.augment_default)

    def test_cifar_pickles_cannot_run_code(self):
        from cnn_data import DataError, load_dataset

        self.write_cifar(os.path.join(self.tmp.path, "evil"), extra_global=Exploit())
        with self.assertRaisesRegex(DataError, "only numpy arrays are accepted"):
            load_dataset("cifar10", os.path.join(self.tmp.path, "evil"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp.path, "pwned")))

    def test_imagefolder_trains_through_the_dataloader_path(self):
        from PIL import Image

        root = os.path.join(self.tmp.path, "pets")
        for split, count in (("train", 24), ("test", 6)):
            for label, colour in (("cat", (250, 10, 10)), ("dog", (10, 10, 250))):
                folder = os.path.join(root, split, label)
                os.makedirs(folder)
                for i in range(count):
                    Image.new("RGB", (20 + i, 17), colour).save(os.path.join(folder, f"{i}.png"))
        run_dir = os.path.join(self.tmp.path, "run")
        result = run_train(
            run_dir,
            "--dataset",
            "imagefolder",
            "--data-dir",
            root,
            "--image-size",
            "12",
            "--batch-size",
            "8",
            "--epochs",
            "8",
            "--workers",
            "1",
            "--model",
            "resnet",
            "--width",
            "8",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        start = events(read_metrics(run_dir), "start")[0]
        self.assertEqual((start["device_data"], start["train_size"], start["test_size"]), (False, 48, 12))
        # Red against blue. (BatchNorm's running statistics need a few dozen steps to settle.)
        self.assertGreaterEqual(end_event(run_dir)["test_accuracy"], 0.9)


class Exploit:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


class BatchOrderTest(unittest.TestCase):
    def setUp(self):
        import_templates()

    def data(self, n=1000):
        import torch

        from cnn_data import ArrayData

        images = torch.arange(n, dtype=torch.int64).remainder(256).to(torch.uint8).view(n, 1, 1, 1).expand(n, 1, 4, 4)
        return ArrayData(images.contiguous(), torch.arange(n))

    def test_device_and_loader_paths_give_the_same_batches_from_any_position(self):
        import torch

        from cnn_batches import DeviceBatches, LoaderBatches

        data = self.data()
        device = torch.device("cpu")
        on_device = DeviceBatches(data, device, 64, seed=5)
        loader = LoaderBatches(data, device, 64, seed=5, workers=2)
        self.assertEqual((on_device.steps, loader.steps), (15, 15))  # 1000 // 64: the partial batch is dropped
        full = [y.tolist() for _, y in on_device.epoch(2)]
        self.assertEqual([y.tolist() for _, y in loader.epoch(2)], full)
        self.assertEqual([y.tolist() for _, y in on_device.epoch(2, start_step=9)], full[9:])
        self.assertEqual([y.tolist() for _, y in loader.epoch(2, start_step=9)], full[9:])
        self.assertNotEqual([y.tolist() for _, y in on_device.epoch(3)], full, "each epoch has its own order")
        seen = sorted(i for batch in full for i in batch)
        self.assertEqual(len(set(seen)), 15 * 64, "no example twice in an epoch")

    def test_ranks_split_each_global_batch_without_overlap(self):
        import torch

        from cnn_batches import DeviceBatches

        data = self.data()
        ranks = [DeviceBatches(data, torch.device("cpu"), 32, seed=1, rank=r, world_size=2) for r in (0, 1)]
        single = DeviceBatches(data, torch.device("cpu"), 64, seed=1)
        for (_, y0), (_, y1), (_, y) in zip(ranks[0].epoch(0), ranks[1].epoch(0), single.epoch(0)):
            self.assertEqual(y0.tolist() + y1.tolist(), y.tolist())

    def test_augmentation_is_deterministic_per_step_and_keeps_the_images(self):
        import torch

        from cnn_batches import augment

        images = torch.randint(0, 256, (16, 3, 8, 8), dtype=torch.uint8)
        a = augment(images, seed=1, epoch=0, step=3)
        self.assertTrue(torch.equal(a, augment(images, seed=1, epoch=0, step=3)))
        self.assertFalse(torch.equal(a, augment(images, seed=1, epoch=0, step=4)))
        self.assertEqual((a.shape, a.dtype), (images.shape, images.dtype))
        flips_only = augment(images, seed=2, epoch=0, step=0, pad=0)
        for original, out in zip(images, flips_only):
            self.assertTrue(torch.equal(out, original) or torch.equal(out, original.flip(-1)))


class CommandLineTest(unittest.TestCase):
    def setUp(self):
        import_templates()
        self.tmp = TempDir("cli-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_bad_options_exit_2_naming_the_option_and_the_accepted_form(self):
        cases = [
            (["--batch-size", "0"], "argument --batch-size: expected a whole number >= 1, got 0"),
            (["--lr", "-1"], "argument --lr: expected a finite number > 0, got -1"),
            (["--model", "vgg"], "argument --model: invalid choice: 'vgg' (choose from simplecnn, resnet)"),
            (["--device", "tpu"], "--device must be auto, cpu, cuda or cuda:N (got 'tpu')"),
            (["--device", "cuda"], "CUDA is not available here"),
            (["--batch-size", "70000"], "--batch-size 70000 x 1 process(es) is larger than the training set"),
            (["--target-accuracy", "88"], "argument --target-accuracy: expected an accuracy above 0 and at most 1"),
            (["--target-accuracy", "0"], "argument --target-accuracy: expected an accuracy above 0 and at most 1"),
            (["--target-accuracy", "high"], "argument --target-accuracy: expected an accuracy from 0 to 1"),
            (["--optimizer", "lion"], "argument --optimizer: invalid choice: 'lion'"),
            (["--label-smoothing", "1"], "argument --label-smoothing: expected a number from 0 (inclusive) to 1"),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                result = subprocess.run(
                    [
                        sys.executable,
                        TRAIN,
                        "--run-dir",
                        os.path.join(self.tmp.path, "r"),
                        "--data-dir",
                        FASHION_MNIST,
                        *args,
                    ],
                    capture_output=True,
                    text=True,
                )
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(expected.replace("(choose from simplecnn, resnet)", "(choose from"), result.stderr)

    def test_target_accuracy_stops_at_the_first_evaluation_that_reaches_it(self):
        # Real Fashion-MNIST: 0.80 comes within the first epoch, so the run stops early and says when.
        run_dir = os.path.join(self.tmp.path, "target")
        options = "--subset 20480 --test-subset 2000 --epochs 3 --target-accuracy 0.8 --checkpoint-every 0"
        result = run_train(run_dir, *options.split())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        records = read_metrics(run_dir)
        evals = [r for r in records if r.get("split") == "test"]
        first = next(i for i, r in enumerate(evals) if r["accuracy"] >= 0.8)
        self.assertEqual(first, len(evals) - 1, "evaluations went on after the target was reached")
        self.assertTrue(all(r["accuracy"] < 0.8 for r in evals[:first]))
        self.assertLess(evals[first]["epoch"], 3, "the target should come before the planned epochs end")
        # 4 evaluations per epoch with a target: the stop can come mid-epoch.
        steps_per_epoch = 20480 // next(r for r in records if r.get("event") == "start")["batch_size"]
        self.assertEqual(evals[0]["step"], steps_per_epoch // 4)
        end = end_event(run_dir)
        self.assertEqual(end["status"], "target-reached")
        self.assertEqual((end["target_accuracy"], end["target"]["step"]), (0.8, evals[first]["step"]))
        self.assertEqual(end["test_accuracy"], evals[first]["accuracy"])
        started = next(r for r in records if r.get("event") == "start")["time"]
        # Counted from the process start, so it includes the start-up before the start line.
        self.assertGreater(end["time_to_target_s"], evals[first]["time"] - started)
        self.assertLess(end["time_to_target_s"], end["elapsed_s"] + 120)
        self.assertEqual(end["step"], evals[first]["step"])

    def test_every_speed_switch_off_still_trains(self):
        run_dir = os.path.join(self.tmp.path, "slow")
        result = run_train(
            run_dir,
            "--subset",
            "2560",
            "--test-subset",
            "1000",
            "--epochs",
            "1",
            "--no-amp",
            "--no-channels-last",
            "--no-device-data",
            "--no-compile",
            "--workers",
            "1",
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        start = events(read_metrics(run_dir), "start")[0]
        self.assertEqual(
            (start["amp"], start["channels_last"], start["device_data"], start["compile"]), ("off", False, False, False)
        )

    def test_resume_with_other_settings_is_refused(self):
        run_dir = os.path.join(self.tmp.path, "mismatch")
        first = run_train(run_dir, "--subset", "2560", "--epochs", "1", "--max-steps", "3", "--checkpoint-every", "3")
        self.assertEqual(first.returncode, 0, first.stderr)
        second = run_train(run_dir, "--subset", "2560", "--epochs", "1", "--batch-size", "64", "--resume")
        self.assertEqual(second.returncode, 2)
        self.assertIn("batch_size: checkpoint 128, now 64", second.stderr)  # 128: the CPU recipe's batch
        third = run_train(run_dir, "--subset", "2560", "--epochs", "1", "--batch-size", "64", "--no-resume")
        self.assertEqual(third.returncode, 0, third.stderr)
        self.assertIn("--no-resume: removed", third.stdout)


class DistributedTest(unittest.TestCase):
    """The torchrun code path, launched the way torchrun does it (its rendezvous needs libuv,
    which this Debian build of torch lacks): two CPU processes, gloo, same environment variables."""

    def setUp(self):
        import_templates()
        self.tmp = TempDir("ddp-")

    def tearDown(self):
        self.tmp.cleanup()

    port = 29400 + os.getpid() % 500

    def spawn(self, run_dir, *args):
        DistributedTest.port += 1
        env = dict(
            os.environ,
            USE_LIBUV="0",
            OMP_NUM_THREADS="1",
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(DistributedTest.port),
            WORLD_SIZE="2",
        )
        options = "--subset 10240 --test-subset 2000 --epochs 1 --checkpoint-every 10"
        command = train_command(run_dir, *options.split(), *args)
        return [
            subprocess.Popen(
                command,
                env=dict(env, RANK=str(r), LOCAL_RANK=str(r)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for r in (0, 1)
        ]

    def launch(self, run_dir, *args):
        ranks = self.spawn(run_dir, *args)
        outputs = [p.communicate(timeout=300)[0] for p in ranks]
        for rank, p in enumerate(ranks):
            self.assertEqual(p.returncode, 0, f"rank {rank}:\n{outputs[rank]}")

    def test_sigterm_stops_every_rank_at_the_same_step_with_one_checkpoint(self):
        run_dir = os.path.join(self.tmp.path, "ddp-stop")
        ranks = self.spawn(run_dir, "--epochs", "20", "--log-every", "4")
        try:
            wait_for(
                lambda: any(r.get("split") == "train" for r in read_metrics(run_dir)),
                timeout=180,
                what="training steps",
            )
            for p in ranks:
                p.send_signal(signal.SIGTERM)
            outputs = [p.communicate(timeout=120)[0] for p in ranks]
        finally:
            for p in ranks:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
        self.assertEqual([p.returncode for p in ranks], [-signal.SIGTERM, -signal.SIGTERM], outputs)
        saved = [e for e in events(read_metrics(run_dir), "checkpoint") if e["reason"] == "signal"]
        self.assertEqual(len(saved), 1)
        self.assertEqual(saved[0]["step"] % 4, 0, "ranks agree to stop at a log step")

    def test_two_processes_train_checkpoint_and_resume(self):
        run_dir = os.path.join(self.tmp.path, "ddp")
        self.launch(run_dir, "--max-steps", "12")
        self.launch(run_dir)
        records = read_metrics(run_dir)
        start = events(records, "start")[0]
        self.assertEqual((start["world_size"], start["steps_per_epoch"]), (2, 10240 // (128 * 2)))
        self.assertEqual(events(records, "resume")[0]["step"], 12)
        self.assertEqual(end_event(run_dir)["step"], 40)
        self.assertEqual(len(events(records, "start")), 1, "only rank 0 writes metrics")


if __name__ == "__main__":
    unittest.main()


class PreemptionAndSlurmTest(unittest.TestCase):
    """The warning a scheduler sends before preempting a job, and ranks taken from a Slurm step."""

    def setUp(self):
        import_templates()
        self.tmp = TempDir("preempt-")

    def tearDown(self):
        self.tmp.cleanup()

    def test_the_warning_signal_checkpoints_exits_75_and_resume_continues_steps_and_metrics(self):
        run_dir = os.path.join(self.tmp.path, "preempted")
        options = ["--subset", "10240", "--test-subset", "2000", "--epochs", "2", "--log-every", "5"]
        process = start_train(run_dir, *options)
        try:
            wait_for(
                lambda: any(r.get("split") == "train" for r in read_metrics(run_dir)), timeout=180, what="training"
            )
            process.send_signal(signal.SIGUSR1)  # Slurm: --signal=USR1@90
            self.assertEqual(process.wait(timeout=120), 75)
        finally:
            kill_hard(process)
        records = read_metrics(run_dir)
        saved = [e for e in events(records, "checkpoint") if e["reason"] == "preempted"]
        self.assertEqual(len(saved), 1)
        self.assertEqual(events(records, "end"), [])
        result = run_train(run_dir, *options)  # a requeued job: same command, same run directory
        self.assertEqual(result.returncode, 0, result.stderr)
        records = read_metrics(run_dir)
        (resume,) = events(records, "resume")
        self.assertEqual(resume["step"], saved[0]["step"])
        self.assertEqual(len(events(records, "start")), 1, "the metrics file continues, not restarts")
        self.assertEqual(end_event(run_dir)["step"], 2 * (10240 // 128))

    def test_ranks_from_a_slurm_step(self):
        import cnn_runtime

        step = {
            "SLURM_STEP_NUM_TASKS": "4", "SLURM_STEP_NUM_NODES": "2", "SLURM_PROCID": "3", "SLURM_LOCALID": "1",
            "SLURM_NODEID": "1", "SLURM_STEP_NODELIST": "node[1-2]", "SLURM_JOB_ID": "1234",
        }  # fmt: skip
        saved = dict(os.environ)
        try:
            for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
                os.environ.pop(name, None)
            os.environ.update(step)
            dist = cnn_runtime.distributed_from_env()
            self.assertEqual((dist.rank, dist.world_size, dist.local_rank), (3, 4, 1))
            got = {k: os.environ[k] for k in ("LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "USE_LIBUV")}
            self.assertEqual(
                got, {"LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "node1", "MASTER_PORT": "29734", "USE_LIBUV": "0"}
            )
            # One task (the environment's own batch job, seen from an SSH session): not a rank.
            for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
                os.environ.pop(name)
            os.environ["SLURM_STEP_NUM_TASKS"] = "1"
            self.assertEqual(cnn_runtime.distributed_from_env().world_size, 1)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        cases = {"node[3-4,7],gpu1": "node3", "n[01-02]": "n01", "gpu-a,gpu-b": "gpu-a", "single": "single"}
        for nodelist, first in cases.items():
            self.assertEqual(cnn_runtime.first_host(nodelist), first)
