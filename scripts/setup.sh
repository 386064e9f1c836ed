#!/usr/bin/env bash
# Installs what building and testing Aspara needs, skipping whatever is already present at the right
# version: the wasm32 target, trunk, wasm-bindgen-cli (the version in Cargo.lock), wasm-opt (binaryen, npm),
# Chromium and its driver, Python Aspara 0.1.0 (the compatibility reference) and the browser tests' npm
# packages.
#
# `scripts/setup.sh --build-only` installs just what building the dashboard and the CLI needs (npm
# included, for wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
[ "${1:-}" = "--build-only" ] && build_only=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
    say "installing trunk 0.21 (about 12 minutes on 2 cores)"
    cargo install trunk --version '~0.21' --locked
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${bindgen_version}\$"; then
    say "installing wasm-bindgen-cli ${bindgen_version}"
    # Not --locked: one of its locked dependencies is missing from the registry mirror.
    cargo install wasm-bindgen-cli --version "${bindgen_version}" --force
fi

# wasm-opt for the dashboard's release build, from npm (binaryen 132, locked in tools/binaryen):
# distribution packages are too old for the wasm features rustc emits.
if ! tools/binaryen/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132\b'; then
    say "installing wasm-opt (binaryen 132, npm)"
    (cd tools/binaryen && npm ci --no-audit --no-fund)
fi

[ "$build_only" = 1 ] && exit 0

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Chromium and ChromeDriver"
    if [ "$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium chromium-driver
    else sudo apt-get update -q && sudo apt-get install -y -q chromium chromium-driver; fi
fi

if ! python3 -c 'import aspara, fastapi, requests, watchfiles, sys; sys.exit(aspara.__version__ != "0.1.0")' 2>/dev/null; then
    say "installing Python Aspara 0.1.0 with its tracker, client and dashboard (compatibility reference)"
    python3 -m pip install -q 'aspara[tracker,remote,dashboard]==0.1.0'
fi

if [ -f tests/browser/package-lock.json ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
    say "installing the browser tests' npm packages"
    (cd tests/browser && npm ci --no-audit --no-fund)
fi
