#!/usr/bin/env python3
"""The classic PyTorch tutorial training loop, as the baseline for the template's speed.

What most first CNNs look like: a torchvision dataset with ToTensor, a shuffled DataLoader with
batch size 64 (default workers: none), fp32, every batch moved with .to(device), Adam at 1e-3,
cross-entropy, the test set evaluated after each epoch. The model is the template's SimpleCNN
architecture, written the usual way.

  python3 classic_loop.py --data-dir /usr/share/datasets/fashion-mnist --epochs 5 --target-accuracy 0.88

Prints one JSON line per epoch ({"epoch", "time", "test_accuracy"}, time as time.time(), so a caller
can measure time to an accuracy from when it started the process), then one summary object:
training images/s (data loading included, evaluation excluded), epoch times, test accuracy.
With --target-accuracy it stops after the first epoch whose test accuracy reaches it.
"""

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


class SimpleCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu(self.conv(x)))
        return self.fc(x.view(x.size(0), -1))


DATASETS = {"fashion-mnist": datasets.FashionMNIST, "mnist": datasets.MNIST}


def torchvision_root(data_dir: str, scratch: str, dataset: str) -> str:
    """torchvision wants uncompressed files in ROOT/<class name>/raw: unpack them there."""
    raw = os.path.join(scratch, DATASETS[dataset].__name__, "raw")
    os.makedirs(raw, exist_ok=True)
    for name in RAW_FILES:
        plain, packed = os.path.join(data_dir, name), os.path.join(data_dir, name + ".gz")
        if os.path.exists(plain):
            shutil.copyfile(plain, os.path.join(raw, name))
        elif os.path.exists(packed):
            with gzip.open(packed, "rb") as src, open(os.path.join(raw, name), "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            sys.exit(f"error: {name}(.gz) not found in {data_dir}")
    return scratch


def train_epoch(
    loader: DataLoader, model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer, device: torch.device
) -> None:
    model.train()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        pred = model(x)
        loss = loss_fn(pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test(loader: DataLoader, model: nn.Module, device: torch.device) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += (model(x).argmax(1) == y).type(torch.float).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="fashion-mnist")
    p.add_argument("--epochs", type=int, default=1, help="at most this many epochs")
    p.add_argument("--target-accuracy", type=float, help="stop after the first epoch whose test accuracy reaches it")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=0, help="DataLoader workers (the tutorial uses none)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory(prefix="classic-") as scratch:
        root = torchvision_root(args.data_dir, scratch, args.dataset)
        dataset = DATASETS[args.dataset]
        train_data = dataset(root=root, train=True, download=False, transform=ToTensor())
        test_data = dataset(root=root, train=False, download=False, transform=ToTensor())
        train_loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
        test_loader = DataLoader(test_data, batch_size=args.batch_size, num_workers=args.workers)
        model = SimpleCNN().to(device)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        epoch_times = []
        for epoch in range(1, args.epochs + 1):
            started = time.perf_counter()
            train_epoch(train_loader, model, loss_fn, optimizer, device)
            if device.type == "cuda":
                torch.cuda.synchronize()
            epoch_times.append(time.perf_counter() - started)
            accuracy = test(test_loader, model, device)
            print(json.dumps({"epoch": epoch, "time": time.time(), "test_accuracy": accuracy}), flush=True)
            if args.target_accuracy is not None and accuracy >= args.target_accuracy:
                break
    images = len(train_data) * len(epoch_times)
    print(
        json.dumps(
            {
                "images_per_s": images / sum(epoch_times),
                "epoch_times_s": epoch_times,
                "test_accuracy": accuracy,
                "train_images": images,
                "device": str(device),
            }
        )
    )


if __name__ == "__main__":
    main()
