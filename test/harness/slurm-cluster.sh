#!/usr/bin/env bash
# A real Slurm cluster for the tests, in containers on the harness engine (DOCKER_HOST): Debian
# trixie's own slurmctld/slurmd/slurm-client 24.11 and munge (one key), a controller `ctl`, two
# compute nodes `node1`/`node2` (python3-torch 2.6 and Fashion-MNIST from the stand-in base image,
# two stand-in GPUs each as gres) and a login node `login` whose sshd is published on 127.0.0.1.
# /home is one volume shared by all four, as a cluster's shared file system is.
#
#   slurm-cluster.sh start        prints `export …` lines to eval (GPU_ENV_TEST_SLURM_HOST, …_SSH_CONFIG, …)
#   slurm-cluster.sh stop         removes the containers and volumes
#   slurm-cluster.sh kill-node N  kills compute node N's container (a node failure)
#   slurm-cluster.sh revive-node N  starts it again: names, munge, stand-in GPUs, slurmd; waits until
#                                 the controller has it back (ReturnToService=2)
#
# Needs GPU_ENV_TEST_BASE_IMAGE (test/harness/base-image.sh). The cluster image is the base plus the
# Slurm packages, cached by recipe hash in the engine; the packages themselves are cached in
# $cache/slurm-apt, so an engine started afresh rebuilds it without the network.
set -euo pipefail

instance="${GPU_ENV_TEST_INSTANCE:-ci}"
cache="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
run="/tmp/gpu-env-slurm-$instance"
prefix="gpu-env-slurm-$instance"
label="dev.gpu-env-test.slurm=$instance"
user="researcher"
uid=2000
nodes=(node1 node2)
roles=(ctl "${nodes[@]}" login)
packages="slurmctld slurmd slurm-client munge"
here="$(cd "$(dirname "$0")" && pwd)"

log() { echo "slurm-cluster: $*" >&2; }

# Bounded wait: `until_ok SECONDS WHAT COMMAND…` polls every 0.2 s.
until_ok() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$what: not ready after ${limit} s"
      return 1
    fi
    sleep 0.2
  done
}

in_role() { local role=$1; shift; docker exec "$prefix-$role" "$@" </dev/null; }
# The same, with this script's stdin as the command's.
in_role_input() { local role=$1; shift; docker exec -i "$prefix-$role" "$@"; }

image_ref() {
  : "${GPU_ENV_TEST_BASE_IMAGE:?set GPU_ENV_TEST_BASE_IMAGE (test/harness/base-image.sh)}"
  local hash
  hash=$(printf '%s\n' "$GPU_ENV_TEST_BASE_IMAGE" "$packages" "$user:$uid" "$(cat "$here/slurm-image-setup.sh")" | sha256sum | cut -c1-12)
  echo "gpu-env-test/slurm:$hash"
}

# The base image plus Slurm, munge and the test user, committed as the cluster image.
ensure_image() {
  local ref=$1
  if docker image inspect "$ref" >/dev/null 2>&1; then return; fi
  mkdir -p "$cache/slurm-apt/archives/partial" "$cache/slurm-apt/lists/partial"
  log "building $ref from $GPU_ENV_TEST_BASE_IMAGE (Slurm packages from Debian's mirror, cached in $cache/slurm-apt)"
  local builder="$prefix-build"
  docker rm -f "$builder" >/dev/null 2>&1 || true
  if ! docker run --name "$builder" \
      -v "$cache/slurm-apt/archives:/var/cache/apt/archives" -v "$cache/slurm-apt/lists:/var/lib/apt/lists" \
      -v "$here/slurm-image-setup.sh:/setup.sh:ro" \
      -e PACKAGES="$packages" -e TEST_USER="$user" -e TEST_UID="$uid" \
      "$GPU_ENV_TEST_BASE_IMAGE" sh /setup.sh >"$cache/slurm-image-build.log" 2>&1; then
    log "image build failed; last lines of $cache/slurm-image-build.log:"
    tail -20 "$cache/slurm-image-build.log" >&2
    docker rm -f "$builder" >/dev/null 2>&1 || true
    return 1
  fi
  docker commit --change 'ENTRYPOINT ["/usr/bin/tini", "--"]' --change 'CMD ["sleep", "infinity"]' "$builder" "$ref" >/dev/null
  docker rm -f "$builder" >/dev/null
}

cluster_running() {
  for role in "${roles[@]}"; do
    [ "$(docker inspect -f '{{.State.Running}}' "$prefix-$role" 2>/dev/null)" = true ] || return 1
  done
  [ -s "$run/exports" ] && in_role login sinfo -h >/dev/null 2>&1
}

remove_cluster() {
  local ids
  ids=$(docker ps -aq --filter "label=$label" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  docker volume rm -f "$prefix-home" "$prefix-etc" >/dev/null 2>&1 || true
}

slurm_conf() {
  cat <<EOF
# The test cluster (test/harness/slurm-cluster.sh). Plugins chosen for containers: no cgroups,
# process tracking by /proc, no accounting daemon.
ClusterName=gpuenvtest
SlurmctldHost=ctl
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
SchedulerType=sched/backfill
# A short backfill interval so that \`squeue --start\` has an expected start within seconds.
SchedulerParameters=bf_interval=2
# The nodes are containers on a small machine: take the configured sizes as they are.
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
# Shorter than Slurm's defaults (300 s, 120 s) so that the tests of a failed node and of a requeued
# job do not wait minutes: a node that stops answering is DOWN after 30 s, and a requeued job may
# start again 30 s after it was requeued (cred_expire is also that wait).
SlurmdTimeout=30
AuthInfo=cred_expire=30
NodeName=node[1-2] CPUs=2 RealMemory=4000 Gres=gpu:2 State=UNKNOWN
PartitionName=gpu Nodes=node[1-2] Default=YES DefaultTime=02:00:00 MaxTime=1-00:00:00 State=UP
PartitionName=debug Nodes=node[1-2] DefaultTime=00:30:00 MaxTime=01:00:00 State=UP
EOF
}

# Names: every node knows every other by its short name (slurm.conf and srun's callbacks use
# them). Rewritten on every container when one comes back with another address.
write_hosts() {
  local hosts="" role
  for role in "${roles[@]}"; do
    hosts+="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$prefix-$role") $role"$'\n'
  done
  for role in "${roles[@]}"; do
    printf '%s' "$hosts" | in_role_input "$role" sh -c 'grep -v -w -e ctl -e node1 -e node2 -e login /etc/hosts > /tmp/hosts; cat /tmp/hosts - > /etc/hosts'
  done
}

# munged with the key already installed in the container (it survives a restart of the container).
start_munged() {
  in_role "$1" sh -c 'mkdir -p /run/munge && chown munge:munge /run/munge && runuser -u munge -- /usr/sbin/munged'
}

start_slurmd() {
  # Stand-in GPUs: Slurm only counts the device files (the same major/minor as /dev/null).
  in_role "$1" sh -c 'for i in 0 1; do [ -e /dev/fakegpu$i ] || mknod -m 666 /dev/fakegpu$i c 1 3; done; mkdir -p /var/lib/slurm/slurmd /var/log/slurm && /usr/sbin/slurmd'
}

# A node failure: the container and everything in it (slurmd, the job's processes) gone at once.
kill_node() {
  local node=${1:?usage: slurm-cluster.sh kill-node node1|node2}
  case " ${nodes[*]} " in *" $node "*) ;; *) log "no compute node $node (${nodes[*]})"; return 2 ;; esac
  docker kill "$prefix-$node" >/dev/null
  log "$node killed"
}

# The node back: its container started again, names rewritten everywhere, munge and slurmd
# started; the controller returns it to service once slurmd registers (ReturnToService=2).
revive_node() {
  local node=${1:?usage: slurm-cluster.sh revive-node node1|node2}
  case " ${nodes[*]} " in *" $node "*) ;; *) log "no compute node $node (${nodes[*]})"; return 2 ;; esac
  docker start "$prefix-$node" >/dev/null
  write_hosts
  start_munged "$node"
  start_slurmd "$node"
  until_ok 90 "$node back in service" sh -c "docker exec $prefix-login sinfo -h -N -n $node -o '%t' | grep -qE '^(idle|mix|alloc)'"
  log "$node revived"
}

start() {
  if cluster_running; then
    cat "$run/exports"
    return
  fi
  local started=$SECONDS
  local ref
  ref=$(image_ref)
  ensure_image "$ref"
  remove_cluster
  rm -rf "$run"
  mkdir -p "$run"
  chmod 700 "$run"
  docker volume create "$prefix-home" >/dev/null
  docker volume create "$prefix-etc" >/dev/null
  for role in "${roles[@]}"; do
    local extra=()
    case $role in
      login) extra=(-p 127.0.0.1::22) ;;
      node*) extra=(--shm-size 1g) ;;
    esac
    docker run -d --name "$prefix-$role" --hostname "$role" --label "$label" \
      -v "$prefix-home:/home" -v "$prefix-etc:/etc/slurm" "${extra[@]}" "$ref" >/dev/null
  done

  write_hosts

  # Configuration on the shared /etc/slurm volume, and one munge key copied to every node.
  slurm_conf | in_role_input ctl sh -c 'cat > /etc/slurm/slurm.conf'
  echo 'NodeName=node[1-2] Name=gpu File=/dev/fakegpu[0-1]' | in_role_input ctl sh -c 'cat > /etc/slurm/gres.conf'
  echo 'CgroupPlugin=disabled' | in_role_input ctl sh -c 'cat > /etc/slurm/cgroup.conf'
  in_role ctl sh -c 'dd if=/dev/urandom bs=1024 count=1 of=/etc/slurm/.munge.key 2>/dev/null && chmod 0400 /etc/slurm/.munge.key'
  for role in "${roles[@]}"; do
    in_role "$role" sh -c 'install -o munge -g munge -m 0400 /etc/slurm/.munge.key /etc/munge/munge.key'
    start_munged "$role"
  done
  in_role ctl rm -f /etc/slurm/.munge.key

  in_role ctl sh -c 'mkdir -p /var/lib/slurm/slurmctld /var/log/slurm && chown -R slurm:slurm /var/lib/slurm /var/log/slurm && /usr/sbin/slurmctld'
  for node in "${nodes[@]}"; do start_slurmd "$node"; done

  # The login node: sshd for the test user only, key login only, its host key pinned below.
  ssh-keygen -q -t ed25519 -N '' -C "$user@gpu-env-test-slurm" -f "$run/id_ed25519"
  ssh-keygen -q -t ed25519 -N '' -C login-host-key -f "$run/login_host_key"
  in_role_input login sh -c "mkdir -p /home/$user/.ssh && chmod 700 /home/$user/.ssh && cat > /home/$user/.ssh/authorized_keys && chmod 600 /home/$user/.ssh/authorized_keys && chown -R $user:$user /home/$user" <"$run/id_ed25519.pub"
  in_role_input login sh -c 'cat > /etc/ssh/ssh_host_ed25519_key && chmod 600 /etc/ssh/ssh_host_ed25519_key' <"$run/login_host_key"
  in_role_input login sh -c 'cat > /etc/ssh/ssh_host_ed25519_key.pub' <"$run/login_host_key.pub"
  in_role login sh -c "mkdir -p /run/sshd && /usr/sbin/sshd -f /etc/ssh/sshd_config_gpuenv -E /var/log/sshd.log"

  local port
  port=$(docker port "$prefix-login" 22/tcp | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -1)
  [ -n "$port" ] || { log "login node has no published SSH port"; return 1; }
  echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$run/login_host_key.pub")" >"$run/known_hosts"
  local alias="gpu-env-test-slurm-$instance"
  cat >"$run/ssh_config" <<EOF
Host $alias
  HostName 127.0.0.1
  Port $port
  User $user
  IdentityFile $run/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $run/known_hosts
  StrictHostKeyChecking yes
  PasswordAuthentication no
EOF

  until_ok 60 "both compute nodes idle" sh -c "docker exec $prefix-login sinfo -h -N -p gpu -o '%N %t' | grep -c idle | grep -qx 2"
  until_ok 20 "SSH to the login node" ssh -F "$run/ssh_config" -o BatchMode=yes "$alias" true

  cat >"$run/exports" <<EOF
export GPU_ENV_TEST_SLURM_HOST=slurm://$alias
export GPU_ENV_TEST_SLURM_SSH_CONFIG=$run/ssh_config
export GPU_ENV_TEST_SLURM_KNOWN_HOSTS=$run/known_hosts
export GPU_ENV_TEST_SLURM_KEY=$run/id_ed25519
export GPU_ENV_TEST_SLURM_USER=$user
export GPU_ENV_TEST_SLURM_LOGIN=127.0.0.1:$port
export GPU_ENV_TEST_SLURM_CONTAINER_PREFIX=$prefix
EOF
  log "cluster up in $((SECONDS - started)) s: ssh -F $run/ssh_config $alias"
  cat "$run/exports"
}

stop() {
  remove_cluster
  rm -rf "$run"
  log "cluster $instance removed"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill-node) kill_node "${2:-}" ;;
  revive-node) revive_node "${2:-}" ;;
  *) echo "usage: slurm-cluster.sh start|stop|kill-node NODE|revive-node NODE" >&2; exit 2 ;;
esac
