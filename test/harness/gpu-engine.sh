#!/usr/bin/env bash
# The shared-GPU tests' engine: a second private Docker engine (instance "<GPU_ENV_TEST_INSTANCE>-gpu",
# bridge GPU_ENV_TEST_GPU_BRIDGE_CIDR) made like a GPU server's with stand-in GPUs
# (engine.sh with GPU_ENV_TEST_NVIDIA_STANDIN=1), with the stand-in PyTorch base imported. The
# default engine stays one without GPUs, as the other tests expect.
#   gpu-engine.sh start     prints export lines: GPU_ENV_TEST_GPU_DOCKER_HOST, GPU_ENV_TEST_NVIDIA_STANDIN_DIR
#   gpu-engine.sh restart   stops and starts dockerd (containers stay; the tests of idle stop use it)
#   gpu-engine.sh stop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export GPU_ENV_TEST_INSTANCE="${GPU_ENV_TEST_INSTANCE:-ci}-gpu"
export GPU_ENV_TEST_BRIDGE_CIDR="${GPU_ENV_TEST_GPU_BRIDGE_CIDR:-172.29.255.1/24}"
export GPU_ENV_TEST_NVIDIA_STANDIN=1

start() {
  local out
  out=$(bash "$here/engine.sh" start)
  eval "$out"
  bash "$here/base-image.sh" >/dev/null
  echo "export GPU_ENV_TEST_GPU_DOCKER_HOST=$DOCKER_HOST"
  echo "export GPU_ENV_TEST_NVIDIA_STANDIN_DIR=$GPU_ENV_TEST_NVIDIA_STANDIN_DIR"
}

case "${1:-}" in
  start) start ;;
  restart) bash "$here/engine.sh" stop && bash "$here/engine.sh" start >/dev/null ;;
  stop) bash "$here/engine.sh" stop ;;
  *) echo "usage: gpu-engine.sh start|restart|stop" >&2; exit 2 ;;
esac
