#!/usr/bin/env bash
# Builds the stand-in for the PyTorch 2.6 CUDA base image with no registry: debootstrap Debian
# trixie (python3-torch 2.6.0, CPU) and `docker import`. Cached by recipe hash: the root file system
# as a tarball in the cache folder, the image in the engine. Prints the image reference.
set -euo pipefail

cache="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
mirror="${GPU_ENV_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages="python3,python3-torch,python3-torchvision,python3-numpy,python3-cffi-backend,openssh-server,g++,tini,tmux,jupyter-notebook,dataset-fashion-mnist,procps,ca-certificates"
# python3-cffi-backend: debootstrap cannot resolve the virtual cffi ABI packages python3-zmq needs.
recipe="debootstrap --variant=minbase trixie $packages"
hash=$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
ref="gpu-env-test/trixie-torch:$hash"
tarball="$cache/base-$hash.tar"

if docker image inspect "$ref" >/dev/null 2>&1; then
  echo "$ref"
  exit 0
fi
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "harness: debootstrap trixie into $root (about 2-3 minutes)" >&2
  mkdir -p "$cache/debs"
  if ! debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$packages" trixie "$root" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    echo "harness: debootstrap failed; last lines of $cache/debootstrap.log:" >&2
    tail -20 "$cache/debootstrap.log" >&2
    exit 1
  fi
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  tar -C "$root" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi
echo "harness: importing $tarball as $ref" >&2
docker import "$tarball" "$ref" >/dev/null
echo "$ref"
