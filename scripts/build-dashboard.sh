#!/usr/bin/env bash
# Builds the dashboard into dist/ with trunk (release, offline). The aspara binary embeds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ -f index.html ] && grep -q 'data-trunk' index.html; then
    trunk build --offline --release
fi
