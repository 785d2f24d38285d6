#!/bin/sh
# Adds sshd, a C++ compiler (torch.compile needs one), tini, tmux and Jupyter to the base image,
# installing only what is missing.
set -eu

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

apt_packages=""
has sshd || apt_packages="$apt_packages openssh-server"
has g++ || apt_packages="$apt_packages g++"
has tini || apt_packages="$apt_packages tini"
has tmux || apt_packages="$apt_packages tmux"
has python3 || apt_packages="$apt_packages python3"
has useradd || apt_packages="$apt_packages passwd"

if [ -n "$apt_packages" ]; then
  echo "gpu-env: installing$apt_packages"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "gpu-env: the base image lacks$apt_packages and has no apt-get; use a Debian/Ubuntu based image" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $apt_packages
  rm -rf /var/lib/apt/lists/*
else
  echo "gpu-env: sshd, g++, tini and tmux already present"
fi

# Jupyter: Lab when it can be had, Notebook is fine when the base already ships it.
if has jupyter-lab || has jupyter-notebook; then
  echo "gpu-env: Jupyter already present"
elif python3 -m pip --version >/dev/null 2>&1; then
  echo "gpu-env: installing JupyterLab"
  python3 -m pip install --no-cache-dir jupyterlab
else
  echo "gpu-env: no pip for JupyterLab; Jupyter will be unavailable in this image" >&2
fi

rm -f /etc/ssh/ssh_host_*
mkdir -p /run/sshd /etc/gpu-env
chmod 0755 /opt/gpu-env/entrypoint.sh
