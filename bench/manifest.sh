#!/usr/bin/env bash
# bench/manifest: the manifest of a named query selecting a COUNT-page book (default 5,000),
# served by `dlcs serve`: time to first byte and total, cold (first request after start: no
# cached image records) and warm, and the server's peak memory. Not part of the tests.
# No peer runs here (the reference DLCS is .NET on AWS), so it prints absolute figures.
# Usage: bench/manifest.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5000}
port=18510

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs manifest_seed >/dev/null
work=$(mktemp -d /tmp/dlcs-bench-manifest-XXXXXX)
build/release/bench/manifest_seed "$work" "$count"
DLCS_DATA_DIR="$work" DLCS_HTTP_PORT=$port DLCS_HTTP_BIND=127.0.0.1 DLCS_WORKERS=0 \
    DLCS_LOG_LEVEL=warn build/release/cli/dlcs serve >/dev/null 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
base=$(rss)
url="http://127.0.0.1:$port/iiif-resource/bench/book/book"
for run in cold warm warm; do
    curl -s -o "$work/m.json" -w "$run: first byte %{time_starttransfer} s, total %{time_total} s, %{size_download} bytes\n" "$url"
done
canvases=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['items']))" "$work/m.json")
echo "canvases $canvases; server peak RSS $(( $(rss) / 1024 )) MiB (after start $(( base / 1024 )) MiB)"
