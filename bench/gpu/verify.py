#!/usr/bin/env python3
"""Every GPU path of gpu-env on a machine with NVIDIA GPUs and PyTorch (no Docker); see verify.sh.

Steps, each bounded in time, each a row of the table written into docs/gpu-verification.md:
  1. the template on CUDA, one epoch of Fashion-MNIST: AMP and torch.compile on, then each off;
  2. time to 88 % on Fashion-MNIST and to 99 % on MNIST: template vs the classic tutorial loop;
  3. DDP over NCCL with every local GPU, started by the runner (media/runner/gpu_env_run.py);
  4. the agent against the real NVML, then with NVML hidden (its nvidia-smi fallback), CPU per sample;
  5. the host's parser on both outputs (bench/gpu/parse-agent-output.mjs).
--dry-run runs what a CPU-only machine can (CPU device, small subsets, no GPU assertions) to check
the script itself; it writes its table to a scratch copy, never to the docs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(REPO, "templates", "train_cnn.py")
CLASSIC = os.path.join(REPO, "bench", "training", "classic_loop.py")
RUNNER = os.path.join(REPO, "media", "runner", "gpu_env_run.py")
AGENT = os.path.join(REPO, "media", "agent", "gpu_env_agent.py")
PARSER = os.path.join(HERE, "parse-agent-output.mjs")
DOC = os.path.join(REPO, "docs", "gpu-verification.md")
BEGIN, END = "<!-- verify.sh:begin -->", "<!-- verify.sh:end -->"
BUDGET_S = 8 * 60  # the whole script, on one GPU machine


class Verify:
    def __init__(self, args: argparse.Namespace, scratch: str) -> None:
        self.args, self.scratch = args, scratch
        self.rows: list[tuple[str, str, str]] = []  # (path, verdict, figures)
        self.started = time.monotonic()
        self.device = "cpu" if args.dry_run else "cuda"
        # A dry run trains on small subsets so it ends in a few minutes on two cores.
        self.small = ["--subset", "4096", "--test-subset", "2000"] if args.dry_run else []

    def left(self) -> float:
        return BUDGET_S - (time.monotonic() - self.started)

    def row(self, path: str, ok: bool | None, figures: str) -> None:
        verdict = "yes" if ok else ("skipped" if ok is None else "FAILED")
        self.rows.append((path, verdict, figures))
        print(f"[{verdict}] {path}: {figures}", flush=True)

    def run(self, argv: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=max(10.0, min(timeout, self.left())), env=env
        )

    # --- 1. templates on CUDA ----------------------------------------------------------------

    def template(self, run_dir: str, *extra: str, dataset: str = "fashion-mnist", timeout: float = 150) -> dict:
        data_dir = self.args.fashion_mnist if dataset == "fashion-mnist" else self.args.mnist
        argv = [sys.executable, TEMPLATE, "--dataset", dataset, "--data-dir", data_dir, "--device", self.device]
        argv += ["--run-dir", run_dir, "--checkpoint-every", "0", *self.small, *extra]
        started = time.time()
        result = self.run(argv, timeout)
        if result.returncode != 0:
            raise RuntimeError(f"train_cnn.py {' '.join(extra)} exited {result.returncode}: {result.stderr[-600:]}")
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            records = [json.loads(line) for line in f]
        start = next(r for r in records if r.get("event") in ("start", "resume"))
        end = next(r for r in records if r.get("event") == "end")
        first_train = next((r for r in records if r.get("split") == "train"), None)
        return {
            "start": start,
            "end": end,
            "evals": [r for r in records if r.get("split") == "test"],
            "launched": started,
            # Compile warm-up shows as the time from the start line to the first train line.
            "first_step_s": None if first_train is None else first_train["time"] - start["time"],
            "compile_fell_back": "torch.compile failed" in result.stdout,
        }

    def step_templates(self) -> None:
        variants = [
            ("simplecnn, AMP auto, compile on", ["--model", "simplecnn", "--compile"]),
            ("simplecnn, AMP off, compile off", ["--model", "simplecnn", "--amp", "off", "--no-compile"]),
            ("simplecnn, AMP auto, compile off", ["--model", "simplecnn", "--no-compile"]),
            ("resnet, AMP auto, compile on", ["--model", "resnet", "--compile"]),
        ]
        for label, extra in variants:
            try:
                r = self.template(os.path.join(self.scratch, f"t-{len(self.rows)}"), "--epochs", "1", *extra)
                s, e = r["start"], r["end"]
                self.row(
                    f"Template on {self.device}: {label}",
                    True,
                    f"amp {s['amp']}, compile {'fell back to eager' if r['compile_fell_back'] else s['compile']}: "
                    f"{e['train_images_per_s']:,.0f} images/s, "
                    f"test accuracy {e['test_accuracy']:.4f}, first log line {r['first_step_s'] or 0:.1f} s after start",
                )
            except (RuntimeError, subprocess.TimeoutExpired, OSError, StopIteration) as error:
                self.row(f"Template on {self.device}: {label}", False, str(error)[:300])

    # --- 2. time to target ------------------------------------------------------------------

    def classic(self, dataset: str, target: float, timeout: float) -> dict:
        data_dir = self.args.fashion_mnist if dataset == "fashion-mnist" else self.args.mnist
        started = time.time()
        epochs = "1" if self.args.dry_run else "5"
        argv = [sys.executable, CLASSIC, "--dataset", dataset, "--data-dir", data_dir, "--epochs", epochs]
        result = self.run([*argv, "--target-accuracy", str(target)], timeout)
        if result.returncode != 0:
            raise RuntimeError(f"classic_loop.py exited {result.returncode}: {result.stderr[-600:]}")
        lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
        reached = next((e for e in lines[:-1] if e["test_accuracy"] >= target), None)
        return {
            "time": None if reached is None else reached["time"] - started,
            "accuracy": (reached or lines[-2])["test_accuracy"],
        }

    def step_time_to_target(self) -> None:
        goals = [("fashion-mnist", 0.88, "simplecnn", "1"), ("mnist", 0.99, "resnet", "2")]
        for dataset, target, model, epochs in goals:
            data_dir = self.args.fashion_mnist if dataset == "fashion-mnist" else self.args.mnist
            path = f"Time to {target:.0%} on {dataset} ({self.device})"
            if not data_dir or not os.path.isdir(data_dir):
                self.row(path, None, f"no {dataset} files (pass --{dataset}); not measured")
                continue
            try:
                figures = []
                for compile_flag in ("--no-compile", "--compile"):
                    r = self.template(
                        os.path.join(self.scratch, f"ttt-{dataset}{compile_flag}"),
                        "--model", model, "--epochs", epochs, "--target-accuracy", str(target), compile_flag,
                        dataset=dataset,
                    )  # fmt: skip
                    reached = next((e for e in r["evals"] if e["accuracy"] >= target), None)
                    figures.append(
                        f"template {model} {compile_flag[2:]}: "
                        + (f"{reached['time'] - r['launched']:.1f} s" if reached else "not reached")
                        + f" ({(reached or r['evals'][-1])['accuracy']:.4f})"
                    )
                c = self.classic(dataset, target, timeout=240)
                figures.append(
                    "classic loop: " + (f"{c['time']:.1f} s" if c["time"] is not None else "not reached")
                    + f" ({c['accuracy']:.4f})"
                )  # fmt: skip
                self.row(path, True, "; ".join(figures))
            except (RuntimeError, subprocess.TimeoutExpired, OSError, StopIteration) as error:
                self.row(path, False, str(error)[:300])

    # --- 3. DDP through the runner ----------------------------------------------------------

    def step_ddp(self, gpus: int) -> None:
        ranks = gpus if gpus > 1 else (2 if self.args.dry_run else 0)
        path = f"DDP over {'NCCL' if not self.args.dry_run else 'gloo (dry run)'}, {ranks} ranks, started by the runner"
        if ranks < 2:
            self.row(path, None, f"{gpus} GPU: needs at least 2")
            return
        run_dir = os.path.join(self.scratch, "ddp")
        command = [sys.executable, TEMPLATE, "--data-dir", self.args.fashion_mnist, "--device", self.device]
        command += ["--run-dir", run_dir, "--epochs", "1", "--checkpoint-every", "0", *self.small]
        start = self.run([sys.executable, RUNNER, "start", run_dir, "--nproc-per-node", str(ranks), "--", *command], 60)
        if start.returncode != 0:
            self.row(path, False, f"runner start exited {start.returncode}: {start.stderr[-300:]}")
            return
        deadline = time.monotonic() + min(240, self.left())
        state = "running"
        while time.monotonic() < deadline:
            with open(os.path.join(run_dir, "status.json")) as f:
                state = json.load(f).get("state")
            if state not in ("starting", "running"):
                break
            time.sleep(1)
        if state != "succeeded":
            self.run([sys.executable, RUNNER, "stop", run_dir, "--grace", "5"], 30)
            with open(os.path.join(run_dir, "stdout.log"), errors="replace") as f:
                self.row(path, False, f"state {state}: {f.read()[-400:]}")
            return
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            records = [json.loads(line) for line in f]
        end = next(r for r in records if r.get("event") == "end")
        start_line = next(r for r in records if r.get("event") == "start")
        self.row(
            path,
            start_line["world_size"] == ranks,
            f"world size {start_line['world_size']}: {end['train_images_per_s']:,.0f} images/s (global), "
            f"test accuracy {end['test_accuracy']:.4f}",
        )

    # --- 4 and 5. the agent and the host parser ---------------------------------------------

    def agent(self, label: str, env: dict[str, str], expect_source: str) -> None:
        out = os.path.join(self.scratch, f"agent-{expect_source}.jsonl")
        sample = self.run([sys.executable, AGENT, "--count", "20", "--interval-ms", "250"], 60, env)
        with open(out, "w") as f:
            f.write(sample.stdout)
        bench = self.run([sys.executable, AGENT, "--bench", "200", "--interval-ms", "10"], 60, env)
        hello = json.loads(sample.stdout.splitlines()[0]) if sample.stdout.strip() else {}
        cost = json.loads(bench.stdout) if bench.returncode == 0 and bench.stdout.strip() else {}
        source = hello.get("source")
        self.row(
            f"Agent: {label}",
            None if self.args.dry_run else source == expect_source,
            f"source {source}, {cost.get('cpuMsPerSample', '?')} CPU ms per sample; output kept in {out}",
        )
        try:
            parsed = self.run(["node", PARSER, out], 60)
            ok, summary = parsed.returncode == 0, parsed.stdout.strip() or parsed.stderr.strip()[-300:]
        except (OSError, subprocess.TimeoutExpired) as error:  # no node here (verify.sh checks for it)
            ok, summary = False, f"could not run the parser: {error}"
        self.row(f"Host parser on the agent's {expect_source} output", None if self.args.dry_run else ok, summary[:400])
        if not self.args.dry_run and source == expect_source:
            shutil.copy(out, os.path.join(REPO, "test", "fixtures", "gpu", f"verify-{expect_source}.jsonl"))

    def step_agent(self) -> None:
        self.agent("real NVML", dict(os.environ), "nvml")
        # A library path that cannot load hides NVML: the agent falls back to one long-lived nvidia-smi.
        self.agent(
            "nvidia-smi fallback (NVML hidden)",
            dict(os.environ, GPU_ENV_NVML_LIBRARY="/nonexistent/libnvidia-ml.so.1"),
            "nvidia-smi",
        )

    # --- the table ---------------------------------------------------------------------------

    def facts(self) -> tuple[str, int]:
        probe = (
            "import json, torch; print(json.dumps({'torch': torch.__version__, 'cuda': torch.version.cuda, "
            "'gpus': torch.cuda.device_count(), 'names': [torch.cuda.get_device_name(i) "
            "for i in range(torch.cuda.device_count())]}))"
        )
        torch_facts = json.loads(self.run([sys.executable, "-c", probe], 120).stdout)
        driver = "no nvidia-smi"
        if shutil.which("nvidia-smi"):
            query = self.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"], 30)
            driver = "; ".join(sorted(set(query.stdout.strip().splitlines()))) or query.stderr.strip()[:200]
        machine = (
            f"{driver}; torch {torch_facts['torch']} (CUDA {torch_facts['cuda']}), {torch_facts['gpus']} GPU(s) "
            f"{', '.join(torch_facts['names'])}"
        )
        return machine, int(torch_facts["gpus"])

    def table(self, machine: str) -> str:
        when = time.strftime("%Y-%m-%d")
        lines = [
            BEGIN,
            f"Last run: {when}, {'DRY RUN on a CPU (not a GPU verification)' if self.args.dry_run else 'on a GPU'}: "
            f"{machine}; {time.monotonic() - self.started:.0f} s in all.",
            "",
            "| path | verified | figures |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {path} | {verdict} | {figures.replace('|', '/')} |" for path, verdict, figures in self.rows]
        lines.append(END)
        return "\n".join(lines)


def rewrite_doc(path: str, table: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + table + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist", help="folder of its IDX files")
    p.add_argument("--mnist", default="", help="folder of MNIST's IDX files (99 %% row; skipped without)")
    p.add_argument("--dry-run", action="store_true", help="CPU only, small subsets, table to a scratch file")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder (run dirs, agent output)")
    args = p.parse_args()
    scratch = tempfile.mkdtemp(prefix="gpu-verify-")
    check = Verify(args, scratch)
    machine, gpus = check.facts()
    if gpus == 0 and not args.dry_run:
        print(f"no CUDA GPU visible to PyTorch ({machine}); nothing to verify (--dry-run checks the script)")
        return 1
    check.step_templates()
    check.step_time_to_target()
    check.step_ddp(gpus)
    check.step_agent()
    table = check.table(machine)
    target = os.path.join(scratch, "gpu-verification.md") if args.dry_run else DOC
    if args.dry_run:
        shutil.copy(DOC, target)
    rewrite_doc(target, table)
    print(f"\n{table}\n\nwrote {target}")
    if not args.keep and not args.dry_run:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if all(verdict != "FAILED" for _, verdict, _ in check.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
