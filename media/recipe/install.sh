#!/bin/sh
# Adds sshd, a C++ compiler (torch.compile needs one), tini, tmux and Jupyter to the base image,
# installing only what is missing.
#
# Build arguments (all optional, none part of the recipe hash: they change where packages come from,
# not which): GPU_ENV_APT_MIRROR, an archive URL apt uses for this install only (the image keeps the
# base's own sources); GPU_ENV_PIP_INDEX_URL, the index pip installs JupyterLab from; and the
# predefined HTTP_PROXY/HTTPS_PROXY/NO_PROXY, which apt and pip read from the environment.
set -eu

has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
# gpu-env shows lines starting "gpu-env warning:" as warnings of `up`.
warn() { echo "gpu-env warning: $*" >&2; }

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
  apt_options=""
  if [ -n "${GPU_ENV_APT_MIRROR:-}" ]; then
    sources=$(mktemp -d /tmp/gpu-env-apt.XXXXXX)
    sh /opt/gpu-env/mirror-sources.sh "$GPU_ENV_APT_MIRROR" "$sources"
    apt_options="-o Dir::Etc::SourceList=$sources/sources.list -o Dir::Etc::SourceParts=$sources/sources.list.d"
    echo "gpu-env: apt sources for this install (mirror $GPU_ENV_APT_MIRROR):"
    cat "$sources/sources.list" "$sources/sources.list.d/"* 2>/dev/null | grep -v '^[[:space:]]*#' | grep -v '^[[:space:]]*$' | sed 's/^/  /' || true
  fi
  # shellcheck disable=SC2086
  apt-get $apt_options update
  # shellcheck disable=SC2086
  apt-get $apt_options install -y --no-install-recommends $apt_packages
  rm -rf /var/lib/apt/lists/* ${sources:+"$sources"}
else
  echo "gpu-env: sshd, g++, tini and tmux already present"
fi

# Jupyter: Lab when it can be had, Notebook is fine when the base already ships it. Without pip or
# without a reachable index the image is still usable: `gpu-env jupyter` then says how to add it.
if has jupyter-lab || has jupyter-notebook; then
  echo "gpu-env: Jupyter already present"
elif python3 -m pip --version >/dev/null 2>&1; then
  index_options=""
  if [ -n "${GPU_ENV_PIP_INDEX_URL:-}" ]; then
    index_options="--index-url $GPU_ENV_PIP_INDEX_URL"
    # pip ignores a plain-HTTP index unless its host is trusted; the user named this one on purpose.
    case "$GPU_ENV_PIP_INDEX_URL" in
      http://*) index_host=${GPU_ENV_PIP_INDEX_URL#http://}; index_options="$index_options --trusted-host ${index_host%%/*}" ;;
    esac
  fi
  echo "gpu-env: installing JupyterLab${GPU_ENV_PIP_INDEX_URL:+ from $GPU_ENV_PIP_INDEX_URL}"
  # shellcheck disable=SC2086
  if ! python3 -m pip install --no-cache-dir --retries 2 --timeout 30 $index_options jupyterlab; then
    warn "pip could not install JupyterLab${GPU_ENV_PIP_INDEX_URL:+ from $GPU_ENV_PIP_INDEX_URL}; the environment has no Jupyter"
  fi
else
  warn "the base image has no pip, so JupyterLab was not installed; the environment has no Jupyter"
fi

rm -f /etc/ssh/ssh_host_*
mkdir -p /run/sshd /etc/gpu-env
chmod 0755 /opt/gpu-env/entrypoint.sh
