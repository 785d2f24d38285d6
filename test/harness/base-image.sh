#!/usr/bin/env bash
# Builds a stand-in for the PyTorch 2.6 CUDA base image with no registry: debootstrap Debian trixie
# (python3-torch 2.6.0, CPU) and `docker import`. Cached by recipe hash: the root file system as a
# tarball in the cache folder, the image in the engine. Prints the image reference.
#
#   base-image.sh [full]  everything the gpu-env recipe would install is already there (sshd, g++,
#                         tini, tmux, Jupyter), so the recipe build skips every install step.
#   base-image.sh bare    made like the real pytorch/pytorch:*-runtime image: root, no sshd, g++,
#                         tini, tmux or Jupyter, and Python reached through a non-system prefix that
#                         the image's ENV puts first on PATH (a venv with the system's site packages
#                         and its own pip at /opt/conda, as conda's /opt/conda/bin is in the real
#                         image). The recipe build then takes its apt path for real.
set -euo pipefail

variant="${1:-full}"
cache="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
mirror="${GPU_ENV_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
changes=()
case "$variant" in
  full)
    packages="python3,python3-torch,python3-torchvision,python3-numpy,python3-cffi-backend,openssh-server,g++,tini,tmux,jupyter-notebook,dataset-fashion-mnist,procps,ca-certificates"
    # python3-cffi-backend: debootstrap cannot resolve the virtual cffi ABI packages python3-zmq needs.
    recipe="debootstrap --variant=minbase trixie $packages"
    name=trixie-torch
    ;;
  bare)
    # python3-venv: only to make the /opt/conda venv (with pip, as conda has); the data set is the one
    # thing the real image lacks that the tests need offline.
    packages="python3,python3-torch,python3-torchvision,python3-numpy,python3-venv,dataset-fashion-mnist,ca-certificates"
    venv="python3 -m venv --system-site-packages /opt/conda"
    # The ENV of pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime, less what only a CUDA image needs.
    changes=(
      --change 'ENV PATH=/opt/conda/bin:/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
      --change 'ENV NVIDIA_VISIBLE_DEVICES=all'
      --change 'ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility'
      --change 'ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64'
      --change 'ENV PYTORCH_VERSION=2.6.0'
      --change 'WORKDIR /workspace'
    )
    recipe="debootstrap --variant=minbase trixie $packages; $venv; ${changes[*]}"
    name=trixie-torch-bare
    ;;
  *) echo "usage: base-image.sh [full|bare]" >&2; exit 2 ;;
esac
hash=$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
ref="gpu-env-test/$name:$hash"
tarball="$cache/base-$hash.tar"

if docker image inspect "$ref" >/dev/null 2>&1; then
  echo "$ref"
  exit 0
fi
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "harness: debootstrap trixie ($variant) into $root (about 2-3 minutes)" >&2
  mkdir -p "$cache/debs"
  log="$cache/debootstrap-$variant.log"
  if ! debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$packages" trixie "$root" "$mirror" >"$log" 2>&1; then
    echo "harness: debootstrap failed; last lines of $log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  if [ -n "${venv:-}" ]; then
    # shellcheck disable=SC2086
    chroot "$root" $venv >>"$log" 2>&1
  fi
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi
echo "harness: importing $tarball as $ref" >&2
docker import "${changes[@]}" "$tarball" "$ref" >/dev/null
echo "$ref"
