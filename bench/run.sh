#!/usr/bin/env bash
# Starts the harness engine, stand-in image and Slurm test cluster (as the tests do), then runs the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/harness/install-deps.sh
npm run build --silent
GPU_ENV_TEST_INSTANCE="${GPU_ENV_TEST_INSTANCE:-bench}" 
export GPU_ENV_TEST_INSTANCE GPU_ENV_TEST_BRIDGE_CIDR="${GPU_ENV_TEST_BRIDGE_CIDR:-172.29.1.1/24}"
eval "$(bash test/harness/engine.sh start)"
trap 'bash test/harness/slurm-cluster.sh stop || true; bash test/harness/engine.sh stop' EXIT
GPU_ENV_TEST_BASE_IMAGE=$(bash test/harness/base-image.sh)
export GPU_ENV_TEST_BASE_IMAGE
# The Slurm test cluster (four containers) only when its section runs: --only=... without it skips it.
only=$(printf '%s\n' "$@" | sed -n 's/^--only=//p')
if [ -z "$only" ] || [[ ",$only," == *,slurmTimeToReady,* ]]; then
  eval "$(bash test/harness/slurm-cluster.sh start)"
fi
node bench/run.mjs "$@"
