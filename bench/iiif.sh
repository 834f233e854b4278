#!/usr/bin/env bash
# bench/iiif: dlcs iiif against IIPImage (Debian's iipimage-server 1.1, lighttpd FastCGI, tile
# cache off) over the same 6000x4000 pyramidal TIFF, in the same run, with wrk (2 threads,
# 8 connections, DURATION seconds after a 5 s warm-up): random aligned 256x256 tiles over every
# level, /full/!1024,1024/ (a stored thumbnail size for dlcs) and /full/!1000,1000/ (rendered);
# then info.json and thumbnail requests. Not part of the test suite.
# Usage: bench/iiif.sh            DURATION=30 by default
#        bench/iiif.sh s3         the S3 mode: dlcs iiif on s3rver beside the directory adapter
#                                 (bench/iiif-s3.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = s3 ]; then
    exec bench/iiif-s3.sh
fi
duration=${DURATION:-30}
dport=18300
pport=18301

scripts/install-deps.sh
. bench/lib.sh
bench_need plasma-workspace-wallpapers wrk
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs iiif_seed >/dev/null
dlcs=$PWD/build/release/cli/dlcs

work=$(mktemp -d /tmp/dlcs-bench-iiif-XXXXXX)
cleanup() {
    [ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null
    bench/iipimage-peer.sh stop "$pport" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
prefix=$(bench_seed_photo "$work" "$dlcs") # the served generation's
mkdir -p "$work/peer"
cp "$work/data/blobs/$prefix/image.tif" "$work/peer/photo.tif"

# wrk is one client: it may use every render slot (the per-client share is for many clients,
# and would otherwise turn most of its render requests into quick 503s)
DLCS_LOG_LEVEL=warn DLCS_DATA_DIR="$work/data" DLCS_HTTP_PORT=$dport DLCS_HTTP_BIND=127.0.0.1 \
    DLCS_VIPS_CONCURRENCY=1 DLCS_IIIF_RENDER_SLOTS_PER_CLIENT=1024 "$dlcs" iiif 2>"$work/dlcs.log" &
dpid=$!
MAX_IMAGE_CACHE_SIZE=0 bench/iipimage-peer.sh start "$pport" "$work/peer" "$(nproc)" >/dev/null
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$dport/readyz" >/dev/null && break
    sleep 0.1
done

dbase=http://127.0.0.1:$dport/iiif-img/1/1/photo
pbase=http://127.0.0.1:$pport/iiif/photo.tif


report() { # name dlcs-summary peer-summary target
    local dr pr
    dr=$(echo "$2" | bench_field 'req/s'); pr=$(echo "$3" | bench_field 'req/s')
    printf '%-20s dlcs %8.1f req/s p50 %6s ms p99 %6s ms non200 %s | IIPImage 1.1 %7.1f req/s p50 %6s ms p99 %6s ms non200 %s | ratio %.2f (target >= %s)\n' \
        "$1" "$dr" "$(echo "$2" | bench_field p50)" "$(echo "$2" | bench_field p99)" "$(echo "$2" | bench_field non200)" \
        "$pr" "$(echo "$3" | bench_field p50)" "$(echo "$3" | bench_field p99)" "$(echo "$3" | bench_field non200)" \
        "$(echo "$dr / $pr" | bc -l)" "$4"
}

echo "bench/iiif: 6000x4000 pyramidal TIFF, wrk -t2 -c8 -d${duration}s, loopback, 2 cores shared"
report "random tiles" "$(bench_tiles "http://127.0.0.1:$dport" /iiif-img/1/1/photo)" \
    "$(bench_tiles "http://127.0.0.1:$pport" /iiif/photo.tif)" 4
report "full/!1024,1024" "$(bench_one "$dbase/full/!1024,1024/0/default.jpg")" \
    "$(bench_one "$pbase/full/!1024,1024/0/default.jpg")" 2
report "full/!1000,1000" "$(bench_one "$dbase/full/!1000,1000/0/default.jpg")" \
    "$(bench_one "$pbase/full/!1000,1000/0/default.jpg")" 1.5
report "info.json" "$(bench_one "$dbase/info.json")" "$(bench_one "$pbase/info.json")" "-"
d=$(bench_one "http://127.0.0.1:$dport/thumbs/1/1/photo/full/200,133/0/default.jpg")
printf '%-20s dlcs %8.1f req/s p50 %6s ms p99 %6s ms non200 %s\n' "thumbs 200,133" \
    "$(echo "$d" | bench_field 'req/s')" "$(echo "$d" | bench_field p50)" "$(echo "$d" | bench_field p99)" \
    "$(echo "$d" | bench_field non200)"
