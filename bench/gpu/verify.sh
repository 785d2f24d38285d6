#!/usr/bin/env bash
# Runs every GPU path of gpu-env on a machine with NVIDIA GPUs, PyTorch and nvidia-smi (no Docker
# needed) in under 8 minutes, and rewrites the table in docs/gpu-verification.md with the figures
# and the GPU/driver it ran on. Commit that file (and test/fixtures/gpu/verify-*.jsonl) afterwards.
#
#   bash bench/gpu/verify.sh [--fashion-mnist DIR] [--mnist DIR]
#   bash bench/gpu/verify.sh --dry-run      # on a CPU: checks the script, touches no docs
#
# Needs: python3 with torch and torchvision, node (for the host parser; run `npm ci` once), and the
# Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist); MNIST's for the 99 % row.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
for tool in python3 node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "verify.sh: $tool is not on PATH" >&2; exit 2; }
done
if [ ! -d node_modules/esbuild ]; then
  echo "verify.sh: run 'npm ci' first (the host parser is bundled with esbuild)" >&2
  exit 2
fi
# The whole run has a budget of 8 minutes; the wall-clock limit here is a backstop above it.
exec timeout --kill-after=10 600 python3 bench/gpu/verify.py "$@"
