#!/usr/bin/env bash
# What the bench scripts share; source it from the repository root.

# bench_need PACKAGE...: install (apt) the Debian packages that are missing.
bench_need() {
    local need=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${need[@]}" >/dev/null
    fi
}

# bench_tiles HOST PATH: wrk (2 threads, 8 connections) over random aligned 256x256 tiles of the
# 6000x4000 image at HOST+PATH, 5 s warm-up then $duration s; prints wrk-summary's line.
bench_tiles() {
    IMG_PATH=$2 IMG_W=6000 IMG_H=4000 wrk -t2 -c8 -d5s -s bench/wrk-tiles.lua "$1" >/dev/null
    IMG_PATH=$2 IMG_W=6000 IMG_H=4000 wrk -t2 -c8 -d"${duration}s" --latency \
        -s bench/wrk-tiles.lua "$1" | grep SUMMARY
}

# bench_one URL: the same for one URL.
bench_one() {
    wrk -t2 -c8 -d5s -s bench/wrk-summary.lua "$1" >/dev/null
    wrk -t2 -c8 -d"${duration}s" --latency -s bench/wrk-summary.lua "$1" | grep SUMMARY
}

# bench_field NAME: a number of a summary line on stdin (req/s, p50, p99, non200).
bench_field() { sed -n "s|.*$1=\([0-9.]*\).*|\1|p"; }

# bench_seed_photo WORK DLCS: the 6000x4000 photograph (bench/make-photo.sh) registered as image
# 1/1/photo in a store under WORK/data (bench/iiif_seed) and ingested by `dlcs ingest` into the
# blob directory WORK/data/blobs at the served generation's prefix, which it prints.
bench_seed_photo() {
    local prefix
    bench/make-photo.sh "$1/photo.jpg" >/dev/null 2>&1
    mkdir -p "$1/data/blobs"
    prefix=$(build/release/bench/iiif_seed "$1/data" photo 6000 4000)
    DLCS_LOG_LEVEL=error DLCS_DATA_DIR="$1/data" DLCS_ORIGIN_FILE_ROOT="$1" \
        "$2" ingest "file://$1/photo.jpg" --out "$1/data/blobs/$prefix" >/dev/null
    echo "$prefix"
}
