#!/usr/bin/env bash
# A private image registry for the tests: Debian's docker-registry (the CNCF distribution registry)
# on 127.0.0.1 with htpasswd (bcrypt) authentication, plain HTTP (the engine allows that for
# 127.0.0.0/8 without insecure-registries).
#   registry.sh start DIR PORT USER   password on stdin; prints the registry's pid
#   registry.sh stop DIR              stops the registry started in DIR
# Its storage is $GPU_ENV_TEST_CACHE/registry-$GPU_ENV_TEST_INSTANCE, kept between runs so that
# images pushed once need not be pushed again; DIR holds the config, password file, pid and log.
set -euo pipefail

cache="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
instance="${GPU_ENV_TEST_INSTANCE:-ci}"
storage="$cache/registry-$instance"

start() {
  local dir=$1 port=$2 user=$3
  command -v docker-registry >/dev/null || { echo "harness: docker-registry is missing; run test/harness/install-deps.sh as root" >&2; exit 1; }
  command -v htpasswd >/dev/null || { echo "harness: htpasswd is missing (apache2-utils); run test/harness/install-deps.sh as root" >&2; exit 1; }
  mkdir -p "$dir" "$storage"
  # -i: the password from stdin, never on a command line.
  htpasswd -iBc "$dir/htpasswd" "$user" 2>/dev/null
  cat > "$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: gpu-env-test
    path: $dir/htpasswd
CONFIG
  nohup docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$dir/registry.pid"
  for _ in $(seq 1 100); do
    # Up when /v2/ asks for credentials.
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 401 ]; then
      echo "$pid"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "harness: the registry on 127.0.0.1:$port did not come up; its log:" >&2
  tail -20 "$dir/registry.log" >&2
  exit 1
}

stop() {
  local dir=$1
  [ -f "$dir/registry.pid" ] || return 0
  local pid
  pid=$(cat "$dir/registry.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/registry.pid"
}

case "${1:-}" in
  start) start "${2:?DIR}" "${3:?PORT}" "${4:?USER}" ;;
  stop) stop "${2:?DIR}" ;;
  *) echo "usage: registry.sh start DIR PORT USER | stop DIR" >&2; exit 2 ;;
esac
