"""The training loop of train_cnn.py: steps, evaluation, checkpoints, resume, metrics.

Everything that decides where the run is (epoch, position in the epoch's
permutation, global step) lives in the checkpoint, so a killed run picks up at
the batch after its last checkpoint and sees the same batches it would have.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

import checkpointing as ckpt
from cnn_batches import Preprocess, augment
from cnn_runtime import Distributed, Precision, all_reduce_sum, barrier, broadcast_from_main

# Settings that define the trajectory of a run: resuming with different ones would
# silently train something else, so they must match the checkpoint.
TRAJECTORY_KEYS = (
    "model",
    "width",
    "dataset",
    "subset",
    "batch_size",
    "world_size",
    "epochs",
    "lr",
    "weight_decay",
    "warmup",
    "seed",
    "augment",
    "optimizer",
    "label_smoothing",
)


class ResumeError(Exception):
    pass


@dataclass
class TrainConfig:
    values: dict[str, Any]  # the TRAJECTORY_KEYS and anything else worth recording
    epochs: int
    steps_per_epoch: int
    seed: int
    augment: bool
    run_dir: str
    checkpoint_every: int
    keep: int
    max_steps: int | None
    log_every: int
    eval_split: str  # "val" or "test": what the per-epoch evaluation reports
    label_smoothing: float = 0.0
    eval_every: int = 0  # also evaluate every N steps within an epoch (0: at the end of each epoch only)
    target_accuracy: float | None = None  # stop at the first evaluation that reaches it
    process_started: float = field(default_factory=time.time)  # wall clock: time to target counts from here


@dataclass
class Position:
    epoch: int = 0  # the epoch in progress (0-based)
    batch: int = 0  # next batch index within that epoch's permutation
    step: int = 0  # optimizer steps done in the whole run


@dataclass
class Meter:
    """Running sums on the device, read (one sync) only when a line is logged."""

    loss: torch.Tensor | None = None
    correct: torch.Tensor | None = None
    images: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, loss: torch.Tensor, correct: torch.Tensor, images: int) -> None:
        weighted = loss.float() * images
        self.loss = weighted if self.loss is None else self.loss + weighted
        self.correct = correct if self.correct is None else self.correct + correct
        self.images += images

    def reset(self) -> None:
        self.loss, self.correct, self.images, self.started = None, None, 0, time.perf_counter()


def preemption_signal() -> int:
    """The warning a scheduler sends before it preempts or times out a job (Slurm: `--signal=USR1@90`).
    GPU_ENV_PREEMPT_SIGNAL may name another (USR2, or a number)."""
    name = os.environ.get("GPU_ENV_PREEMPT_SIGNAL", "USR1").upper()
    if name.isdigit():
        return int(name)
    return int(getattr(signal, name if name.startswith("SIG") else f"SIG{name}", signal.SIGUSR1))


class Stopped(Exception):  # noqa: N818 - control flow (a requested stop), not an error
    """Raised out of the loop once the checkpoint is written, so the process group is shut down on the
    way out; then the process ends as asked (see exit)."""

    def __init__(self, signum: int, preempted: bool) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum, self.preempted = signum, preempted

    def exit(self) -> None:
        """A preemption warning: exit EXIT_PREEMPTED so the job requeues. A stop: die of that signal
        (SIGTERM for a DDP rank told by another), so the runner records 'stopped'."""
        sys.stdout.flush()
        if self.preempted:
            sys.exit(EXIT_PREEMPTED)
        signal.signal(self.signum, signal.SIG_DFL)
        os.kill(os.getpid(), self.signum)


# Exit status after checkpointing on a preemption warning: EX_TEMPFAIL ("try again later"); the
# runner records the run as stopped (resumable) and a Slurm job script requeues on it.
EXIT_PREEMPTED = 75


class StopRequest:
    """SIGTERM/SIGINT and the preemption warning ask the loop to checkpoint after the current step;
    then the run ends by that signal (or, preempted, with EXIT_PREEMPTED)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.preempt_signum = preemption_signal()
        self._previous: dict[int, Any] = {}

    @property
    def preempted(self) -> bool:
        return self.signum == self.preempt_signum

    def install(self) -> None:
        for signum in {signal.SIGTERM, signal.SIGINT, self.preempt_signum}:
            self._previous[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.signum is not None:  # second signal: the user means it
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        self.signum = signum

    def stopped(self) -> Stopped:
        """What to raise (SIGTERM for a DDP rank told to stop by another)."""
        return Stopped(self.signum if self.signum is not None else signal.SIGTERM, self.preempted)


class Trainer:
    def __init__(
        self,
        *,
        config: TrainConfig,
        module: nn.Module,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        scheduler: Any,
        scaler: Any | None,
        precision: Precision,
        preprocess: Preprocess,
        device: torch.device,
        train_batches: Any,
        eval_source: Callable[[], Iterator[tuple[torch.Tensor, torch.Tensor]]],
        test_source: Callable[[], Iterator[tuple[torch.Tensor, torch.Tensor]]],
        metrics: Any,
        dist: Distributed,
        eager_fallback: nn.Module | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.cfg = config
        self.module = module  # the plain nn.Module: state dicts and evaluation
        self.model = model  # what training calls: maybe DDP-wrapped, maybe compiled
        self.eager_fallback = eager_fallback  # used if compilation fails on the first step
        self.optimizer, self.scheduler, self.scaler = optimizer, scheduler, scaler
        self.precision, self.preprocess, self.device = precision, preprocess, device
        self.train_batches, self.eval_source, self.test_source = train_batches, eval_source, test_source
        self.metrics, self.dist, self.log = metrics, dist, log
        self.pos = Position()
        self.best_accuracy = -1.0
        self.best_path: str | None = None
        self.checkpoint_dir = os.path.join(config.run_dir, "checkpoints")
        self.stop = StopRequest()
        self.last_saved_step = -1
        self.train_seconds = 0.0
        self.train_images = 0
        self.first_step_done = False
        self.stopping = False  # set once every process agreed to stop (see stop_agreed)
        self.target_reached: dict[str, Any] | None = None  # the evaluation that first reached the target
        self.last_eval: tuple[int, float, float] | None = None  # (step, loss, accuracy) of the newest evaluation

    # --- state ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "format": ckpt.FORMAT,
            "version": ckpt.VERSION,
            "kind": "train",
            "model": self.module.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "rng": ckpt.capture_rng(),
            "epoch": self.pos.epoch,
            "position": self.pos.batch,
            "global_step": self.pos.step,
            "best_accuracy": self.best_accuracy,
            "best_path": self.best_path,
            "config": dict(self.cfg.values),
            "saved_at": time.time(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        saved = state.get("config", {})
        diffs = [
            f"{k}: checkpoint {saved.get(k)!r}, now {self.cfg.values.get(k)!r}"
            for k in TRAJECTORY_KEYS
            if saved.get(k) != self.cfg.values.get(k)
        ]
        if diffs:
            raise ResumeError(
                "the checkpoint was made with other settings ("
                + "; ".join(diffs)
                + "). Resume with the same options, or start a new --run-dir."
            )
        self.module.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.scaler is not None and state.get("scaler") is not None:
            self.scaler.load_state_dict(state["scaler"])
        ckpt.restore_rng(state["rng"])
        self.pos = Position(epoch=int(state["epoch"]), batch=int(state["position"]), step=int(state["global_step"]))
        self.best_accuracy = float(state.get("best_accuracy", -1.0))
        self.best_path = state.get("best_path")
        self.last_saved_step = self.pos.step

    def try_resume(self, explicit: bool, extra: dict[str, Any] | None = None) -> bool:
        """Load the newest checkpoint that loads. False (fresh start) when there is none yet. Under DDP
        rank 0 chooses the file and every rank loads that one, so all resume from the same step."""
        choice: dict[str, Any] = {"path": None, "error": None}
        result = ckpt.LoadResult()
        if self.dist.is_main:
            found = ckpt.list_checkpoints(self.checkpoint_dir)
            if found:
                result = ckpt.load_latest(self.checkpoint_dir, map_location="cpu")
                for path, why in result.failures:
                    self.log(f"checkpoint {path} does not load ({why}); trying an older one")
                choice["path"] = result.path
                if result.state is None:
                    choice["error"] = (
                        f"none of the {len(found)} checkpoints in {self.checkpoint_dir} loads; "
                        f"pass --no-resume to start over (they will be replaced)"
                    )
            elif explicit:
                self.log(f"--resume: no checkpoint in {self.checkpoint_dir} yet; starting from the beginning")
        choice = broadcast_from_main(choice, self.dist)  # type: ignore[assignment]
        if choice["error"]:
            raise ResumeError(choice["error"])
        if choice["path"] is None:
            return False
        if result.state is None:  # another rank: the file rank 0 chose
            result = ckpt.LoadResult(state=ckpt.load_checkpoint(choice["path"]), path=choice["path"])
        self.load_state(result.state)
        self.log(
            f"resumed from {result.path}: epoch {self.pos.epoch + 1}, batch {self.pos.batch}, step {self.pos.step}"
        )
        self.metrics.event(
            "resume",
            step=self.pos.step,
            epoch=self.epoch_progress(),
            position=self.pos.batch,
            checkpoint=result.path,
            skipped=[p for p, _ in result.failures],
            **self.cfg.values,
            **(extra or {}),
        )
        return True

    # --- checkpoints ---------------------------------------------------------------------

    def save_checkpoint(self, reason: str) -> None:
        if self.pos.step == self.last_saved_step:
            return
        if self.dist.is_main:
            started = time.perf_counter()
            path = os.path.join(self.checkpoint_dir, ckpt.checkpoint_name(self.pos.step))
            ckpt.atomic_save(self.state_dict(), path)
            ckpt.prune(self.checkpoint_dir, self.cfg.keep)
            self.metrics.event(
                "checkpoint",
                step=self.pos.step,
                epoch=self.epoch_progress(),
                path=path,
                reason=reason,
                seconds=time.perf_counter() - started,
                bytes=os.path.getsize(path),
            )
        self.last_saved_step = self.pos.step
        barrier(self.dist)

    def save_best(self, accuracy: float) -> None:
        if accuracy <= self.best_accuracy:
            return
        self.best_accuracy = accuracy
        path = os.path.join(self.checkpoint_dir, ckpt.BEST_NAME)
        if self.dist.is_main:
            ckpt.atomic_save(
                {
                    "format": ckpt.FORMAT,
                    "version": ckpt.VERSION,
                    "kind": "best",
                    "model": self.module.state_dict(),
                    "accuracy": accuracy,
                    "global_step": self.pos.step,
                    "epoch": self.pos.epoch,
                    "config": dict(self.cfg.values),
                },
                path,
            )
        self.best_path = path

    # --- steps ---------------------------------------------------------------------------

    def autocast(self) -> torch.autocast:
        return torch.autocast(
            self.device.type, dtype=self.precision.dtype or torch.float32, enabled=self.precision.dtype is not None
        )

    def _step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with self.autocast():
            logits = self.model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=self.cfg.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        self.scheduler.step()
        return loss.detach(), (logits.detach().argmax(1) == y).sum()

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.first_step_done or self.eager_fallback is None:
            return self._step(x, y)
        try:
            result = self._step(x, y)
        except Exception as e:  # noqa: BLE001 - compiler toolchain missing or unsupported op: train eagerly
            self.log(
                f"torch.compile failed on the first step ({type(e).__name__}: {e}); "
                f"continuing without compilation (--no-compile silences this)"
            )
            self.model = self.eager_fallback
            result = self._step(x, y)
        self.first_step_done = True
        return result

    def epoch_progress(self) -> float:
        return self.pos.epoch + self.pos.batch / self.cfg.steps_per_epoch

    def current_lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def log_train(self, meter: Meter) -> None:
        if meter.images == 0 or meter.loss is None or meter.correct is None:
            return
        totals = all_reduce_sum(
            torch.stack(
                [meter.loss.float(), meter.correct.float(), torch.tensor(float(meter.images), device=self.device)]
            ),
            self.dist,
        )
        loss_sum, correct, images = (float(v) for v in totals.tolist())
        elapsed = time.perf_counter() - meter.started
        loss = loss_sum / images
        self.metrics.log(
            step=self.pos.step,
            epoch=self.epoch_progress(),
            split="train",
            loss=loss,
            accuracy=correct / images,
            lr=self.current_lr(),
            images_per_s=images / elapsed if elapsed > 0 else 0.0,
        )
        self.log(
            f"epoch {self.epoch_progress():.2f}/{self.cfg.epochs} step {self.pos.step} "
            f"loss {loss:.4f} acc {correct / images:.4f} {images / max(elapsed, 1e-9):.0f} img/s"
        )

    # --- evaluation ----------------------------------------------------------------------

    @torch.inference_mode()
    def evaluate(self, source: Callable[[], Iterator[tuple[torch.Tensor, torch.Tensor]]]) -> tuple[float, float]:
        self.module.eval()
        loss_sum = torch.zeros((), device=self.device, dtype=torch.float64)
        correct = torch.zeros((), device=self.device, dtype=torch.float64)
        count = torch.zeros((), device=self.device, dtype=torch.float64)
        for images, labels in source():
            with self.autocast():
                logits = self.module(self.preprocess(images))
            loss_sum += F.cross_entropy(logits.float(), labels, reduction="sum").double()
            correct += (logits.argmax(1) == labels).sum().double()
            count += labels.shape[0]
        self.module.train()
        totals = all_reduce_sum(torch.stack([loss_sum, correct, count]), self.dist).tolist()
        if totals[2] == 0:
            return math.nan, math.nan
        return totals[0] / totals[2], totals[1] / totals[2]

    def evaluate_and_record(self, **extra: Any) -> None:
        """The periodic evaluation: a metrics line, the best checkpoint, and the target check.
        Every rank gets the same all-reduced accuracy, so all of them stop at the same step."""
        loss, accuracy = self.evaluate(self.eval_source)
        self.last_eval = (self.pos.step, loss, accuracy)
        self.metrics.log(
            step=self.pos.step, epoch=self.epoch_progress(), split=self.cfg.eval_split, loss=loss, accuracy=accuracy,
            **extra,
        )  # fmt: skip
        self.log(
            f"epoch {self.epoch_progress():.2f}/{self.cfg.epochs} step {self.pos.step} {self.cfg.eval_split} "
            f"loss {loss:.4f} accuracy {accuracy:.4f}" + (f" ({extra['epoch_time_s']:.1f} s training)" if extra else "")
        )
        if math.isnan(accuracy):
            return
        self.save_best(accuracy)
        target = self.cfg.target_accuracy
        if target is not None and accuracy >= target and self.target_reached is None:
            self.target_reached = {
                "target_accuracy": target,
                "accuracy": accuracy,
                "step": self.pos.step,
                "epoch": self.epoch_progress(),
                "time_to_target_s": time.time() - self.cfg.process_started,
                "train_time_to_target_s": self.train_seconds,
            }
            self.log(
                f"reached {self.cfg.eval_split} accuracy {accuracy:.4f} >= {target} at step {self.pos.step}, "
                f"{self.target_reached['time_to_target_s']:.1f} s after the start"
            )

    # --- the loop --------------------------------------------------------------------------

    def stop_agreed(self) -> bool:
        """Whether to stop after this step. Under DDP every rank must stop at the same step (a rank
        that stops alone leaves the others waiting in an all-reduce), so ranks agree every
        log_every steps; a single process just looks at its own signal flag."""
        if self.stopping:
            return True
        local = self.stop.signum is not None
        if not self.dist.enabled:
            self.stopping = local
        elif self.pos.step % self.cfg.log_every == 0:
            flag = torch.tensor([1.0 if local else 0.0], device=self.device)
            self.stopping = bool(all_reduce_sum(flag, self.dist).item() > 0)
        return self.stopping

    def reached_max_steps(self) -> bool:
        return self.cfg.max_steps is not None and self.pos.step >= self.cfg.max_steps

    def run_epoch(self) -> bool:
        """Train from the current position to the end of the epoch. False if interrupted."""
        meter = Meter()
        epoch_started = time.perf_counter()
        steps = self.cfg.steps_per_epoch
        for images, labels in self.train_batches.epoch(self.pos.epoch, self.pos.batch):
            if self.cfg.augment:
                images = augment(images, self.cfg.seed, self.pos.epoch, self.pos.batch)
            loss, correct = self.train_step(self.preprocess(images), labels)
            meter.add(loss, correct, int(labels.shape[0]))
            self.pos.batch += 1
            self.pos.step += 1
            epoch_done = self.pos.batch == steps
            due = self.cfg.checkpoint_every > 0 and self.pos.step % self.cfg.checkpoint_every == 0
            eval_due = self.cfg.eval_every > 0 and self.pos.step % self.cfg.eval_every == 0 and not epoch_done
            stopping = self.stop_agreed() or self.reached_max_steps()
            if epoch_done or due or eval_due or stopping or self.pos.step % self.cfg.log_every == 0:
                self.log_train(meter)
                self.account(meter)
                meter.reset()
            if epoch_done:
                break
            if eval_due:
                self.evaluate_and_record()
                meter.reset()  # evaluation is not training time
                if self.target_reached:
                    return False
            if due:
                self.save_checkpoint("step")
                meter.reset()  # the save is not training time
            if stopping:
                return False
        # Position "end of epoch e" is stored as "start of epoch e + 1".
        self.pos.epoch += 1
        self.pos.batch = 0
        self.evaluate_and_record(epoch_time_s=time.perf_counter() - epoch_started)
        self.save_checkpoint("epoch")
        return not self.target_reached

    def account(self, meter: Meter) -> None:
        self.train_seconds += time.perf_counter() - meter.started
        self.train_images += meter.images * self.dist.world_size

    def run(self) -> dict[str, Any]:
        self.stop.install()
        started = time.perf_counter()
        while self.pos.epoch < self.cfg.epochs and not self.stopping and not self.reached_max_steps():
            if not self.run_epoch():
                break
        if self.stopping and not self.target_reached:
            reason = "preempted" if self.stop.preempted else "signal"
            self.save_checkpoint(reason)
            self.log(f"stopped by {reason} at step {self.pos.step}; checkpoint saved")
            self.metrics.close()
            raise self.stop.stopped()
        if self.target_reached:
            status = "target-reached"
        else:
            status = "completed" if self.pos.epoch >= self.cfg.epochs else "max-steps"
        if status != "completed":
            self.save_checkpoint(status)  # a later run with more steps or a higher target continues from here
        if self.cfg.eval_split == "test" and self.last_eval is not None and self.last_eval[0] == self.pos.step:
            _, test_loss, test_accuracy = self.last_eval  # just evaluated on the test set: no second pass
        else:
            test_loss, test_accuracy = self.evaluate(self.test_source)
        # Best-by-test only when nothing else chose a best (per-epoch evals on val are not comparable).
        if not math.isnan(test_accuracy) and (self.best_path is None or self.cfg.eval_split == "test"):
            self.save_best(test_accuracy)
        summary = {
            "step": self.pos.step,
            "epoch": self.epoch_progress(),
            "status": status,
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "best_checkpoint": self.best_path,
            "best_accuracy": self.best_accuracy,
            "train_time_s": self.train_seconds,
            "train_images": self.train_images,
            "train_images_per_s": self.train_images / self.train_seconds if self.train_seconds else 0.0,
            "elapsed_s": time.perf_counter() - started,
            "target_accuracy": self.cfg.target_accuracy,
            "time_to_target_s": self.target_reached["time_to_target_s"] if self.target_reached else None,
            **({"target": self.target_reached} if self.target_reached else {}),
        }
        self.metrics.event("end", **summary)
        self.log(f"done: test accuracy {test_accuracy:.4f}, loss {test_loss:.4f}; best checkpoint {self.best_path}")
        return summary


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def describe_failures(failures: list[tuple[str, str]]) -> str:
    return "; ".join(f"{p}: {why}" for p, why in failures)
