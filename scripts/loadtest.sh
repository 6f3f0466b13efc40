#!/usr/bin/env bash
# End-to-end load test of the CORS layer through a real hyper server on
# loopback: the same handler bare, behind tower-http's CorsLayer and behind
# strict-cors's, each driven by wrk on two paths (allowed actual request,
# allowed preflight). Prints requests/second per mode, path and round.
#
# Usage: scripts/loadtest.sh
# Knobs (environment): SECS (per wrk run, default 5), CONNS (default 32),
#   THREADS (wrk threads, default 1), ROUNDS (default 2), MODES (default
#   "none tower-http strict-cors"), PATHS (default "actual preflight").
#
# Bounded: every wrk run lasts SECS seconds (and is killed after SECS+10);
# each server exits on its own after the whole planned run plus a minute, and
# is killed by PID when the script ends, however it ends. Binds 127.0.0.1 only
# (ephemeral ports).
set -euo pipefail

SECS=${SECS:-5}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-2}
MODES=${MODES:-"none tower-http strict-cors"}
PATHS=${PATHS:-"actual preflight"}
ORIGIN="https://app.example.com"

cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 1; }

cargo build -j1 --release --example loadtest >&2
BIN=target/release/examples/loadtest

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

cat >"$WORK/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$ORIGIN"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "authorization,content-type"
EOF

n_paths=$(wc -w <<<"$PATHS")
n_modes=$(wc -w <<<"$MODES")
lifetime=$(( ROUNDS * n_paths * n_modes * (SECS + 2) + 60 ))

# Start one server per mode, each on its own ephemeral port.
declare -A PORT
for mode in $MODES; do
    LOADTEST_SECONDS=$lifetime "$BIN" "$mode" 0 >"$WORK/$mode.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        grep -q '^listening on' "$WORK/$mode.out" && break
        sleep 0.1
    done
    addr=$(sed -n 's/^listening on //p' "$WORK/$mode.out")
    [ -n "$addr" ] || { echo "server $mode did not start:" >&2; cat "$WORK/$mode.out" >&2; exit 1; }
    PORT[$mode]=${addr##*:}
    echo "server $mode on $addr" >&2
done

run() { # mode path -> requests/sec
    local url="http://127.0.0.1:${PORT[$1]}/api/items" out
    if [ "$2" = preflight ]; then
        out=$(timeout $((SECS + 10)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" \
            -s "$WORK/preflight.lua" "$url")
    else
        out=$(timeout $((SECS + 10)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" \
            -H "Origin: $ORIGIN" "$url")
    fi
    if grep -q 'Non-2xx' <<<"$out"; then
        echo "$1 $2: non-2xx responses" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

printf '%-6s %-12s %-10s %12s\n' round mode path req/s
for round in $(seq "$ROUNDS"); do
    for path in $PATHS; do
        for mode in $MODES; do
            printf '%-6s %-12s %-10s %12s\n' "$round" "$mode" "$path" "$(run "$mode" "$path")"
        done
    done
done
