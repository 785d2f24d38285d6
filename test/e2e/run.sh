#!/usr/bin/env bash
# Run the end-to-end journeys: setup.sh (cached), then vitest with test/e2e/vitest.config.mts.
#
#   test/e2e/run.sh                              # all journeys (test/e2e/journeys/*.e2e.ts)
#   test/e2e/run.sh test/e2e/journeys/smoke.e2e.ts
#   test/e2e/run.sh -t 'untrusted'               # any vitest argument
#
# Environment:
#   GPU_ENV_E2E_TIMEOUT   bound for the whole vitest run, seconds (default 1800)
#   GPU_ENV_E2E_KEEP=1    keep code-server's temp dirs after a failed journey
#   plus everything setup.sh reads (GPU_ENV_TEST_CACHE, ...).
#
# Artifacts (screenshots, logs on failure): test-artifacts/e2e/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

TOTAL_TIMEOUT="${GPU_ENV_E2E_TIMEOUT:-1800}"

echo "[e2e] setup"
SETUP_OUT="$(mktemp)"
if ! timeout -k 30 3600 bash test/e2e/setup.sh 2>&1 | tee "$SETUP_OUT"; then
  rm -f "$SETUP_OUT"
  echo "[e2e] setup failed" >&2
  exit 1
fi
CODE_SERVER_BIN="$(sed -n 's/^CODE_SERVER_BIN=//p' "$SETUP_OUT" | tail -1)"
rm -f "$SETUP_OUT"
[ -n "$CODE_SERVER_BIN" ] || { echo "[e2e] setup.sh did not report CODE_SERVER_BIN" >&2; exit 1; }
export GPU_ENV_CODE_SERVER_BIN="$CODE_SERVER_BIN"

[ -x node_modules/.bin/vitest ] || { echo "[e2e] node_modules/.bin/vitest missing (npm install in the repo)" >&2; exit 1; }
[ -d node_modules/playwright-core ] || { echo "[e2e] playwright-core missing (npm install in the repo)" >&2; exit 1; }

# code-server.ts records each server's pid here (a file named after the pid, holding its temp dir),
# journey.ts/paths.ts the throw-away dirs (tmpdirs) and product.ts the environments it made
# (environments); `run` and `docker-host` say whose this folder is. What is left when we exit is
# killed or removed; what a run killed before its EXIT trap left is reaped by the next run.
export GPU_ENV_E2E_PID_DIR
GPU_ENV_E2E_PID_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gpu-e2e-pids.XXXXXX")"
echo "$$" >"$GPU_ENV_E2E_PID_DIR/run"
printf '%s\n' "${DOCKER_HOST:-}" >"$GPU_ENV_E2E_PID_DIR/docker-host"

kill_tree() { # pid signal
  local pid="$1" sig="$2" child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill_tree "$child" "$sig"; done
  kill "-$sig" "$pid" 2>/dev/null || true
}

reap() { # pid-dir: kill its code-servers, remove its temp dirs and its environments' containers
  local dir="$1" f pid tmp
  for f in "$dir"/*; do
    [ -e "$f" ] || continue
    pid="$(basename "$f")"
    case "$pid" in *[!0-9]*) continue ;; esac
    tmp="$(head -1 "$f" 2>/dev/null || true)"
    if kill -0 "$pid" 2>/dev/null; then
      echo "[e2e] cleanup: killing leftover code-server $pid" >&2
      kill -TERM -- "-$pid" 2>/dev/null || true
      kill_tree "$pid" TERM
      sleep 2
      kill -KILL -- "-$pid" 2>/dev/null || true
      kill_tree "$pid" KILL
    fi
    case "$tmp" in */gpu-e2e-*) rm -rf "$tmp" ;; esac
  done
  # Throw-away dirs (code-server, Chromium profiles, workspaces) of journeys that were killed.
  if [ -f "$dir/tmpdirs" ]; then
    while IFS= read -r tmp; do
      case "$tmp" in */gpu-e2e-*) rm -rf "$tmp" ;; esac
    done <"$dir/tmpdirs"
  fi
  # Containers of product journeys that were killed before their afterAll (label dev.gpu-env.name).
  # Left running, they come back with the engine, resume their training runs (load on a shared
  # machine) and make the next run's commands ask which environment to use.
  if [ -f "$dir/environments" ] && command -v docker >/dev/null 2>&1; then
    local name ids
    while IFS= read -r name; do
      [ -n "$name" ] || continue
      ids="$(timeout 30 docker ps -aq --filter "label=dev.gpu-env.name=$name" 2>/dev/null || true)"
      if [ -n "$ids" ]; then
        echo "[e2e] cleanup: removing leftover container(s) of environment $name" >&2
        # shellcheck disable=SC2086
        timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
      fi
    done <"$dir/environments"
  fi
  rm -rf "$dir"
}

cleanup() {
  reap "$GPU_ENV_E2E_PID_DIR"
}

# Runs killed before their EXIT trap (SIGKILL, a lost session) on this engine: reap what they left.
for dir in "${TMPDIR:-/tmp}"/gpu-e2e-pids.*; do
  [ -d "$dir" ] && [ "$dir" != "$GPU_ENV_E2E_PID_DIR" ] && [ -f "$dir/run" ] || continue
  kill -0 "$(cat "$dir/run")" 2>/dev/null && continue
  [ "$(cat "$dir/docker-host" 2>/dev/null)" = "${DOCKER_HOST:-}" ] || continue
  echo "[e2e] reaping what a killed run (pid $(cat "$dir/run")) left in $dir" >&2
  reap "$dir"
done

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p test-artifacts/e2e
echo "[e2e] journeys (bounded by ${TOTAL_TIMEOUT}s)"
START=$(date +%s)
set +e
timeout -k 30 "$TOTAL_TIMEOUT" node_modules/.bin/vitest run --config test/e2e/vitest.config.mts "$@"
rc=$?
set -e
echo "[e2e] vitest exited $rc after $(( $(date +%s) - START ))s; artifacts in test-artifacts/e2e/"
[ "$rc" = 124 ] && echo "[e2e] TIMED OUT after ${TOTAL_TIMEOUT}s" >&2
exit "$rc"
