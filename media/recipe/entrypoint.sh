#!/bin/sh
# Starts the environment: creates the main user with the workspace owner's UID/GID, installs the
# host key and authorised key the client generated, configures sshd key-only for that user alone,
# and runs it in the foreground.
#
# On the first start the keys (with the run key and gpu-env's runner) come on standard input as a
# tar archive, written by the client right after the start (never in the container's configuration,
# where `docker inspect` would show them). They are read once the user is prepared, so that both
# happen at the same time; on a restart they are already in place.
set -eu

conf=/etc/gpu-env
user="${GPU_ENV_USER:-dev}"
uid="${GPU_ENV_UID:-1000}"
gid="${GPU_ENV_GID:-$uid}"

case "$uid$gid" in *[!0-9]*|'') echo "gpu-env: GPU_ENV_UID and GPU_ENV_GID must be numbers" >&2; exit 1 ;; esac
case "$user" in [a-z_]*[!a-z0-9_-]*|[!a-z_]*|'') echo "gpu-env: GPU_ENV_USER must be a user name like dev" >&2; exit 1 ;; esac

# This script is on the path to the first SSH command, and a process costs 1-3 ms on a busy
# machine: it uses shell built-ins wherever they do (lookups, quoting, writing files).

# True when FILE has an entry whose name (FIELD 1) or id (FIELD 3) is VALUE.
has_entry() {
  while IFS=: read -r entry_name entry_password entry_id entry_rest || [ -n "$entry_name" ]; do
    case "$2" in
      1) [ "$entry_name" = "$3" ] && return 0 ;;
      3) [ "$entry_id" = "$3" ] && return 0 ;;
    esac
  done < "$1"
  return 1
}

# True when the account's password field is locked ('!...').
locked() {
  # shellcheck disable=SC2034 # entry_rest takes the fields after the password
  while IFS=: read -r entry_name entry_password entry_rest || [ -n "$entry_name" ]; do
    if [ "$entry_name" = "$1" ]; then case "$entry_password" in '!'*) return 0 ;; esac; fi
  done < /etc/shadow
  return 1
}

if [ "$uid" = "0" ]; then
  user=root
else
  # The account is written straight into the files: groupadd and useradd take 50-150 ms here
  # (locks, fsyncs, subordinate id ranges), more than everything else the start does.
  if ! has_entry /etc/group 3 "$gid"; then
    if has_entry /etc/group 1 "$user"; then
      groupadd -g "$gid" "$user" # the name is taken by another GID: let groupadd say so
    else
      echo "$user:x:$gid:" >> /etc/group
      if [ -f /etc/gshadow ]; then echo "$user:!::" >> /etc/gshadow; fi
    fi
  fi
  # '*' instead of the locked '!': sshd refuses public keys for locked accounts when PAM is off.
  if ! has_entry /etc/passwd 1 "$user"; then
    # The base image may already use this UID (ubuntu:24.04 has uid 1000): the account shares it.
    home="/home/$user"
    echo "$user:x:$uid:$gid::$home:/bin/bash" >> /etc/passwd
    echo "$user:*::0:99999:7:::" >> /etc/shadow
    if [ ! -e "$home" ]; then
      # Made 0700 while root still owns it: the container has no CAP_FOWNER (see spec.ts).
      mkdir -m 0700 "$home"
      cp -R /etc/skel/. "$home/"
      chown -R "$uid:$gid" "$home"
    fi
  elif locked "$user"; then
    usermod -p '*' "$user"
  fi
fi

# SSH sessions do not inherit the container's environment, which holds the image's ENV (PATH with
# conda's /opt/conda/bin first, LD_LIBRARY_PATH, CUDA and NVIDIA variables): carry all of it but what
# belongs to one process or session. sshd's SetEnv gives it to every session (`ssh host cmd` too);
# /etc/profile.d puts it back in login shells after Debian's /etc/profile has reset PATH.
single_quoted() {
  rest=$1
  quoted=
  while :; do
    case "$rest" in
      *"'"*) quoted="$quoted${rest%%"'"*}'\\''"; rest=${rest#*"'"} ;;
      *) quoted="$quoted$rest"; break ;;
    esac
  done
}
setenv_line=""
profile=""
for var in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
  case "$var" in HOME|HOSTNAME|PWD|OLDPWD|SHLVL|TERM|USER|LOGNAME|SHELL|MAIL|_|GPU_ENV_*) continue ;; esac
  eval "value=\${$var-}"
  # shellcheck disable=SC2154
  case "$value" in *"
"*) continue ;; esac
  single_quoted "$value"
  profile="${profile}export $var='$quoted'
"
  case "$value" in *'"'*|*'\'*) ;; *) setenv_line="$setenv_line \"$var=$value\"" ;; esac
done
printf '%scd /workspace 2>/dev/null || true\n' "$profile" > /etc/profile.d/gpu-env.sh

# shellcheck disable=SC2174 # /etc is there: -m applies to /etc/gpu-env
mkdir -p -m 0755 "$conf"
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
permit_root=no
[ "$user" = root ] && permit_root=prohibit-password
printf '%s\n' \
  'Port 22' \
  "HostKey $conf/ssh_host_ed25519_key" \
  "AuthorizedKeysFile $conf/authorized_keys" \
  'PubkeyAuthentication yes' \
  'PasswordAuthentication no' \
  'KbdInteractiveAuthentication no' \
  'PermitEmptyPasswords no' \
  "PermitRootLogin $permit_root" \
  "AllowUsers $user" \
  'UsePAM no' \
  'X11Forwarding no' \
  'AllowTcpForwarding yes' \
  'AllowAgentForwarding no' \
  'PermitUserEnvironment no' \
  'PrintMotd no' \
  'ClientAliveInterval 30' \
  'ClientAliveCountMax 4' \
  "${setenv_line:+SetEnv$setenv_line}" \
  'Subsystem sftp internal-sftp' > "$conf/sshd_config"

if [ -s "$conf/ssh_host_ed25519_key" ] && [ -s "$conf/authorized_keys" ]; then
  # A restart (or keys an older gpu-env copied in): make sure of their owner and modes.
  chown root:root "$conf" "$conf/ssh_host_ed25519_key" "$conf/authorized_keys"
  chmod 0600 "$conf/ssh_host_ed25519_key"
  chmod 0644 "$conf/authorized_keys"
  # The key that seals runs started here: the user's runner reads it, nobody else. (On the first
  # start the archive brings it with this owner and mode.)
  if [ -f "$conf/run_key" ]; then
    chown "root:$gid" "$conf/run_key"
    chmod 0440 "$conf/run_key"
  fi
else
  # First start: a tar archive on standard input holds the SSH keys, the run key and gpu-env's
  # runner, with the modes and owners they keep. Extracted apart and moved into place only whole;
  # bounded, so that a client that died before writing does not leave this waiting for ever.
  incoming="$conf/.incoming"
  if [ -e "$incoming" ]; then rm -rf "$incoming"; fi
  mkdir -m 0700 "$incoming"
  if timeout 60 tar -x -f - -C "$incoming" && [ -s "$incoming/authorized_keys" ] && [ -s "$incoming/ssh_host_ed25519_key" ] && [ -s "$incoming/run_key" ] && [ -s "$incoming/gpu_env_run.py" ]; then
    mv "$incoming/authorized_keys" "$incoming/ssh_host_ed25519_key" "$incoming/run_key" "$conf/"
    mv "$incoming/gpu_env_run.py" /opt/gpu-env/
    rmdir "$incoming"
  else
    rm -rf "$incoming"
    echo "gpu-env: the SSH keys did not arrive in $conf; recreate the environment with gpu-env" >&2
    exit 1
  fi
fi

# Training runs that were running when the container stopped and asked for it start again: by
# gpu-env's own runner (not one from the workspace, which a cloned repository may carry), and only
# runs sealed with this environment's key (a run.json from elsewhere is left alone).
# Python is started only when there is a run folder (it takes 0.1-0.3 s on a busy machine, on the
# way to the first SSH command): with none, resume-all has nothing to do.
runner=/opt/gpu-env/gpu_env_run.py
has_runs=no
for run in /workspace/.gpu-env/runs/*/; do
  if [ -d "$run" ]; then has_runs=yes; break; fi
done
if [ "$has_runs" = yes ] && [ -f "$runner" ] && command -v python3 >/dev/null 2>&1; then
  if [ "$user" = root ]; then
    python3 "$runner" resume-all /workspace/.gpu-env/runs >>/tmp/gpu-env-resume.log 2>&1 || true
  else
    su -s /bin/sh "$user" -c "python3 '$runner' resume-all /workspace/.gpu-env/runs" >>/tmp/gpu-env-resume.log 2>&1 || true
  fi
fi

echo "gpu-env: sshd ready for $user (uid $uid)"
idle_watcher=/opt/gpu-env/idle/gpu_env_idle.py
if [ -z "${GPU_ENV_IDLE_STOP_MS:-}" ] || [ ! -f "$idle_watcher" ]; then
  exec /usr/sbin/sshd -D -e -f "$conf/sshd_config" </dev/null
fi

# Idle stop: the watcher stops sshd when the environment has been unused for the window, and this
# shell then exits 0, which the restart policy (on-failure) leaves stopped, also across an engine
# restart; so does a stop that `gpu-env down` asked for. A stop by the engine (its shutdown) exits
# 143, and the engine starts the environment again, resuming its runs, as it does without idle stop.
state=/run/gpu-env
mkdir -p "$state"
rm -f "$state/idle-stopped" "$state/down-requested" "$state/keep-running" "$state/idle.json"
python=""
for candidate in python3 /opt/conda/bin/python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "gpu-env: no python3 in this image, so idle stop is off" >&2
  exec /usr/sbin/sshd -D -e -f "$conf/sshd_config" </dev/null
fi
/usr/sbin/sshd -D -e -f "$conf/sshd_config" </dev/null &
sshd_pid=$!
"$python" "$idle_watcher" --window-ms "$GPU_ENV_IDLE_STOP_MS" --main-pid "$sshd_pid" --state "$state" &
watcher_pid=$!
stopping=no
trap 'stopping=yes; kill -TERM "$sshd_pid" 2>/dev/null' TERM INT HUP
code=0
while :; do
  # `|| code=$?`: under `set -e` a bare failing wait (sshd stopped by a signal) would end this shell.
  code=0
  wait "$sshd_pid" || code=$?
  kill -0 "$sshd_pid" 2>/dev/null || break
done
kill -TERM "$watcher_pid" 2>/dev/null || true
wait "$watcher_pid" 2>/dev/null || true
if [ -f "$state/idle-stopped" ] || [ -f "$state/down-requested" ]; then exit 0; fi
if [ "$stopping" = yes ]; then exit 143; fi
echo "gpu-env: sshd ended (exit $code)" >&2
[ "$code" -ne 0 ] && exit "$code"
exit 1
