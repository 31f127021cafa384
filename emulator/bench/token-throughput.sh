#!/usr/bin/env bash
# Token endpoint throughput benchmark (not a test): client_credentials with RS256 and with
# ES256 access tokens against the release build of upbond-emulator, measured with wrk.
#
# Usage: emulator/bench/token-throughput.sh [DURATION_SECS] [CONNECTIONS]
# Needs wrk (installed with apt-get when missing and running as root).
set -euo pipefail

duration="${1:-10}"
connections="${2:-32}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
    echo "installing wrk ..." >&2
    if [ "$(id -u)" = 0 ]; then
        (apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; })
    else
        echo "wrk is missing; install it (e.g. sudo apt-get install wrk)" >&2
        exit 1
    fi
fi

echo "building release binary ..." >&2
(cd "$root" && CARGO_TARGET_DIR="$target" cargo build --release -q -p upbond-emulator)

# Rate limits off: the benchmark measures raw token issuance.
printf '[rate_limits]\nenabled = false\n' >"$work/bench.toml"
"$target/release/upbond-emulator" --config "$work/bench.toml" >"$work/out" 2>/dev/null &
server_pid=$!
for _ in $(seq 50); do
    grep -q '^issuer: ' "$work/out" 2>/dev/null && break
    sleep 0.1
done
issuer="$(sed -n 's/^issuer: //p' "$work/out")"
[ -n "$issuer" ] || { echo "emulator did not start" >&2; exit 1; }

cat >"$work/token.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
-- demo-service:demo-service-secret
wrk.headers["Authorization"] = "Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ="
LUA

echo "cores: $(nproc), duration: ${duration}s, connections: $connections, issuer: $issuer"
for alg in RS256 ES256; do
    curl -fsS -X POST -H 'content-type: application/json' \
        -d "{\"access_token_alg\":\"$alg\",\"id_token_alg\":\"$alg\"}" \
        "$issuer/_emulator/settings" >/dev/null
    # Warm-up, then the measured run.
    wrk -t2 -c"$connections" -d2s -s "$work/token.lua" "$issuer/oauth/token" >/dev/null
    report="$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/token.lua" "$issuer/oauth/token")"
    if grep -q 'Non-2xx' <<<"$report"; then
        echo "$report" >&2
        echo "error: non-2xx responses during the $alg run" >&2
        exit 1
    fi
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$report")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$report")"
    echo "$alg: $rps requests/s (p99 latency $p99)"
done
echo "server resident memory after the runs: $(($(ps -o rss= -p "$server_pid") / 1024)) MiB"
echo "(the load generator shares the same cores; numbers vary with other load: see uptime)"
uptime
