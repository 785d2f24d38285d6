#!/bin/sh
# mirror-sources.sh MIRROR OUT_DIR [APT_ETC]
# Writes OUT_DIR/sources.list and OUT_DIR/sources.list.d/ as copies of APT_ETC's (default /etc/apt)
# with the Debian/Ubuntu archives replaced by MIRROR, for apt's Dir::Etc::SourceList/SourceParts.
# Only hosts under debian.org and ubuntu.com are replaced (other repositories stay as they are):
# /debian and /ubuntu become MIRROR, /debian-security its "-security" sibling and /ubuntu-ports its
# "-ports" sibling, as mirrors lay them out (mirrors.tuna.tsinghua.edu.cn/debian, …/debian-security).
set -eu

mirror=${1%/}
out=$2
etc=${3:-/etc/apt}
archive='https?://([A-Za-z0-9-]+\.)*(debian\.org|ubuntu\.com)(:[0-9]+)?'

mkdir -p "$out/sources.list.d"
: > "$out/sources.list"
for file in "$etc/sources.list" "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
  [ -f "$file" ] || continue
  case "$file" in "$etc/sources.list") target="$out/sources.list" ;; *) target="$out/sources.list.d/${file##*/}" ;; esac
  sed -E \
    -e "s#${archive}/debian-security/?([[:space:]]|\$)#${mirror}-security\\4#g" \
    -e "s#${archive}/ubuntu-ports/?([[:space:]]|\$)#${mirror}-ports\\4#g" \
    -e "s#${archive}/(debian|ubuntu)/?([[:space:]]|\$)#${mirror}\\5#g" \
    "$file" > "$target"
done
