#!/usr/bin/env bash
# Runs the Python tests in test/python inside IMAGE (the stand-in PyTorch image in CI):
#   test/python/run-in-image.sh gpu-env-test/trixie-torch:dev [unittest args, e.g. test_runner]
# The Docker engine is $DOCKER_HOST (or the default one). The repository is mounted read-only;
# tests write only to temp folders inside the container. Exits non-zero when a test fails.
set -euo pipefail
image=${1:?usage: run-in-image.sh IMAGE [unittest names...]}
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$#" -eq 0 ]; then set -- discover -s /src/test/python -t /src/test/python -v; fi
start=$(date +%s)
# --shm-size: the DataLoader paths use shared memory; --init: a real PID 1 reaps the runner's
# orphaned daemons, as the entrypoint does in an environment. /small-disk: a 64 MiB tmpfs that
# test_training_checkpoint_kills fills to run a checkpoint out of space.
docker run --rm --init --shm-size 2g --tmpfs /small-disk:size=64m \
  -v "$repo":/src:ro -w /src/test/python \
  -e GPU_ENV_REQUIRE_TORCH=1 -e PYTHONDONTWRITEBYTECODE=1 -e PYTHONUNBUFFERED=1 \
  "$image" python3 -m unittest "$@"
echo "python tests passed in $(( $(date +%s) - start )) s"
