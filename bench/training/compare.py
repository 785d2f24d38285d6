#!/usr/bin/env python3
"""Template vs the classic tutorial loop: time to a target test accuracy, then images/s.

  python3 bench/training/compare.py --reps 3 --json test-artifacts/bench-training.json
  python3 bench/training/compare.py --isa AVX512_CORE --isa AVX2   # also as CPUs without AMX / AVX-512

Time to target is what a user waits: from starting the process to the end of the evaluation that
first reached the target (Python and torch start-up, data loading, training and evaluations
included). Fashion-MNIST to 88 %, and MNIST to 99 % where its files exist. The template runs with
its defaults for this machine, `--epochs 1 --target-accuracy X` (the LR schedule planned for one
epoch: a budget it meets on every CPU measured); the classic loop trains up to 5 epochs, evaluating after each, until it reaches X.

The two alternate (and swap which goes first every repetition) so that a busier moment of a shared
machine hits both alike; the load average is recorded beside every run. --isa L runs both again with
ONEDNN_MAX_CPU_ISA=L, so one machine with AMX also stands in for CPUs without it (oneDNN, which runs
the convolutions of both, then uses nothing above L; the template sees the limit and picks fp32).
Images/s (training only, from each program's own timing) is a secondary row.
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
sys.path.insert(0, os.path.join(REPO, "templates"))

from cnn_recipe import read_cpu_info  # noqa: E402 - the template's own view of this CPU

DATASETS = {
    "fashion-mnist": {"dir": "/usr/share/datasets/fashion-mnist", "target": 0.88},
    "mnist": {"dir": "/usr/share/datasets/mnist", "target": 0.99},
}
CLASSIC_MAX_EPOCHS = 5
TEMPLATE_EPOCHS = 1


def load_average() -> float:
    return os.getloadavg()[0]


def run_template(dataset: str, data_dir: str, target: float, env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-template-") as run_dir:
        started = time.time()
        argv = [sys.executable, TEMPLATE, "--model", "simplecnn", "--dataset", dataset, "--data-dir", data_dir]
        argv += ["--epochs", str(TEMPLATE_EPOCHS), "--target-accuracy", str(target), "--run-dir", run_dir]
        argv += ["--checkpoint-every", "0", "--log-every", "1000"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            records = [json.loads(line) for line in f]
    end = next(r for r in records if r.get("event") == "end")
    start = next(r for r in records if r.get("event") == "start")
    evals = [r for r in records if r.get("split") == "test"]
    reached = next((r for r in evals if r["accuracy"] >= target), None)
    return {
        "time_to_target_s": None if reached is None else reached["time"] - started,
        "accuracy_reached": (reached or evals[-1])["accuracy"],
        "epochs_to_target": None if reached is None else reached["epoch"],
        "own_time_to_target_s": end.get("time_to_target_s"),
        "images_per_s": end["train_images_per_s"],
        "setup": {k: start.get(k) for k in ("machine", "amp", "batch_size", "lr", "optimizer", "label_smoothing")},
    }


def run_classic(dataset: str, data_dir: str, target: float, env: dict[str, str]) -> dict:
    started = time.time()
    argv = [sys.executable, CLASSIC, "--dataset", dataset, "--data-dir", data_dir]
    argv += ["--epochs", str(CLASSIC_MAX_EPOCHS), "--target-accuracy", str(target)]
    lines = subprocess.run(argv, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()
    epochs = [json.loads(line) for line in lines[:-1]]
    summary = json.loads(lines[-1])
    reached = next((e for e in epochs if e["test_accuracy"] >= target), None)
    return {
        "time_to_target_s": None if reached is None else reached["time"] - started,
        "accuracy_reached": (reached or epochs[-1])["test_accuracy"],
        "epochs_to_target": None if reached is None else reached["epoch"],
        "images_per_s": summary["images_per_s"],
    }


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def show(values: list[float | None], unit: str) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "never reached"
    s = spread(known)
    missed = f", missed {len(values) - len(known)}x" if len(known) < len(values) else ""
    return f"{s['median']:.1f} {unit} [{s['min']:.1f}-{s['max']:.1f}]{missed}"


def compare(dataset: str, isa: str | None, reps: int) -> dict:
    data_dir, target = DATASETS[dataset]["dir"], DATASETS[dataset]["target"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if isa:
        env["ONEDNN_MAX_CPU_ISA"] = isa
        if isa.startswith("AVX2"):
            env["ATEN_CPU_CAPABILITY"] = "avx2"  # PyTorch's own vectorised kernels too, not only oneDNN's
    os.environ.pop("ONEDNN_MAX_CPU_ISA", None)
    if isa:
        os.environ["ONEDNN_MAX_CPU_ISA"] = isa  # read_cpu_info honours it, as the template does
    cpu = read_cpu_info()
    os.environ.pop("ONEDNN_MAX_CPU_ISA", None)
    label = f"{dataset} to {target:.0%}, {cpu.describe()}" + (f", ONEDNN_MAX_CPU_ISA={isa}" if isa else "")
    print(f"\n{label}", flush=True)
    runs: dict[str, list[dict]] = {"template": [], "classic": []}
    for rep in range(reps):
        order = ("template", "classic") if rep % 2 == 0 else ("classic", "template")
        for which in order:
            load_before = load_average()
            run = (run_template if which == "template" else run_classic)(dataset, data_dir, target, env)
            run["load_average"] = [round(load_before, 2), round(load_average(), 2)]
            runs[which].append(run)
            ttt = run["time_to_target_s"]
            print(
                f"  rep {rep + 1}/{reps} {which:8s} time to {target:.0%}: "
                + (f"{ttt:6.1f} s" if ttt is not None else " never ")
                + f" (accuracy {run['accuracy_reached']:.4f}, epoch {run['epochs_to_target']}) "
                f"{run['images_per_s']:7.0f} images/s  load {run['load_average'][0]:.1f}-{run['load_average'][1]:.1f}",
                flush=True,
            )
    t_times = [r["time_to_target_s"] for r in runs["template"]]
    c_times = [r["time_to_target_s"] for r in runs["classic"]]
    t_known, c_known = [v for v in t_times if v is not None], [v for v in c_times if v is not None]
    ratio = statistics.median(t_known) / statistics.median(c_known) if t_known and c_known else None
    t_ips = spread([r["images_per_s"] for r in runs["template"]])
    c_ips = spread([r["images_per_s"] for r in runs["classic"]])
    print(f"  time to {target:.0%}: template {show(t_times, 's')}; classic {show(c_times, 's')}", end="")
    print(f"; ratio {ratio:.2f}x" if ratio is not None else "")
    print(
        f"  images/s: template {t_ips['median']:.0f} [{t_ips['min']:.0f}-{t_ips['max']:.0f}]; "
        f"classic {c_ips['median']:.0f} [{c_ips['min']:.0f}-{c_ips['max']:.0f}]; "
        f"ratio {t_ips['median'] / c_ips['median']:.2f}x",
        flush=True,
    )
    return {
        "dataset": dataset,
        "target": target,
        "cpu": cpu.describe(),
        "machine_kind": cpu.kind,
        "onednn_max_cpu_isa": isa,
        "template": runs["template"],
        "classic": runs["classic"],
        "time_to_target_ratio_of_medians": ratio,
        "images_per_s_ratio_of_medians": t_ips["median"] / c_ips["median"],
    }


RUNNER = os.path.join(REPO, "media", "runner", "gpu_env_run.py")


def run_ranks(ranks: int, data_dir: str) -> dict:
    """One epoch of the template started by the runner with `ranks` processes (gloo on the CPU)."""
    with tempfile.TemporaryDirectory(prefix="bench-ranks-") as run_dir:
        command = [sys.executable, TEMPLATE, "--data-dir", data_dir, "--device", "cpu", "--epochs", "1"]
        command += ["--run-dir", run_dir, "--checkpoint-every", "0", "--log-every", "1000"]
        subprocess.run(
            [sys.executable, RUNNER, "start", run_dir, "--nproc-per-node", str(ranks), "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        status_path = os.path.join(run_dir, "status.json")
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            with open(status_path) as f:
                state = json.load(f)["state"]
            if state not in ("starting", "running"):
                break
            time.sleep(0.5)
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            end = next(r for r in map(json.loads, f) if r.get("event") == "end")
    return {"state": state, "images_per_s": end["train_images_per_s"], "test_accuracy": end["test_accuracy"]}


def compare_ranks(reps: int) -> dict:
    """Global training images/s of 1 vs 2 processes on this machine, alternating."""
    data_dir = DATASETS["fashion-mnist"]["dir"]
    print(f"\nimages/s, 1 vs 2 processes (runner-started ranks, gloo), {read_cpu_info().describe()}", flush=True)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for rep in range(reps):
        for ranks in (1, 2) if rep % 2 == 0 else (2, 1):
            load_before = load_average()
            run = run_ranks(ranks, data_dir)
            run["load_average"] = [round(load_before, 2), round(load_average(), 2)]
            runs[ranks].append(run)
            print(
                f"  rep {rep + 1}/{reps} {ranks} process(es): {run['images_per_s']:7.0f} images/s "
                f"(accuracy {run['test_accuracy']:.4f}) load {run['load_average'][0]:.1f}-{run['load_average'][1]:.1f}",
                flush=True,
            )
    one = spread([r["images_per_s"] for r in runs[1]])
    two = spread([r["images_per_s"] for r in runs[2]])
    print(
        f"  1 process {one['median']:.0f}, 2 processes {two['median']:.0f} images/s: {two['median'] / one['median']:.2f}x"
    )
    return {"one": runs[1], "two": runs[2], "ratio_of_medians": two["median"] / one["median"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--isa", action="append", default=[], help="also run with ONEDNN_MAX_CPU_ISA=ISA (repeatable)")
    p.add_argument("--ranks", action="store_true", help="also images/s of 1 vs 2 processes (DDP, gloo)")
    p.add_argument("--only-ranks", action="store_true", help="only that")
    p.add_argument("--json", default=os.path.join(REPO, "test-artifacts", "bench-training.json"))
    args = p.parse_args()
    results = []
    for dataset, spec in [] if args.only_ranks else DATASETS.items():
        if not os.path.isdir(spec["dir"]):
            print(f"\n{dataset}: no data in {spec['dir']} (the stand-in image has no Debian package for it); skipped")
            continue
        for isa in [None, *args.isa]:
            results.append(compare(dataset, isa, args.reps))
    summary = {
        "what": "time to a test accuracy and training images/s, SimpleCNN, template vs classic tutorial loop",
        "reps": args.reps,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
        "ranks": compare_ranks(args.reps) if args.ranks or args.only_ranks else None,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
