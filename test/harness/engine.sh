#!/usr/bin/env bash
# Starts (or stops) a private Docker engine for the tests: its own socket, --data-root,
# --exec-root and bridge, so it never touches a Docker engine the machine already runs.
#   engine.sh start   prints `export DOCKER_HOST=…` lines to eval
#   engine.sh stop    stops it and removes its bridge
# GPU_ENV_TEST_NVIDIA_STANDIN=1 makes it an engine of a GPU server with no GPU (for the tests of
# shared GPUs, on an instance of its own): the runtime "nvidia" registered as the NVIDIA Container
# Toolkit registers it (here plain runc), and a stand-in nvidia-container-runtime-hook on dockerd's
# PATH, so DeviceRequests for the driver "nvidia" work for real containers; the hook gives them
# stand-in GPUs (test/harness/nvidia-standin/). Without it (the default) the engine has neither,
# and `docker info` lists no NVIDIA runtime, as other tests expect.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

instance="${GPU_ENV_TEST_INSTANCE:-ci}"
cache="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
run="/tmp/gpu-env-engine-$instance"
data="$cache/engine-$instance"
bridge="gpuenv-$instance"
# Interface names are at most 15 bytes: a longer instance gets a short hash of its name.
if [ "${#bridge}" -gt 15 ]; then bridge="gpuenv-$(printf %s "$instance" | sha256sum | cut -c1-8)"; fi
subnet="${GPU_ENV_TEST_BRIDGE_CIDR:-172.29.0.1/24}"
sock="$run/docker.sock"
nvidia_standin="${GPU_ENV_TEST_NVIDIA_STANDIN:-}"
standin="$run/nvidia-standin"

# Masquerades the bridge's traffic to the outside (idempotent), so containers reach Debian's mirror.
allow_mirror() {
  if ! iptables -t nat -C POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE 2>/dev/null; then
    iptables -t nat -A POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE
  fi
}

# The stand-in driver: fake_nvml.c as libnvidia-ml.so.1 and its state folder with four idle GPUs
# (tests rewrite state/gpus and state/processes). Built on this machine: only glibc 2.2.5 symbols.
prepare_nvidia_standin() {
  mkdir -p "$standin/state"
  cc -std=gnu11 -shared -fPIC -O1 -o "$standin/libnvidia-ml.so.1" "$here/../python/fake_nvml.c"
  if [ ! -s "$standin/state/gpus" ]; then
    for i in 0 1 2 3; do
      printf '%s GPU-5a0d1e00-0000-4000-8000-00000000000%s 0 0 24576 Stand-in GPU (no hardware)\n' "$i" "$i"
    done >"$standin/state/gpus"
  fi
  : >>"$standin/state/processes"
  chmod -R a+rX "$standin"
}

# Another interface holding this engine's subnet takes its route, and every published port then
# answers with a reset (the container is unreachable). A test engine's bridge left by a run that was
# killed before `stop` (no dockerd uses it) is removed; anything else is reported, never touched.
release_subnet() {
  local other
  for other in $(ip -o -4 addr show to "${subnet%/*}/32" | awk '{print $2}'); do
    [ "$other" != "$bridge" ] || continue
    if [[ "$other" == gpuenv-* ]] && ! pgrep -f -- "--bridge $other( |\$)" >/dev/null; then
      echo "harness: removing $other, a stale test engine bridge holding $subnet" >&2
      ip link del "$other"
      iptables -t nat -S POSTROUTING | { grep -- "-o $other " || true; } | sed 's/^-A/-D/' |
        while read -r rule; do iptables -t nat $rule; done
    else
      echo "harness: $subnet is already used by $other; choose another with GPU_ENV_TEST_BRIDGE_CIDR" >&2
      exit 1
    fi
  done
}

print_env() {
  echo "export DOCKER_HOST=unix://$sock"
  echo "export GPU_ENV_TEST_ENGINE_LOG=$run/dockerd.log"
  if [ -n "$nvidia_standin" ]; then echo "export GPU_ENV_TEST_NVIDIA_STANDIN_DIR=$standin/state"; fi
}

start() {
  mkdir -p "$run/exec" "$data"
  if [ -S "$sock" ] && docker -H "unix://$sock" version >/dev/null 2>&1; then
    allow_mirror
    print_env
    return
  fi
  local extra=() path="$PATH"
  if [ -n "$nvidia_standin" ]; then
    command -v jq >/dev/null && command -v nsenter >/dev/null || { echo "harness: the NVIDIA stand-in needs jq and nsenter" >&2; exit 1; }
    prepare_nvidia_standin
    extra=(--add-runtime "nvidia=$(command -v runc)")
    path="$here/nvidia-standin:$PATH"
  fi
  release_subnet
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add name "$bridge" type bridge
    ip addr add "$subnet" dev "$bridge"
  fi
  ip link set "$bridge" up
  # dockerd runs without iptables: published ports on 127.0.0.1 go through docker-proxy, and a
  # second engine on the machine never fights over rules. The one rule we add ourselves lets the
  # containers' apt reach Debian's mirror (the bare-base recipe build and the Slurm cluster's
  # images install packages); it is removed again by `stop`.
  allow_mirror
  # --max-download-attempts 1: a layer download cut off (the registry test takes its registry away
  # mid-pull) is retried by the engine once, 5 s later, and then reported, so that gpu-env's own pull
  # retry is reached in seconds (a default engine retries 5 times, 5 to 25 s apart, first).
  PATH="$path" NVIDIA_STANDIN_DIR="$standin" nohup dockerd "${extra[@]}" \
    --host "unix://$sock" --data-root "$data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
    --bridge "$bridge" --iptables=false --ip-masq=false --ip6tables=false --max-download-attempts 1 \
    >"$run/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    if docker -H "unix://$sock" version >/dev/null 2>&1; then
      print_env
      return
    fi
    sleep 0.5
  done
  echo "harness: dockerd did not answer within 60 s; log: $run/dockerd.log" >&2
  tail -20 "$run/dockerd.log" >&2 || true
  exit 1
}

stop() {
  if [ -f "$run/dockerd.pid" ]; then
    pid=$(cat "$run/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ip link del "$bridge" 2>/dev/null || true
  iptables -t nat -D POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE 2>/dev/null || true
  echo "harness: engine $instance stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: engine.sh start|stop" >&2; exit 2 ;;
esac
