#!/usr/bin/env bash
# Prepare the end-to-end harness: Debian packages + code-server from npm, cached outside the repo.
#
# Idempotent: a marker file keyed by the code-server version makes a warm rerun a no-op.
# Bounded: every network/install step runs under `timeout`.
#
# Environment:
#   GPU_ENV_TEST_CACHE      cache root (default: $HOME/.cache/gpu-env-test)
#   GPU_ENV_CODE_SERVER_VERSION  code-server version (default: 4.100.3)
#   GPU_ENV_E2E_FORCE=1     reinstall code-server even if the marker exists
#
# Prints, as its last line, `CODE_SERVER_BIN=<path>` so callers can pick it up.
set -euo pipefail

CS_VERSION="${GPU_ENV_CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${GPU_ENV_TEST_CACHE:-$HOME/.cache/gpu-env-test}"
CS_DIR="$CACHE_ROOT/code-server-$CS_VERSION"
MARKER="$CS_DIR/.gpu-env-e2e-installed-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
# fonts-wqy-microhei: a CJK font, so screenshots of the webviews in Chinese (test/webview) are legible.
APT_PACKAGES=(chromium fonts-wqy-microhei libkrb5-dev ripgrep)
# Seconds; generous but finite.
APT_TIMEOUT="${GPU_ENV_E2E_APT_TIMEOUT:-900}"
NPM_TIMEOUT="${GPU_ENV_E2E_NPM_TIMEOUT:-1800}"

START=$(date +%s)
log() { printf '[e2e-setup +%ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '[e2e-setup] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 0. Node 20 is a hard requirement of code-server's postinstall (it checks the npm user agent).
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
[ "$NODE_MAJOR" = "20" ] || die "code-server $CS_VERSION needs Node 20; found node '$NODE_MAJOR'"

# ---------------------------------------------------------------------------------------------
# 1. Debian packages.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  log "apt: installing ${missing[*]}"
  # `apt-get update` only when the package lists are empty or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    log "apt: apt-get update"
    timeout "$APT_TIMEOUT" apt-get update -q >/dev/null || die "apt-get update failed"
  fi
  # Another process may hold the dpkg lock; wait for it (bounded) rather than failing at once.
  DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" \
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}" \
    >/tmp/gpu-env-e2e-apt.log 2>&1 || { tail -30 /tmp/gpu-env-e2e-apt.log >&2; die "apt-get install failed (log: /tmp/gpu-env-e2e-apt.log)"; }
  log "apt: done"
else
  log "apt: ${APT_PACKAGES[*]} already installed"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after install"
[ -x /usr/bin/rg ] || die "/usr/bin/rg not found after install"

# ---------------------------------------------------------------------------------------------
# 2. code-server from npm. One installer at a time per version (bounded wait for the lock).
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.code-server-$CS_VERSION.lock"
if ! flock -n 9; then
  log "code-server: another setup.sh is installing $CS_VERSION; waiting (up to ${NPM_TIMEOUT}s)"
  flock -w "$NPM_TIMEOUT" 9 || die "timed out waiting for the install lock"
fi
if [ -f "$MARKER" ] && [ -f "$CS_BIN" ] && [ "${GPU_ENV_E2E_FORCE:-0}" != 1 ]; then
  log "code-server $CS_VERSION already installed in $CS_DIR (marker $(basename "$MARKER"))"
  log "done in $(( $(date +%s) - START ))s"
  echo "CODE_SERVER_BIN=$CS_BIN"
  exit 0
fi

log "code-server: installing $CS_VERSION into $CS_DIR"
rm -f "$MARKER"
mkdir -p "$CS_DIR"
# Keep everything this install writes in the cache: npm's cache, node-gyp, temp files and the
# @vscode/ripgrep download cache (it lives in os.tmpdir()).
INSTALL_TMP="$CS_DIR/.tmp"
mkdir -p "$INSTALL_TMP"
[ -f "$CS_DIR/package.json" ] || printf '{ "name": "gpu-env-e2e-code-server", "private": true }\n' >"$CS_DIR/package.json"

export TMPDIR="$INSTALL_TMP"
export npm_config_yes=true
# code-server's postinstall refuses to run as root unless it sees this.
export npm_config_unsafe_perm=true
# node-gyp: use the system Node headers (no header download; there is no internet).
if [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir=/usr; fi
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# There is no GitHub: prebuild-install (kerberos) and node-pre-gyp (argon2) fail fast on DNS and
# fall back to building from source with node-gyp.

# 2a. Fetch without running scripts, so that we can read which @vscode/ripgrep it pins.
log "code-server: npm install --ignore-scripts code-server@$CS_VERSION (download)"
timeout "$NPM_TIMEOUT" npm install --prefix "$CS_DIR" --no-save --ignore-scripts --loglevel=error \
  "code-server@$CS_VERSION" >"$CS_DIR/npm-install.log" 2>&1 \
  || { tail -40 "$CS_DIR/npm-install.log" >&2; die "npm install code-server failed (log: $CS_DIR/npm-install.log)"; }

PKG="$CS_DIR/node_modules/code-server"
[ -f "$PKG/postinstall.sh" ] || die "unexpected code-server package layout in $PKG"

# 2b. Pre-seed @vscode/ripgrep's download cache with Debian's rg. Its postinstall looks for
#     path.join(os.tmpdir(), `vscode-ripgrep-cache-${packageVersion}`,
#               `ripgrep-${VERSION}-${target}.tar.gz`)
#     and untars it into bin/, expecting `rg` at the top of the archive.
seed_ripgrep() {
  local rg_pkg_version="$1" rg_postinstall_version="$2" arch target dir
  arch="$(node -p 'process.arch')"
  case "$arch" in
    x64) target=x86_64-unknown-linux-musl ;;
    arm64) target=aarch64-unknown-linux-musl ;;
    *) die "unsupported arch for ripgrep seeding: $arch" ;;
  esac
  dir="$INSTALL_TMP/vscode-ripgrep-cache-$rg_pkg_version"
  mkdir -p "$dir"
  local tarball="$dir/ripgrep-$rg_postinstall_version-$target.tar.gz"
  if [ ! -s "$tarball" ]; then
    local stage; stage="$(mktemp -d)"
    cp /usr/bin/rg "$stage/rg"
    tar -C "$stage" -czf "$tarball" rg
    rm -rf "$stage"
  fi
  log "ripgrep: seeded $tarball"
}
# Find every @vscode/ripgrep version pinned by the nested installs (lib/vscode, its extensions).
RG_VERSIONS="$(node -e '
  const fs = require("fs"), path = require("path");
  const files = process.argv.slice(1).filter(f => fs.existsSync(f));
  const out = new Set();
  for (const f of files) {
    const lock = JSON.parse(fs.readFileSync(f, "utf8"));
    for (const [k, v] of Object.entries(lock.packages || {})) {
      if (k.endsWith("node_modules/@vscode/ripgrep") && v.version) out.add(v.version);
    }
  }
  console.log([...out].join(" "));
' "$PKG/lib/vscode/npm-shrinkwrap.json" "$PKG/lib/vscode/package-lock.json" \
  "$PKG/lib/vscode/extensions/npm-shrinkwrap.json" "$PKG/lib/vscode/extensions/package-lock.json")"
[ -n "$RG_VERSIONS" ] || die "could not find the @vscode/ripgrep version pinned by code-server"
for v in $RG_VERSIONS; do
  # The ripgrep-prebuilt release tag is a constant in that version's lib/postinstall.js.
  rgdir="$INSTALL_TMP/rg-pkg-$v"
  if [ ! -f "$rgdir/package/lib/postinstall.js" ]; then
    mkdir -p "$rgdir"
    (cd "$rgdir" && timeout 300 npm pack --silent "@vscode/ripgrep@$v" >/dev/null) || die "npm pack @vscode/ripgrep@$v failed"
    tar -xzf "$rgdir"/vscode-ripgrep-"$v".tgz -C "$rgdir"
  fi
  tag="$(sed -n "s/^const VERSION = '\(v[^']*\)'.*/\1/p" "$rgdir/package/lib/postinstall.js" | head -1)"
  [ -n "$tag" ] || die "could not read VERSION from @vscode/ripgrep@$v postinstall.js"
  seed_ripgrep "$v" "$tag"
done

# 2c. Run the install scripts skipped above: argon2's build, then code-server's postinstall
#     (npm install in lib/vscode and lib/vscode/extensions, which builds the native modules
#     node-pty, spdlog, kerberos, native-watchdog, deviceid with node-gyp).
log "code-server: running postinstall (native module builds; the slow part)"
timeout "$NPM_TIMEOUT" npm rebuild --prefix "$CS_DIR" --foreground-scripts \
  >"$CS_DIR/postinstall.log" 2>&1 \
  || { tail -60 "$CS_DIR/postinstall.log" >&2; die "code-server postinstall failed (log: $CS_DIR/postinstall.log)"; }

# 2d. Sanity checks: rg present, native modules loadable, the server answers --version.
RG_BIN="$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
[ -x "$RG_BIN" ] || die "ripgrep binary missing at $RG_BIN (see $CS_DIR/postinstall.log)"
for m in node-pty @vscode/spdlog native-watchdog; do
  (cd "$PKG/lib/vscode" && node -e "require('$m')") >/dev/null 2>&1 || die "native module $m does not load (see $CS_DIR/postinstall.log)"
done
# (--version still writes a default config; keep it out of $HOME.)
CHECK_HOME="$(mktemp -d)"
VERSION_OUT="$(XDG_CONFIG_HOME="$CHECK_HOME" XDG_DATA_HOME="$CHECK_HOME" timeout 60 node "$CS_BIN" --version 2>&1)" \
  || { rm -rf "$CHECK_HOME"; die "code-server --version failed: $VERSION_OUT"; }
rm -rf "$CHECK_HOME"
VERSION_LINE="$(printf '%s\n' "$VERSION_OUT" | grep -m1 -E '^[0-9]+\.[0-9]+\.[0-9]+ ' || true)"
log "code-server: ${VERSION_LINE:-$VERSION_OUT}"
case "$VERSION_LINE" in "$CS_VERSION "*) ;; *) die "unexpected code-server --version output: $VERSION_OUT" ;; esac

rm -rf "$INSTALL_TMP"/npm-* "$INSTALL_TMP"/rg-pkg-* 2>/dev/null || true
date -u +%FT%TZ >"$MARKER"
log "done in $(( $(date +%s) - START ))s"
echo "CODE_SERVER_BIN=$CS_BIN"
