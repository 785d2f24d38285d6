"""Datasets for train_cnn.py, read straight from the files on disk.

MNIST and Fashion-MNIST come as IDX files (gzipped or not), CIFAR-10 as the
"python version" pickles, and anything else as an image folder
(``root/train/<class>/*.png`` and ``root/test/<class>/*.png``, or one folder of
class folders that is split 90/10). Nothing is downloaded unless --download is
given; missing files give a DataError naming the files and folders searched.
"""

from __future__ import annotations

import gzip
import os
import pickle
import struct
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Sequence

import numpy as np
import torch

DATASETS = ("mnist", "fashion-mnist", "cifar10", "imagefolder")
DEFAULT_DATA_DIRS = {
    "mnist": "/usr/share/datasets/mnist",
    "fashion-mnist": "/usr/share/datasets/fashion-mnist",
    "cifar10": "/usr/share/datasets/cifar10",
}
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# Where torchvision puts the same files, so a folder it downloaded works too.
TORCHVISION_SUBDIRS = {"mnist": "MNIST/raw", "fashion-mnist": "FashionMNIST/raw"}
CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_TEST = "test_batch"
IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataError(Exception):
    """Input data missing or malformed; the message says what was expected where."""


@dataclass
class ArrayData:
    """A whole split in memory: uint8 images [N, C, H, W] and int64 labels [N]."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass
class Dataset:
    name: str
    train: object  # ArrayData, or a torch Dataset yielding (uint8 CHW tensor, label)
    test: object
    num_classes: int
    channels: int
    image_size: tuple[int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    augment_default: bool


# --- IDX (MNIST, Fashion-MNIST) -------------------------------------------------------------


def read_idx(path: str) -> np.ndarray:
    """An IDX file (http://yann.lecun.com/exdb/mnist/ format) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise DataError(f"cannot read {path}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated (header)")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path} holds {len(raw) - header} data bytes, its header says {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)


def find_file(folders: Sequence[str], base: str) -> str | None:
    # The original MNIST site spells some names with a dot ("train-images.idx3-ubyte").
    variants = [base, base.replace("-idx", ".idx")]
    for folder in folders:
        for name in variants:
            for candidate in (name, name + ".gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
    return None


def idx_search_folders(name: str, data_dir: str) -> list[str]:
    return [data_dir, os.path.join(data_dir, "raw"), os.path.join(data_dir, TORCHVISION_SUBDIRS[name])]


def load_idx_dataset(name: str, data_dir: str) -> dict[str, np.ndarray]:
    folders = idx_search_folders(name, data_dir)
    paths = {key: find_file(folders, base) for key, base in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, p in paths.items() if p is None]
    if missing:
        raise DataError(
            f"{name}: missing {', '.join(missing)} (.gz or uncompressed) in "
            f"{', '.join(folders)}. Put the four IDX files ({', '.join(IDX_FILES.values())}) "
            f"in {data_dir}, pass --data-dir, or add --download when the network is reachable."
        )
    return {key: read_idx(path) for key, path in paths.items()}  # type: ignore[arg-type]


def idx_to_arrays(images: np.ndarray, labels: np.ndarray, what: str) -> ArrayData:
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{what}: expected images [N, H, W] and labels [N], got {list(images.shape)} and {list(labels.shape)}"
        )
    x = torch.from_numpy(images.astype(np.uint8, copy=True)).unsqueeze(1)  # frombuffer arrays are read-only
    return ArrayData(x, torch.from_numpy(labels.astype(np.int64)))


# --- CIFAR-10 ---------------------------------------------------------------------------------


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """CIFAR batches are pickles; refuse anything but numpy arrays so a tampered file cannot run code."""

    ALLOWED: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"),
            ("_codecs", "encode"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise DataError(f"CIFAR batch refers to {module}.{name}; only numpy arrays are accepted")
        return super().find_class(module, name)


def read_cifar_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as f:
            batch = _NumpyOnlyUnpickler(f, encoding="bytes").load()
    except DataError:
        raise
    except Exception as e:  # unpickling errors come in many types
        raise DataError(f"cannot read CIFAR batch {path}: {e}") from e
    data = batch.get(b"data") if isinstance(batch, dict) else None
    labels = batch.get(b"labels") if isinstance(batch, dict) else None
    if data is None or labels is None:
        raise DataError(f"{path} has no b'data'/b'labels' entries; is it a CIFAR-10 python batch?")
    images = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32)
    return images, np.asarray(labels, dtype=np.int64)


def load_cifar10(data_dir: str) -> tuple[ArrayData, ArrayData]:
    folders = [data_dir, os.path.join(data_dir, "cifar-10-batches-py")]
    for folder in folders:
        names = [*CIFAR_TRAIN, CIFAR_TEST]
        if all(os.path.isfile(os.path.join(folder, n)) for n in names):
            parts = [read_cifar_batch(os.path.join(folder, n)) for n in CIFAR_TRAIN]
            train_x = np.concatenate([p[0] for p in parts])
            train_y = np.concatenate([p[1] for p in parts])
            test_x, test_y = read_cifar_batch(os.path.join(folder, CIFAR_TEST))
            return (
                ArrayData(torch.from_numpy(train_x), torch.from_numpy(train_y)),
                ArrayData(torch.from_numpy(test_x), torch.from_numpy(test_y)),
            )
    raise DataError(
        f"cifar10: missing {', '.join(CIFAR_TRAIN)}, {CIFAR_TEST} in {', '.join(folders)}. "
        f"Put the CIFAR-10 python batches (cifar-10-python.tar.gz, extracted) there, pass "
        f"--data-dir, or add --download when the network is reachable."
    )


# --- Image folders ----------------------------------------------------------------------------


class ConvertMode:
    """PIL mode conversion as a picklable transform (DataLoader workers may be spawned)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __call__(self, image: Any) -> Any:  # a PIL image
        return image.convert(self.mode)


def load_imagefolder(data_dir: str, image_size: int, channels: int, seed: int) -> tuple[Any, Any, int]:
    """torchvision ImageFolder splits yielding uint8 tensors of one fixed size."""
    if not os.path.isdir(data_dir):
        raise DataError(
            f"imagefolder: {data_dir} is not a folder; expected {data_dir}/train/<class>/"
            f"<image> and {data_dir}/test/<class>/<image> (or {data_dir}/<class>/<image>)"
        )
    from torchvision import datasets, transforms  # imported here: only image folders need it

    transform = transforms.Compose(
        [
            ConvertMode("L" if channels == 1 else "RGB"),
            transforms.Resize((image_size, image_size)),
            transforms.PILToTensor(),
        ]
    )
    test_dir = next(
        (os.path.join(data_dir, d) for d in ("test", "val") if os.path.isdir(os.path.join(data_dir, d))), None
    )
    train_dir = os.path.join(data_dir, "train")
    try:
        if test_dir and os.path.isdir(train_dir):
            train = datasets.ImageFolder(train_dir, transform=transform)
            test = datasets.ImageFolder(test_dir, transform=transform)
            if train.classes != test.classes:
                raise DataError(f"imagefolder: class folders differ between {train_dir} and {test_dir}")
        else:
            full = datasets.ImageFolder(data_dir, transform=transform)
            order = torch.randperm(len(full), generator=torch.Generator().manual_seed(seed)).tolist()
            cut = max(1, len(order) // 10)
            train = torch.utils.data.Subset(full, order[cut:])
            test = torch.utils.data.Subset(full, order[:cut])
            train.classes = full.classes  # type: ignore[attr-defined]
    except (FileNotFoundError, RuntimeError) as e:  # ImageFolder's "found no valid file"
        raise DataError(f"imagefolder: {e}") from e
    return train, test, len(train.classes)  # type: ignore[attr-defined]


# --- Entry point ------------------------------------------------------------------------------


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of uint8 images scaled to [0, 1], computed in chunks."""
    channels = images.shape[1]
    total = torch.zeros(channels, dtype=torch.float64)
    total_sq = torch.zeros(channels, dtype=torch.float64)
    for chunk in images.split(8192):
        x = chunk.to(torch.float64) / 255.0
        total += x.sum(dim=(0, 2, 3))
        total_sq += (x * x).sum(dim=(0, 2, 3))
    count = images.shape[0] * images.shape[2] * images.shape[3]
    mean = total / count
    std = (total_sq / count - mean * mean).clamp_min(1e-12).sqrt()
    return tuple(mean.tolist()), tuple(std.tolist())


def download(name: str, data_dir: str) -> None:
    """Fetch a dataset with torchvision into data_dir (only when --download is given)."""
    from torchvision import datasets

    cls: Callable = {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10}[name]
    try:
        for train in (True, False):
            cls(data_dir, train=train, download=True)
    except Exception as e:  # network errors come as URLError, OSError, RuntimeError...
        reason = " ".join(str(e).split())  # torchvision's message spans lines
        raise DataError(f"{name}: download into {data_dir} failed ({reason}); put the files there by hand") from e


def load_dataset(
    name: str,
    data_dir: str | None,
    *,
    image_size: int = 64,
    channels: int = 3,
    seed: int = 0,
    allow_download: bool = False,
) -> Dataset:
    if name not in DATASETS:
        raise DataError(f"--dataset must be one of {', '.join(DATASETS)} (got {name!r})")
    if name == "imagefolder":
        if not data_dir:
            raise DataError("--dataset imagefolder needs --data-dir (a folder of class folders)")
        train, test, classes = load_imagefolder(data_dir, image_size, channels, seed)
        # ImageNet statistics: a reasonable default for natural photos.
        mean, std = ((0.449,), (0.226,)) if channels == 1 else ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
        return Dataset(name, train, test, classes, channels, (image_size, image_size), mean, std, True)
    folder = data_dir or DEFAULT_DATA_DIRS[name]
    try:
        train, test = _load_arrays(name, folder)
    except DataError:
        if not allow_download:
            raise
        download(name, folder)
        train, test = _load_arrays(name, folder)
    mean, std = channel_stats(train.images)
    num_classes = int(max(train.labels.max().item(), test.labels.max().item())) + 1
    _, c, h, w = train.images.shape
    return Dataset(name, train, test, num_classes, c, (h, w), mean, std, name == "cifar10")


def _load_arrays(name: str, folder: str) -> tuple[ArrayData, ArrayData]:
    if name == "cifar10":
        return load_cifar10(folder)
    arrays = load_idx_dataset(name, folder)
    return (
        idx_to_arrays(arrays["train_images"], arrays["train_labels"], f"{name} train"),
        idx_to_arrays(arrays["test_images"], arrays["test_labels"], f"{name} test"),
    )


def subset(data: ArrayData, count: int | None) -> ArrayData:
    """The first `count` examples (for quick dev runs)."""
    if count is None or count >= len(data):
        return data
    return ArrayData(data.images[:count], data.labels[:count])
