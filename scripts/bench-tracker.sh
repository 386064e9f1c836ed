#!/usr/bin/env bash
# Tracker ingest benchmark: records/s from 8 concurrent clients on loopback.
#   ours:   `aspara tracker` (release), each client our remote writer (batches);
#   Python: Aspara 0.1.0's tracker, each client Aspara's RemoteRun (one request per record).
# Usage: scripts/bench-tracker.sh [records-per-client-ours] [records-per-client-python]
set -euo pipefail
cd "$(dirname "$0")/.."
N_OURS=${1:-100000}
N_PY=${2:-400}
CLIENTS=8
cargo build --release -q -p aspara-cli --bin aspara
cargo build --release -q -p aspara --features remote --example remote_load
BIN=target/release/aspara
LOAD=target/release/examples/remote_load
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 600); do curl -sf "$1/api/v1/health" >/dev/null && return 0; sleep 0.05; done; echo "tracker $1 did not start" >&2; exit 1; }
count_lines() { cat "$1"/*/*.jsonl | grep -c . ; }

# --- ours
P=$(free_port); URI="http://127.0.0.1:$P/tracker"
"$BIN" tracker --port "$P" --data-dir "$WORK/ours-server" >/dev/null &
TRACKER=$!
wait_up "$URI"
T0=$(date +%s.%N)
for i in $(seq 1 $CLIENTS); do "$LOAD" "$URI" bench "run-$i" "$N_OURS" "$WORK/ours-client" >/dev/null & done
wait $(jobs -p | grep -v "^$TRACKER$")
T1=$(date +%s.%N)
kill -TERM $TRACKER; wait $TRACKER || true
GOT=$(count_lines "$WORK/ours-server")
OURS=$(python3 -c "print(round($GOT/($T1-$T0)))")
echo "ours:   $CLIENTS clients x $N_OURS records: $GOT lines in $(python3 -c "print(round($T1-$T0,2))") s = $OURS records/s"

# --- Python Aspara 0.1.0
P=$(free_port); URI="http://127.0.0.1:$P/tracker"
ASPARA_DATA_DIR="$WORK/py-server" python3 -c "import sys; from aspara.cli import main; sys.argv=['aspara','tracker','--port','$P']; main()" >/dev/null 2>&1 &
TRACKER=$!
wait_up "$URI"
cat > "$WORK/py_load.py" <<'PY'
import sys, aspara
uri, run, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = aspara.init(project="bench", name=run, tracker_uri=uri)
for i in range(n):
    r.log({"loss": 1.0 / (i + 1), "acc": i / n, "lr": 1e-3})
r.finish()
PY
T0=$(date +%s.%N)
for i in $(seq 1 $CLIENTS); do ASPARA_DATA_DIR="$WORK/py-client" python3 "$WORK/py_load.py" "$URI" "run-$i" "$N_PY" >/dev/null 2>&1 & done
wait $(jobs -p | grep -v "^$TRACKER$")
T1=$(date +%s.%N)
kill $TRACKER; wait $TRACKER 2>/dev/null || true
GOT=$(count_lines "$WORK/py-server")
PY=$(python3 -c "print(round($GOT/($T1-$T0)))")
echo "python: $CLIENTS clients x $N_PY records: $GOT lines in $(python3 -c "print(round($T1-$T0,2))") s = $PY records/s"
python3 -c "print(f'ratio:  {$OURS/$PY:.0f}x')"
