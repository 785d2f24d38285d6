#!/usr/bin/env python3
"""Template vs the classic tutorial loop: training images/s on the same data, same container.

  python3 bench/training/compare.py --reps 3 --epochs 1 --json test-artifacts/bench-training.json

The two alternate (and swap which goes first every repetition) so that a slower or busier
moment of a shared machine hits both alike. Each figure is training throughput: images trained
divided by the time spent in the training loop, data loading included, start-up and evaluation
excluded. The template's comes from its metrics (train_images_per_s of the end event), the
classic loop's from its own timing. Prints median/min/max of each and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(REPO, "templates", "train_cnn.py")
CLASSIC = os.path.join(HERE, "classic_loop.py")


def run_template(data_dir: str, epochs: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-template-") as run_dir:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                TEMPLATE,
                "--model",
                "simplecnn",
                "--dataset",
                "fashion-mnist",
                "--data-dir",
                data_dir,
                "--epochs",
                str(epochs),
                "--run-dir",
                run_dir,
                "--checkpoint-every",
                "0",
                "--log-every",
                "1000",
                *extra,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            records = [json.loads(line) for line in f]
    end = [r for r in records if r.get("event") == "end"][-1]
    start = next(r for r in records if r.get("event") == "start")
    epochs_s = [r["epoch_time_s"] for r in records if r.get("split") == "test"]
    return {
        "images_per_s": end["train_images_per_s"],
        "test_accuracy": end["test_accuracy"],
        "epoch_times_s": epochs_s,
        "process_wall_s": wall,
        "setup": {k: start[k] for k in ("device", "amp", "channels_last", "device_data", "batch_size", "lr")},
    }


def run_classic(data_dir: str, epochs: int) -> dict:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, CLASSIC, "--data-dir", data_dir, "--epochs", str(epochs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - started
    return result


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--json", default=os.path.join(REPO, "test-artifacts", "bench-training.json"))
    p.add_argument(
        "--template-arg",
        action="append",
        default=[],
        help="extra template flag, e.g. --template-arg=--no-amp (repeatable)",
    )
    args = p.parse_args()
    template, classic = [], []
    for rep in range(args.reps):
        order = ("template", "classic") if rep % 2 == 0 else ("classic", "template")
        for which in order:
            if which == "template":
                template.append(run_template(args.data_dir, args.epochs, args.template_arg))
            else:
                classic.append(run_classic(args.data_dir, args.epochs))
            last = (template if which == "template" else classic)[-1]
            print(
                f"rep {rep + 1}/{args.reps} {which:8s} {last['images_per_s']:9.0f} images/s  "
                f"test accuracy {last['test_accuracy']:.4f}",
                flush=True,
            )
    t = spread([r["images_per_s"] for r in template])
    c = spread([r["images_per_s"] for r in classic])
    ratio = t["median"] / c["median"]
    summary = {
        "what": "training images/s, SimpleCNN on Fashion-MNIST (60k), template vs classic tutorial loop",
        "epochs": args.epochs,
        "reps": args.reps,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "template": {"images_per_s": t, "runs": template},
        "classic": {"images_per_s": c, "runs": classic},
        "ratio_of_medians": ratio,
    }
    print(
        f"template {t['median']:.0f} images/s (min {t['min']:.0f}, max {t['max']:.0f}); "
        f"classic {c['median']:.0f} images/s (min {c['min']:.0f}, max {c['max']:.0f}); "
        f"ratio {ratio:.2f}x"
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
