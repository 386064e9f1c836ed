#!/usr/bin/env bash
# Builds the dashboard into dist/ with trunk (release, offline). The aspara binary embeds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt (binaryen, pinned in tools/binaryen/package-lock.json; `scripts/setup.sh` installs it):
# trunk runs it on the release wasm (`data-wasm-opt` in index.html).
export PATH="$PWD/tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if ! command -v wasm-opt >/dev/null; then
    echo "build-dashboard: wasm-opt is missing; run scripts/setup.sh --build-only" >&2
    exit 1
fi
if [ -f index.html ] && grep -q 'data-trunk' index.html; then
    trunk build --offline --release
fi
