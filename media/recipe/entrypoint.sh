#!/bin/sh
# Starts the environment: creates the main user with the workspace owner's UID/GID, installs the
# host key and authorised key the client generated (copied to /etc/gpu-env before the first start),
# configures sshd key-only for that user alone, and runs it in the foreground.
set -eu

conf=/etc/gpu-env
user="${GPU_ENV_USER:-dev}"
uid="${GPU_ENV_UID:-1000}"
gid="${GPU_ENV_GID:-$uid}"

for file in ssh_host_ed25519_key authorized_keys; do
  if [ ! -s "$conf/$file" ]; then
    echo "gpu-env: $conf/$file is missing; recreate the environment with gpu-env" >&2
    exit 1
  fi
done

if [ "$uid" = "0" ]; then
  user=root
  home=/root
else
  if ! getent group "$gid" >/dev/null; then groupadd -g "$gid" "$user"; fi
  # '*' instead of the locked '!': sshd refuses public keys for locked accounts when PAM is off.
  if ! id -u "$user" >/dev/null 2>&1; then
    # -o: the base image may already use this UID (ubuntu:24.04 has uid 1000); share it.
    useradd -o -m -p '*' -u "$uid" -g "$gid" -s /bin/bash "$user"
  elif getent shadow "$user" | cut -d: -f2 | grep -q '^!'; then
    usermod -p '*' "$user"
  fi
  home=$(getent passwd "$user" | cut -d: -f6)
fi

chown root:root "$conf" "$conf/ssh_host_ed25519_key" "$conf/authorized_keys"
chmod 0755 "$conf"
chmod 0600 "$conf/ssh_host_ed25519_key"
chmod 0644 "$conf/authorized_keys"

# SSH sessions do not inherit the container's environment, which holds the image's ENV (PATH with
# conda's /opt/conda/bin first, LD_LIBRARY_PATH, CUDA and NVIDIA variables): carry all of it but what
# belongs to one process or session. sshd's SetEnv gives it to every session (`ssh host cmd` too);
# /etc/profile.d puts it back in login shells after Debian's /etc/profile has reset PATH.
setenv_line=""
: > /etc/profile.d/gpu-env.sh
for var in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u); do
  case "$var" in HOME|HOSTNAME|PWD|OLDPWD|SHLVL|TERM|USER|LOGNAME|SHELL|MAIL|_|GPU_ENV_*) continue ;; esac
  eval "value=\${$var-}"
  # shellcheck disable=SC2154
  case "$value" in *"
"*) continue ;; esac
  printf "export %s='%s'\n" "$var" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")" >> /etc/profile.d/gpu-env.sh
  case "$value" in *'"'*|*'\'*) ;; *) setenv_line="$setenv_line \"$var=$value\"" ;; esac
done
echo 'cd /workspace 2>/dev/null || true' >> /etc/profile.d/gpu-env.sh

permit_root=no
[ "$user" = root ] && permit_root=prohibit-password
cat > "$conf/sshd_config" <<SSHD
Port 22
HostKey $conf/ssh_host_ed25519_key
AuthorizedKeysFile $conf/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin $permit_root
AllowUsers $user
UsePAM no
X11Forwarding no
AllowTcpForwarding yes
AllowAgentForwarding no
PermitUserEnvironment no
PrintMotd no
ClientAliveInterval 30
ClientAliveCountMax 4
${setenv_line:+SetEnv$setenv_line}
Subsystem sftp internal-sftp
SSHD

mkdir -p /run/sshd
chmod 0755 /run/sshd

# Training runs that were running when the container stopped and asked for it start again.
runner=/workspace/.gpu-env/runner/gpu_env_run.py
if [ -f "$runner" ] && command -v python3 >/dev/null 2>&1; then
  if [ "$user" = root ]; then
    python3 "$runner" resume-all /workspace/.gpu-env/runs >>/tmp/gpu-env-resume.log 2>&1 || true
  else
    su -s /bin/sh "$user" -c "python3 '$runner' resume-all /workspace/.gpu-env/runs" >>/tmp/gpu-env-resume.log 2>&1 || true
  fi
fi

echo "gpu-env: sshd ready for $user (uid $uid)"
idle_watcher=/opt/gpu-env/idle/gpu_env_idle.py
if [ -z "${GPU_ENV_IDLE_STOP_MS:-}" ] || [ ! -f "$idle_watcher" ]; then
  exec /usr/sbin/sshd -D -e -f "$conf/sshd_config"
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
  exec /usr/sbin/sshd -D -e -f "$conf/sshd_config"
fi
/usr/sbin/sshd -D -e -f "$conf/sshd_config" &
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
