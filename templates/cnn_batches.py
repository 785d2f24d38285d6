"""Batches for train_cnn.py in a fixed, resumable order.

Each epoch visits the training set in a permutation derived only from
(seed, epoch), so a resumed run can skip to batch k of epoch e and see exactly
the batches the interrupted run would have seen. Only full batches are made:
fixed shapes keep torch.compile from recompiling.

Two sources give the same batches:
- DeviceBatches: the whole split is one uint8 tensor on the device; a batch is
  an index_select. No DataLoader, no per-image Python, no host-device copies.
- LoaderBatches: a DataLoader with workers and pinned memory, for data that does
  not fit on the device or is decoded from image files.
"""

from __future__ import annotations

from typing import Iterator, Sequence, Tuple

import torch
from torch.utils.data import DataLoader, Sampler
from torch.utils.data import Dataset as TorchDataset

from cnn_data import ArrayData

Batch = Tuple[torch.Tensor, torch.Tensor]


def epoch_permutation(n: int, seed: int, epoch: int) -> torch.Tensor:
    """The order of epoch `epoch`, on the CPU so it is the same on every device."""
    generator = torch.Generator().manual_seed((seed * 1_000_003 + epoch) % (2**63))
    return torch.randperm(n, generator=generator)


def steps_per_epoch(n: int, batch_size: int, world_size: int = 1) -> int:
    steps = n // (batch_size * world_size)
    if steps < 1:
        raise ValueError(
            f"--batch-size {batch_size} x {world_size} process(es) is larger than the "
            f"training set ({n} images); use a smaller --batch-size"
        )
    return steps


def batch_slice(step: int, batch_size: int, rank: int, world_size: int) -> slice:
    """Where rank `rank` finds its part of global batch `step` in the epoch's permutation."""
    start = step * batch_size * world_size + rank * batch_size
    return slice(start, start + batch_size)


class DeviceBatches:
    def __init__(
        self, data: ArrayData, device: torch.device, batch_size: int, seed: int, rank: int = 0, world_size: int = 1
    ) -> None:
        self.images = data.images.to(device)
        self.labels = data.labels.to(device)
        self.device = device
        self.batch_size, self.seed, self.rank, self.world_size = batch_size, seed, rank, world_size
        self.steps = steps_per_epoch(len(data), batch_size, world_size)

    def epoch(self, epoch: int, start_step: int = 0) -> Iterator[Batch]:
        perm = epoch_permutation(int(self.labels.shape[0]), self.seed, epoch).to(self.device)
        for step in range(start_step, self.steps):
            idx = perm[batch_slice(step, self.batch_size, self.rank, self.world_size)]
            yield self.images.index_select(0, idx), self.labels.index_select(0, idx)


class EpochBatchSampler(Sampler):
    """Yields the index lists of one epoch from a given step; set_epoch picks which."""

    def __init__(self, n: int, batch_size: int, seed: int, rank: int, world_size: int) -> None:
        self.n, self.batch_size, self.seed, self.rank, self.world_size = n, batch_size, seed, rank, world_size
        self.steps = steps_per_epoch(n, batch_size, world_size)
        self.epoch_index, self.start_step = 0, 0

    def set_epoch(self, epoch: int, start_step: int) -> None:
        self.epoch_index, self.start_step = epoch, start_step

    def __iter__(self) -> Iterator[list[int]]:
        perm = epoch_permutation(self.n, self.seed, self.epoch_index)
        for step in range(self.start_step, self.steps):
            yield perm[batch_slice(step, self.batch_size, self.rank, self.world_size)].tolist()

    def __len__(self) -> int:
        return self.steps - self.start_step


class ArrayBatchDataset(TorchDataset):
    """Indexes a whole batch at once: one tensor gather instead of N Python calls and a collate."""

    def __init__(self, data: ArrayData) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, indices: Sequence[int]) -> Batch:
        idx = torch.as_tensor(indices)
        return self.data.images[idx], self.data.labels[idx]


def dataset_length(dataset: object) -> int:
    return len(dataset)  # type: ignore[arg-type]


class LoaderBatches:
    def __init__(
        self,
        dataset: object,
        device: torch.device,
        batch_size: int,
        seed: int,
        workers: int,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        n = dataset_length(dataset)
        self.device = device
        self.sampler = EpochBatchSampler(n, batch_size, seed, rank, world_size)
        self.steps = self.sampler.steps
        pin = device.type == "cuda"
        common = {"num_workers": workers, "pin_memory": pin, "persistent_workers": workers > 0}
        if workers > 0:
            common["prefetch_factor"] = 4
        if isinstance(dataset, ArrayData):
            # Each "item" is a whole batch, so no collate over thousands of tiny tensors.
            self.loader = DataLoader(ArrayBatchDataset(dataset), sampler=self.sampler, batch_size=None, **common)
        else:
            self.loader = DataLoader(dataset, batch_sampler=self.sampler, **common)  # type: ignore[arg-type]

    def epoch(self, epoch: int, start_step: int = 0) -> Iterator[Batch]:
        self.sampler.set_epoch(epoch, start_step)
        for images, labels in self.loader:
            yield (
                images.to(self.device, non_blocking=True),
                torch.as_tensor(labels).to(self.device, non_blocking=True),
            )


def eval_batches(
    dataset: object, device: torch.device, batch_size: int, workers: int, on_device: ArrayData | None = None
) -> Iterator[Batch]:
    """Every example once, in order (the last batch may be short: eval runs uncompiled)."""
    if on_device is not None:
        for start in range(0, len(on_device), batch_size):
            yield on_device.images[start : start + batch_size], on_device.labels[start : start + batch_size]
        return
    if isinstance(dataset, ArrayData):
        for start in range(0, len(dataset), batch_size):
            yield (
                dataset.images[start : start + batch_size].to(device, non_blocking=True),
                dataset.labels[start : start + batch_size].to(device, non_blocking=True),
            )
        return
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=workers,  # type: ignore[arg-type]
        pin_memory=device.type == "cuda",
    )
    for images, labels in loader:
        yield images.to(device, non_blocking=True), torch.as_tensor(labels).to(device, non_blocking=True)


class Preprocess:
    """uint8 NCHW batch -> normalised float batch, in the chosen memory format, on the device."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], device: torch.device, channels_last: bool) -> None:
        shape = (1, len(mean), 1, 1)
        # Fold the /255 into the affine so it is one subtract and one multiply.
        self.shift = (torch.tensor(mean, device=device) * 255.0).view(shape)
        self.scale = (1.0 / (torch.tensor(std, device=device) * 255.0)).view(shape)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        x = (images.float() - self.shift) * self.scale
        return x.contiguous(memory_format=self.memory_format)


def augment(images: torch.Tensor, seed: int, epoch: int, step: int, pad: int = 4) -> torch.Tensor:
    """Random horizontal flips and translations of up to `pad` pixels, per image.

    The random numbers come from a generator seeded by (seed, epoch, step), so a
    resumed run augments its batches exactly as the interrupted one would have.
    """
    n, _, h, w = images.shape
    generator = torch.Generator().manual_seed((seed * 7_919 + epoch * 1_000_003 + step) % (2**63))
    flips = torch.rand(n, generator=generator) < 0.5
    shifts = torch.randint(0, 2 * pad + 1, (n, 2), generator=generator)
    device = images.device
    flips, shifts = flips.to(device), shifts.to(device)
    padded = torch.nn.functional.pad(images.float(), (pad, pad, pad, pad), mode="reflect")
    rows = shifts[:, 0:1] + torch.arange(h, device=device)  # [N, H]
    cols = shifts[:, 1:2] + torch.arange(w, device=device)  # [N, W]
    cols = torch.where(flips[:, None], cols.flip(1), cols)
    batch_idx = torch.arange(n, device=device)[:, None, None, None]
    chan_idx = torch.arange(images.shape[1], device=device)[None, :, None, None]
    out = padded[batch_idx, chan_idx, rows[:, None, :, None], cols[:, None, None, :]]
    return out.to(images.dtype)
