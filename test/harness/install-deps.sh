#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (Docker engine, debootstrap, OpenSSH, Chromium).
# Skips apt entirely when everything is already there.
set -euo pipefail

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v ssh >/dev/null || need+=(openssh-client)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ip >/dev/null || need+=(iproute2)
command -v iptables >/dev/null || need+=(iptables)
command -v docker-init >/dev/null || need+=(tini)
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
# Unit tests evaluate the generated Jupyter config with Python; the remote-host tests use ssh-agent.
command -v python3 >/dev/null || need+=(python3)
command -v ssh-agent >/dev/null || need+=(openssh-client)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
# The registry tests: Debian's registry, bcrypt htpasswd for its password file, curl to see it is up.
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v curl >/dev/null || need+=(curl)
# The NVIDIA stand-in hook of the shared-GPU tests reads the container's OCI config with jq.
command -v jq >/dev/null || need+=(jq)

if [ ${#need[@]} -eq 0 ]; then
  echo "harness: system packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "harness: missing packages ${need[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "harness: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
# The package starts a registry on :5000 where an init system runs services; the tests start their own.
if [[ " ${need[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
