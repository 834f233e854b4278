#!/usr/bin/env bash
# bench/api: 100,000 queued registrations in batches of 1,000 against `dlcs serve` with the
# workers paused (DLCS_WORKERS=0), measuring the API and the store. Not part of the tests.
# Usage: bench/api.sh [TOTAL] [BATCH] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-100000}
batch=${2:-1000}
conc=${3:-2}
port=18500
admin=0123456789abcdef:fedcba9876543210fedcba9876543210

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs api_bench >/dev/null
work=$(mktemp -d /tmp/dlcs-bench-api-XXXXXX)
DLCS_DATA_DIR="$work" DLCS_HTTP_PORT=$port DLCS_HTTP_BIND=127.0.0.1 DLCS_WORKERS=0 \
    DLCS_LOG_LEVEL=warn DLCS_BOOTSTRAP_ADMIN=$admin DLCS_BATCH_MAX=$batch \
    build/release/cli/dlcs serve >/dev/null 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -sf -u $admin -X POST "http://127.0.0.1:$port/customers" \
    -d '{"name":"bench","displayName":"Bench"}' >/dev/null
curl -sf -u $admin -X POST "http://127.0.0.1:$port/customers/2/spaces" -d '{"name":"books"}' >/dev/null
build/release/bench/api_bench "http://127.0.0.1:$port/customers/2" $admin 1 "$total" "$batch" "$conc"
