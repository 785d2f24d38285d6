#!/usr/bin/env bash
# The whole test suite, as CI runs it: build and unit tests, then everything against real parts —
# a private Docker engine, the stand-in PyTorch base image, sshd, OpenSSH, a Slurm cluster in
# containers, Chromium, code-server.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "system packages"
bash test/harness/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund

step "build, typecheck and lint"
npm run build
npm run typecheck
# ESLint (layers, import cycles, typescript-eslint) and Ruff: a finding fails the suite here.
npm run lint

step "unit tests"
npx vitest run --project unit

step "private Docker engine"
eval "$(bash test/harness/engine.sh start)"
cleanup() {
  # Containers the tests left (a failed run) would restart with the cached engine next time.
  ids=$(docker ps -aq --filter label=dev.gpu-env.name 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  bash test/harness/slurm-cluster.sh stop || true
  if [ -n "${GPU_ENV_TEST_GPU_DOCKER_HOST:-}" ]; then
    ids=$(DOCKER_HOST=$GPU_ENV_TEST_GPU_DOCKER_HOST docker ps -aq --filter label=dev.gpu-env.name 2>/dev/null || true)
    [ -z "$ids" ] || DOCKER_HOST=$GPU_ENV_TEST_GPU_DOCKER_HOST docker rm -f $ids >/dev/null 2>&1 || true
    bash test/harness/gpu-engine.sh stop || true
  fi
  bash test/harness/engine.sh stop
}
trap cleanup EXIT

step "stand-in base image"
GPU_ENV_TEST_BASE_IMAGE=$(bash test/harness/base-image.sh)
export GPU_ENV_TEST_BASE_IMAGE
echo "base image: $GPU_ENV_TEST_BASE_IMAGE"
# Made like the real pytorch/pytorch runtime image (no sshd, g++, tini, tmux, Jupyter): the recipe's apt path.
GPU_ENV_TEST_BARE_BASE_IMAGE=$(bash test/harness/base-image.sh bare)
export GPU_ENV_TEST_BARE_BASE_IMAGE
echo "bare base image: $GPU_ENV_TEST_BARE_BASE_IMAGE"

step "GPU server engine with stand-in GPUs (second private engine, NVIDIA hook stand-in)"
eval "$(bash test/harness/gpu-engine.sh start)"
echo "GPU engine: $GPU_ENV_TEST_GPU_DOCKER_HOST"

step "Slurm test cluster (controller, two compute nodes, login node)"
eval "$(bash test/harness/slurm-cluster.sh start)"
echo "Slurm cluster: $GPU_ENV_TEST_SLURM_HOST"

step "integration tests (real engine, sshd, OpenSSH, PyTorch)"
npx vitest run --project integration

if [ -x test/python/run-in-image.sh ]; then
  step "training templates in the container (real PyTorch, real Fashion-MNIST)"
  bash test/python/run-in-image.sh "$GPU_ENV_TEST_BASE_IMAGE"
fi

if compgen -G "test/webview/*.test.ts" >/dev/null; then
  step "webviews in headless Chromium"
  npx vitest run --project webview
fi

if [ -f test/e2e/run.sh ]; then
  step "end to end in code-server"
  bash test/e2e/run.sh
fi

step "all test stages passed"
