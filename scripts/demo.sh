#!/usr/bin/env bash
# The main job: builds the dashboard and the `aspara` command, trains a real sweep (6 runs on the Iris
# data set) through the writer crate into ./aspara-demo-data, then serves the dashboard on
# http://127.0.0.1:3141. Extra arguments go to `aspara demo` (e.g. --port 8080, --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh --build-only
scripts/build-dashboard.sh
cargo run --release --locked -p aspara-cli -- demo --data-dir ./aspara-demo-data "$@"
