#!/usr/bin/env bash
# End-to-end load test of the CORS layer through a real hyper server on
# loopback: the same handler bare, behind tower-http's CorsLayer and behind
# strict-cors's, each driven by wrk on two paths (allowed actual request,
# allowed preflight). Prints requests/second per mode, path and round.
#
# Usage: scripts/loadtest.sh
# Knobs (environment): SECS (per wrk run, default 5), CONNS (default 32),
#   THREADS (wrk threads, default 1), ROUNDS (default 3), MODES (default
#   "none tower-http strict-cors"), PATHS (default "actual preflight
#   refused": an allowed actual request, an allowed preflight, a request
#   from an origin that is not allowed).
# Rounds are interleaved (each round runs every mode, in rotating order);
# the summary gives the median and the spread (min-max) over the rounds.
#
# Bounded: every wrk run lasts SECS seconds (and is killed after SECS+10);
# each server exits on its own after the whole planned run plus a minute, and
# is killed by PID when the script ends, however it ends. Binds 127.0.0.1 only
# (ephemeral ports).
set -euo pipefail

SECS=${SECS:-5}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-"none tower-http strict-cors"}
PATHS=${PATHS:-"actual preflight refused"}
ORIGIN="https://app.example.com"
REFUSED_ORIGIN="https://evil.example.net"

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
    elif [ "$2" = refused ]; then
        out=$(timeout $((SECS + 10)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" \
            -H "Origin: $REFUSED_ORIGIN" "$url")
    else
        out=$(timeout $((SECS + 10)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" \
            -H "Origin: $ORIGIN" "$url")
    fi
    if grep -q 'Non-2xx' <<<"$out"; then
        echo "$1 $2: non-2xx responses" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

# Interleaved rounds: every round runs each path through every mode, in an
# order that rotates from round to round, so that all modes see the same
# machine load on average. Each figure is one wrk run.
printf '%-6s %-12s %-10s %12s\n' round mode path req/s
modes=($MODES)
for round in $(seq "$ROUNDS"); do
    for path in $PATHS; do
        for k in $(seq 0 $(( n_modes - 1 ))); do
            mode=${modes[$(( (round + k) % n_modes ))]}
            rps=$(run "$mode" "$path")
            printf '%-6s %-12s %-10s %12s\n' "$round" "$mode" "$path" "$rps"
            echo "$mode $path $rps" >>"$WORK/results"
        done
    done
done

# Summary: median and spread (min-max) over the rounds, per path and mode.
echo
printf '%-10s %-12s %10s %10s %10s\n' path mode median min max
for path in $PATHS; do
    for mode in $MODES; do
        awk -v m="$mode" -v p="$path" '$1 == m && $2 == p { print $3 }' "$WORK/results" \
            | sort -n | awk -v m="$mode" -v p="$path" '
                { v[NR] = $1 }
                END {
                    if (NR == 0) exit
                    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                    printf "%-10s %-12s %10.0f %10.0f %10.0f\n", p, m, med, v[1], v[NR]
                }'
    done
done
