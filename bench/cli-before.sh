#!/usr/bin/env bash
# Builds the CLI of an older commit (default: the one before the split CLI bundle and code cache,
# 093fda9^) in a temporary folder and prints the path of its cli.js, for
#   GPU_ENV_BENCH_CLI_BEFORE=$(bash bench/cli-before.sh) npm run bench -- --only=cliStart
# It borrows this checkout's node_modules (the commit's build needs nothing newer). Remove the
# folder afterwards: rm -rf "$(dirname "$(dirname "$path")")".
set -euo pipefail
cd "$(dirname "$0")/.."
commit="${1:-093fda9^}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/gpu-env-cli-before-XXXXXX")
git archive "$commit" | tar -x -C "$dir"
ln -s "$PWD/node_modules" "$dir/node_modules"
(cd "$dir" && node esbuild.config.mjs >/dev/null 2>&1) || { echo "building $commit in $dir failed" >&2; exit 1; }
echo "$dir/dist/cli.js"
