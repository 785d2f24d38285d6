#!/usr/bin/env python3
"""Train a CNN image classifier fast, with crash-safe checkpoints and live metrics.

Examples:
  python train_cnn.py --dataset fashion-mnist --epochs 2
  python train_cnn.py --epochs 1 --target-accuracy 0.88      # stop at 88 % test accuracy
  python train_cnn.py --model resnet --dataset cifar10 --data-dir ~/data/cifar10 --epochs 10
  python train_cnn.py --dataset imagefolder --data-dir ~/photos --image-size 96

A run directory (--run-dir) holds metrics.jsonl (see gpu_env_metrics.py) and
checkpoints/. Starting again with the same --run-dir continues from the newest
checkpoint that loads, at the same step and position in the data.

Built for the shortest time to an accuracy: the whole dataset on the device as one
tensor (no DataLoader), channels_last, bf16 autocast where the hardware is fast at
it (GPUs, CPUs with AMX), a batch size, learning rate and optimiser chosen per
machine kind (cnn_recipe.py), warmup then a linear decay to zero within the planned
epochs, label smoothing, evaluation in large batches, and torch.compile where it
pays. Each can be overridden (--batch-size, --lr, --optimizer, --amp, --compile,
--no-device-data, --no-channels-last).

Exit codes: 0 done, 1 unexpected error, 2 bad options or missing/invalid data.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from typing import Callable, Iterator, Sequence

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the modules beside this file

from cnn_recipe import (
    OPTIMIZERS,
    RECIPES,
    build_optimizer,
    compile_pays,
    machine_kind,
    read_cpu_info,
    scaled_lr,
    warmup_then_linear_decay,
)

import checkpointing as ckpt
from cnn_batches import Batch, DeviceBatches, LoaderBatches, Preprocess, eval_batches
from cnn_data import DATASETS, ArrayData, DataError, load_dataset, subset
from cnn_models import MODELS, build_model
from cnn_runtime import (
    AMP_MODES,
    Distributed,
    SetupError,
    choose_device,
    choose_precision,
    default_workers,
    distributed_from_env,
    fits_on_device,
    init_distributed,
    process_started_at,
    shutdown_distributed,
)
from cnn_trainer import ResumeError, Stopped, TrainConfig, Trainer, parameter_count
from gpu_env_metrics import RUN_DIR_ENV, MetricsWriter, NullMetricsWriter

EXIT_USAGE = 2


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 (inclusive) to 1 (exclusive), got {text}")
    return value


def accuracy_target(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an accuracy from 0 to 1 such as 0.88, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected an accuracy above 0 and at most 1 (0.88 for 88 %), got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1],
    )
    g = p.add_argument_group("model and data")
    g.add_argument(
        "--model",
        choices=MODELS,
        default="simplecnn",
        help="simplecnn: conv-ReLU-pool-linear (the classic tutorial net); resnet: a small "
        "ResNet-9-style net, more accurate (default: %(default)s)",
    )
    g.add_argument("--width", type=positive_int, default=32, help="resnet: channels of the first stage (default: 32)")
    g.add_argument("--dataset", choices=DATASETS, default="fashion-mnist", help="default: %(default)s")
    g.add_argument(
        "--data-dir",
        help="folder with the dataset files (default for fashion-mnist: "
        "/usr/share/datasets/fashion-mnist; needed for imagefolder)",
    )
    g.add_argument(
        "--download",
        action="store_true",
        help="download mnist/fashion-mnist/cifar10 with torchvision if the files are missing",
    )
    g.add_argument("--image-size", type=positive_int, default=64, help="imagefolder: resize to this square size")
    g.add_argument("--channels", type=int, choices=(1, 3), default=3, help="imagefolder: 1 (grey) or 3 (RGB)")
    g.add_argument("--subset", type=positive_int, help="train on the first N training images only (quick tries)")
    g.add_argument("--test-subset", type=positive_int, help="evaluate on the first N test images only")
    g.add_argument(
        "--val-fraction",
        type=fraction,
        default=0.0,
        help="hold out this fraction of the training set as 'val' for the per-epoch evaluation "
        "(default 0: the per-epoch evaluation uses the test set)",
    )
    g.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="random flips and shifts (default: on for cifar10 and imagefolder, off for digits)",
    )

    g = p.add_argument_group("optimisation")
    g.add_argument("--epochs", type=positive_int, default=5, help="default: %(default)s")
    g.add_argument(
        "--batch-size",
        type=positive_int,
        help="per process; the last partial batch of each epoch is dropped (default: per machine kind, "
        "see cnn_recipe.py: 512 on CUDA, 128 on CPU)",
    )
    g.add_argument(
        "--lr",
        type=positive_float,
        help="peak learning rate: warmup to it, then linear decay to zero at the last planned step "
        "(default: the machine kind's, scaled by sqrt(global batch / its batch))",
    )
    g.add_argument("--optimizer", choices=OPTIMIZERS, help="default: adamw (sgd: SGD with Nesterov momentum 0.9)")
    g.add_argument("--weight-decay", type=float, default=5e-4, help="default: %(default)s")
    g.add_argument("--label-smoothing", type=fraction, help="cross-entropy label smoothing (default: 0.1)")
    g.add_argument(
        "--warmup", type=fraction, help="fraction of the planned steps spent warming the LR up (default: 0.1)"
    )
    g.add_argument("--seed", type=non_negative_int, default=0, help="default: %(default)s")
    g.add_argument(
        "--max-steps",
        type=positive_int,
        help="stop after this many optimizer steps in the whole run (the LR schedule is still planned for --epochs)",
    )
    g.add_argument(
        "--target-accuracy",
        type=accuracy_target,
        help="stop at the first evaluation whose accuracy reaches this (0 < X <= 1, e.g. 0.88); the end line "
        "records the time to it. The LR schedule is still planned for --epochs: set --epochs to your budget",
    )
    g.add_argument(
        "--evals-per-epoch",
        type=positive_int,
        help="evaluations per epoch (default: 1, or 4 with --target-accuracy so the run stops sooner)",
    )

    g = p.add_argument_group("run directory, checkpoints, metrics")
    g.add_argument(
        "--run-dir", help=f"where metrics.jsonl and checkpoints/ go (default: ${RUN_DIR_ENV}, else runs/<date-time>)"
    )
    g.add_argument(
        "--checkpoint-every",
        type=non_negative_int,
        default=200,
        help="also checkpoint every N steps (0: only at the end of each epoch; default: %(default)s)",
    )
    g.add_argument("--keep", type=positive_int, default=3, help="keep the newest K checkpoints (default: %(default)s)")
    resume = g.add_mutually_exclusive_group()
    resume.add_argument(
        "--resume",
        action="store_true",
        help="continue from the newest checkpoint that loads (also done automatically "
        "when the run directory has checkpoints)",
    )
    resume.add_argument("--no-resume", action="store_true", help="ignore existing checkpoints and start over")
    g.add_argument(
        "--log-every", type=positive_int, default=50, help="train metrics every N steps (default: %(default)s)"
    )

    g = p.add_argument_group("speed switches")
    g.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    g.add_argument(
        "--amp",
        choices=AMP_MODES,
        default="auto",
        help="autocast: auto = bf16 on GPUs that have it, else fp16 with loss scaling; "
        "on CPU bf16 only where AMX makes it fast, else off",
    )
    g.add_argument("--no-amp", action="store_true", help="same as --amp off")
    g.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        help="torch.compile the model (default: on CUDA for runs of 5000+ steps; it costs more than it saves otherwise)",
    )
    g.add_argument("--no-channels-last", action="store_true", help="keep NCHW memory format")
    g.add_argument(
        "--no-device-data", action="store_true", help="use a DataLoader instead of holding the dataset on the device"
    )
    g.add_argument("--workers", type=non_negative_int, help="DataLoader workers (default: CPUs - 1, at most 8)")
    g.add_argument("--eval-batch-size", type=positive_int, help="default: 2048 on CUDA, 256 on a CPU (cache-sized)")
    return p


def default_run_dir() -> str:
    return os.environ.get(RUN_DIR_ENV) or os.path.join("runs", time.strftime("%Y%m%d-%H%M%S"))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def split_validation(train: ArrayData, fraction_: float, seed: int) -> tuple[ArrayData, ArrayData | None]:
    if fraction_ <= 0:
        return train, None
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed + 17))
    cut = max(1, int(len(train) * fraction_))
    kept, held_out = order[cut:], order[:cut]
    return ArrayData(train.images[kept], train.labels[kept]), ArrayData(train.images[held_out], train.labels[held_out])


def shard(data: object, dist: Distributed) -> object:
    """This rank's share of an evaluation split (every example lands on exactly one rank)."""
    if not dist.enabled:
        return data
    if isinstance(data, ArrayData):
        return ArrayData(data.images[dist.rank :: dist.world_size], data.labels[dist.rank :: dist.world_size])
    return torch.utils.data.Subset(data, range(dist.rank, len(data), dist.world_size))  # type: ignore[arg-type]


def array_bytes(*parts: ArrayData | None) -> int:
    return sum(p.images.numel() * p.images.element_size() + p.labels.numel() * 8 for p in parts if p is not None)


def discard_checkpoints(folder: str) -> None:
    """--no-resume: older checkpoints with higher step numbers would otherwise win the next resume."""
    paths = [p for _, p in ckpt.list_checkpoints(folder)] + [os.path.join(folder, ckpt.BEST_NAME)]
    for path in paths:
        if os.path.exists(path):
            os.unlink(path)
            print(f"--no-resume: removed {path}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return train(args)
    except (DataError, SetupError, ResumeError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE


def train(args: argparse.Namespace) -> int:
    dist = distributed_from_env()
    device = choose_device(args.device, dist)
    init_distributed(dist, device)
    try:
        return train_on(args, dist, device)
    except Stopped as stop:
        stopped = stop
    finally:
        # Every way out (done, stopped, preempted, an error) leaves the process group cleanly.
        shutdown_distributed(dist)
    stopped.exit()
    return EXIT_USAGE  # not reached: exit() ends the process


def train_on(args: argparse.Namespace, dist: Distributed, device: torch.device) -> int:
    seed_everything(args.seed)  # the same initial weights on every rank (DDP broadcasts them anyway)
    data = load_dataset(
        args.dataset,
        args.data_dir,
        image_size=args.image_size,
        channels=args.channels,
        seed=args.seed,
        allow_download=args.download,
    )
    train_data, val_data = data.train, None
    if isinstance(train_data, ArrayData):
        train_data, val_data = split_validation(subset(train_data, args.subset), args.val_fraction, args.seed)
    elif args.subset:
        train_data = torch.utils.data.Subset(train_data, range(min(args.subset, len(train_data))))
    test_data = data.test
    if args.test_subset:
        test_data = (
            subset(test_data, args.test_subset)
            if isinstance(test_data, ArrayData)
            else torch.utils.data.Subset(test_data, range(min(args.test_subset, len(test_data))))
        )
    augment_on = data.augment_default if args.augment is None else args.augment

    cpu = read_cpu_info()
    kind = machine_kind(device, cpu)
    recipe = RECIPES[kind]
    if args.batch_size is None:
        args.batch_size = recipe.batch_size
    if args.eval_batch_size is None:
        args.eval_batch_size = recipe.eval_batch_size
    precision = choose_precision("off" if args.no_amp else args.amp, device, cpu.amx)
    channels_last = not args.no_channels_last
    workers = default_workers() if args.workers is None else args.workers
    arrays = isinstance(train_data, ArrayData)
    on_device = (
        arrays
        and not args.no_device_data
        and fits_on_device(
            array_bytes(train_data, val_data, test_data if isinstance(test_data, ArrayData) else None), device
        )
    )
    if on_device:
        batches = DeviceBatches(train_data, device, args.batch_size, args.seed, dist.rank, dist.world_size)
    else:
        batches = LoaderBatches(train_data, device, args.batch_size, args.seed, workers, dist.rank, dist.world_size)

    eval_data = val_data if val_data is not None else test_data
    eval_split = "val" if val_data is not None else "test"

    def source_for(split: object) -> Callable[[], Iterator[Batch]]:
        local = shard(split, dist)
        resident = None
        if on_device and isinstance(local, ArrayData):
            resident = ArrayData(local.images.to(device), local.labels.to(device))
        return lambda: eval_batches(local, device, args.eval_batch_size, workers, resident)

    module = build_model(args.model, data.channels, data.image_size, data.num_classes, width=args.width).to(device)
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    model: torch.nn.Module = module
    if dist.enabled:
        from torch.nn.parallel import DistributedDataParallel

        model = DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None)
    eager = model
    use_compile = compile_pays(recipe, args.epochs * batches.steps) if args.compile is None else args.compile
    if use_compile:
        model = torch.compile(model)

    lr = args.lr or scaled_lr(recipe, args.batch_size, dist.world_size)
    optimizer_name = args.optimizer or recipe.optimizer
    label_smoothing = recipe.label_smoothing if args.label_smoothing is None else args.label_smoothing
    warmup = recipe.warmup if args.warmup is None else args.warmup
    optimizer = build_optimizer(optimizer_name, module.parameters(), lr, args.weight_decay, device)
    total_steps = args.epochs * batches.steps
    warmup_steps = max(1, round(warmup * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_then_linear_decay(step, total_steps, warmup_steps)
    )
    scaler = torch.amp.GradScaler(device.type) if precision.needs_scaler else None

    run_dir = os.path.abspath(args.run_dir or default_run_dir())  # paths in metrics stay valid from anywhere
    os.makedirs(os.path.join(run_dir, "checkpoints"), exist_ok=True)
    if dist.is_main:
        ckpt.remove_stale_temp_files(os.path.join(run_dir, "checkpoints"))
    metrics = MetricsWriter(os.path.join(run_dir, "metrics.jsonl")) if dist.is_main else NullMetricsWriter()
    config_values = {
        "model": args.model,
        "width": args.width if args.model == "resnet" else None,
        "dataset": args.dataset,
        "subset": args.subset,
        "batch_size": args.batch_size,
        "world_size": dist.world_size,
        "epochs": args.epochs,
        "lr": lr,
        "weight_decay": args.weight_decay,
        "warmup": warmup,
        "seed": args.seed,
        "augment": augment_on,
        "optimizer": optimizer_name,
        "label_smoothing": label_smoothing,
    }
    evals_per_epoch = args.evals_per_epoch or (4 if args.target_accuracy else 1)
    config = TrainConfig(
        values=config_values,
        epochs=args.epochs,
        steps_per_epoch=batches.steps,
        seed=args.seed,
        augment=augment_on,
        run_dir=run_dir,
        checkpoint_every=args.checkpoint_every,
        keep=args.keep,
        max_steps=args.max_steps,
        log_every=args.log_every,
        eval_split=eval_split,
        label_smoothing=label_smoothing,
        eval_every=batches.steps // evals_per_epoch if evals_per_epoch > 1 else 0,
        target_accuracy=args.target_accuracy,
        process_started=process_started_at(),
    )
    trainer = Trainer(
        config=config,
        module=module,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        scaler=scaler,
        precision=precision,
        preprocess=Preprocess(data.mean, data.std, device, channels_last),
        device=device,
        train_batches=batches,
        eval_source=source_for(eval_data),
        test_source=source_for(test_data),
        metrics=metrics,
        dist=dist,
        eager_fallback=eager if use_compile else None,
        log=(print if dist.is_main else (lambda _msg: None)),
    )
    setup = {
        "device": str(device),
        "machine": kind,
        "cpu": cpu.describe(),
        "amp": precision.label,
        "compile": use_compile,
        "channels_last": channels_last,
        "device_data": on_device,
        "workers": 0 if on_device else workers,
        "steps_per_epoch": batches.steps,
        "train_size": len(train_data),
        "test_size": len(test_data),  # type: ignore[arg-type]
        "parameters": parameter_count(module),
        "run_dir": run_dir,
        "torch": torch.__version__,
    }
    if dist.is_main:
        print(f"{args.model} on {args.dataset}: {setup}", flush=True)
    if args.no_resume and dist.is_main:
        discard_checkpoints(os.path.join(run_dir, "checkpoints"))
    try:
        resumed = False if args.no_resume else trainer.try_resume(explicit=args.resume, extra=setup)
        if not resumed:
            metrics.event("start", step=0, epoch=0, **config_values, **setup)
        trainer.run()
    finally:
        metrics.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
