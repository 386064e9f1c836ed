#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the wasm32 builds, the Rust test suites (unit, cases,
# Python compatibility, crash and concurrency tests, CLI end-to-end) and the real-browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "set-up"
scripts/setup.sh

step "format"
cargo fmt --all -- --check

step "dashboard build (trunk)"
scripts/build-dashboard.sh

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "wasm32 builds of the pure crates and the dashboard"
cargo check --locked --target wasm32-unknown-unknown -p aspara --no-default-features
cargo check --locked --target wasm32-unknown-unknown -p aspara-charts -p aspara-dashboard

step "Rust tests"
cargo test --workspace --locked

if [ -d tests/browser ] && ls tests/browser/*.test.mjs >/dev/null 2>&1; then
    step "browser tests (headless Chromium)"
    node --test --test-concurrency=1 tests/browser/
fi
