#!/usr/bin/env bash
# bench/iiif-s3: `dlcs iiif` serving from S3 (npm's s3rver 3.7.1 on loopback) beside the same
# `dlcs iiif` on the directory adapter, in one run, over the same 6000x4000 pyramidal TIFF and
# the same store, with wrk (2 threads, 8 connections, DURATION seconds after a 5 s warm-up):
# random aligned 256x256 tiles over every level (the IFD index warm after the warm-up) read by
# ranged GETs (DLCS_CACHE_COPY_AFTER=0) and with the default (the image copied once after 32),
# /full/!1024,1024/ (a stored thumbnail: one GET each until it is hot, then the cached copy) and
# /full/!1000,1000/ (rendered: from the disk cache once warm), both with the defaults. Also what s3rver itself costs per request: wrk against it alone,
# GETting one 20 KB object with a fixed valid request (s3rver checks no signature).
# Not part of the test suite. Usage: bench/iiif-s3.sh       DURATION=20 by default
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20}
dport=18310
sport=18311
s3port=18312
hport=18313
bucket=bench

scripts/install-deps.sh
. bench/lib.sh
bench_need plasma-workspace-wallpapers wrk
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs iiif_seed >/dev/null
dlcs=$PWD/build/release/cli/dlcs
s3rver=$PWD/tests/s3/node_modules/s3rver/bin/s3rver.js

work=$(mktemp -d /tmp/dlcs-bench-iiif-s3-XXXXXX)
cleanup() {
    for p in ${dpid:-} ${spid:-} ${hpid:-} ${s3pid:-}; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
bench_seed_photo "$work" "$dlcs" >/dev/null
mkdir -p "$work/s3"

node "$s3rver" --silent -d "$work/s3" -a 127.0.0.1 -p $s3port --configure-bucket $bucket &
s3pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
(cd "$work/data/blobs" && find . -type f | sed 's|^\./||') | while read -r key; do
    curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" -u S3RVER:S3RVER \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "Content-Type: application/octet-stream" \
        --data-binary "@$work/data/blobs/$key" "http://127.0.0.1:$s3port/$bucket/blobs/$key" >/dev/null
done

serve() { # port storage-url log copy-after
    DLCS_LOG_LEVEL=warn DLCS_DATA_DIR="$work/data" DLCS_HTTP_PORT=$1 DLCS_HTTP_BIND=127.0.0.1 \
        DLCS_STORAGE=$2 DLCS_CACHE_DIR="$work/cache$1" DLCS_CACHE_COPY_AFTER=$4 \
        DLCS_VIPS_CONCURRENCY=1 DLCS_IIIF_RENDER_SLOTS_PER_CLIENT=1024 "$dlcs" iiif 2>"$3" &
}
s3url="s3://$bucket/blobs?endpoint=http://127.0.0.1:$s3port"
serve $dport "file://$work/data/blobs" "$work/dir.log" 32
dpid=$!
serve $sport "$s3url" "$work/s3.log" 0 # tiles always by ranged GETs
spid=$!
serve $hport "$s3url" "$work/s3hot.log" 32 # the default: a zoomed image copied once
hpid=$!
for port in $dport $sport $hport; do
    for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
done

report() { # name s3-summary dir-summary target
    local sr dr
    sr=$(echo "$2" | bench_field 'req/s'); dr=$(echo "$3" | bench_field 'req/s')
    printf '%-18s S3 %8.1f req/s p50 %6s ms p99 %6s ms non200 %s | directory %8.1f req/s p50 %6s ms non200 %s | ratio %.2f (target >= %s)\n' \
        "$1" "$sr" "$(echo "$2" | bench_field p50)" "$(echo "$2" | bench_field p99)" "$(echo "$2" | bench_field non200)" \
        "$dr" "$(echo "$3" | bench_field p50)" "$(echo "$3" | bench_field non200)" "$(echo "$sr / $dr" | bc -l)" "$4"
}

echo "bench/iiif-s3: 6000x4000 pyramidal TIFF, wrk -t2 -c8 -d${duration}s, loopback, 2 cores shared"
report "tiles, ranged GETs" "$(bench_tiles "http://127.0.0.1:$sport" /iiif-img/1/1/photo)" \
    "$(bench_tiles "http://127.0.0.1:$dport" /iiif-img/1/1/photo)" 0.5
report "tiles, default" "$(bench_tiles "http://127.0.0.1:$hport" /iiif-img/1/1/photo)" \
    "$(bench_tiles "http://127.0.0.1:$dport" /iiif-img/1/1/photo)" 0.5
report "full/!1024,1024" "$(bench_one "http://127.0.0.1:$hport/iiif-img/1/1/photo/full/!1024,1024/0/default.jpg")" \
    "$(bench_one "http://127.0.0.1:$dport/iiif-img/1/1/photo/full/!1024,1024/0/default.jpg")" -
report "full/!1000,1000" "$(bench_one "http://127.0.0.1:$hport/iiif-img/1/1/photo/full/!1000,1000/0/default.jpg")" \
    "$(bench_one "http://127.0.0.1:$dport/iiif-img/1/1/photo/full/!1000,1000/0/default.jpg")" 0.83

thumb=$(cd "$work/data/blobs" && find . -path '*thumbs/*' -name '*.jpg' | sort | head -1 | sed 's|^\./||')
s=$(bench_one "http://127.0.0.1:$s3port/$bucket/blobs/$thumb")
printf '%-18s s3rver alone: %8.1f req/s p50 %6s ms (GET of %s bytes)\n' "s3rver itself" \
    "$(echo "$s" | bench_field 'req/s')" "$(echo "$s" | bench_field p50)" "$(stat -c %s "$work/data/blobs/$thumb")"
