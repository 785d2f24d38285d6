#!/bin/sh
# Runs once in a container of the stand-in base image (python3-torch 2.6, Fashion-MNIST, sshd);
# slurm-cluster.sh commits the result as the image of every node of the test cluster.
# Inputs: PACKAGES, TEST_USER, TEST_UID. apt's lists and archives are volumes of the harness cache.
set -eu
export DEBIAN_FRONTEND=noninteractive
# Cached lists and packages first (works offline); the mirror only when they do not suffice.
if ! apt-get install -y --no-install-recommends $PACKAGES; then
  apt-get update
  apt-get install -y --no-install-recommends $PACKAGES
fi

# The test user, the same UID on every node (its home is the shared /home volume).
useradd -u "$TEST_UID" -U -s /bin/bash -M -d "/home/$TEST_USER" "$TEST_USER"
usermod -p '*' "$TEST_USER" # no password, not locked: key login works with UsePAM no

# The login node's sshd: key login for the test user only.
cat > /etc/ssh/sshd_config_gpuenv <<EOF
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowUsers $TEST_USER
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
EOF
rm -f /etc/ssh/ssh_host_*key*
mkdir -p /var/lib/slurm /var/log/slurm /run/munge
chown slurm:slurm /var/lib/slurm /var/log/slurm
