#!/usr/bin/env bash
# bench/ingest: `dlcs ingest` against the bare libvips commands on the same 6000x4000 JPEG, in
# the same run, and images/s with 2 concurrent conversions. Not part of the test suite.
# Usage: bench/ingest.sh [RUNS]   (default 5; the median run of each side is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

scripts/install-deps.sh
. bench/lib.sh
bench_need plasma-workspace-wallpapers time bc
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs >/dev/null
dlcs=$PWD/build/release/cli/dlcs

work=$(mktemp -d /tmp/dlcs-bench-ingest-XXXXXX)
trap 'rm -rf "$work"' EXIT
bench/make-photo.sh "$work/photo.jpg" >/dev/null
echo "bench/ingest: $(vipsheader "$work/photo.jpg"), $(stat -c %s "$work/photo.jpg") bytes, $runs runs each"

# one run: prints "seconds peak_kib"
run_dlcs() {
    local out=$work/dlcs-$1
    /usr/bin/time -f "%e %M" -o "$work/t" env DLCS_LOG_LEVEL=error DLCS_DATA_DIR="$work/data" \
        DLCS_ORIGIN_FILE_ROOT="$work" "$dlcs" ingest "file://$work/photo.jpg" --out "$out" >/dev/null
    cat "$work/t"
    rm -rf "$out"
}

run_bare() {
    local out=$work/bare-$1 total=0 peak=0 e m
    mkdir -p "$out"
    # the same work as dlcs: pyramid, then the default policy's thumbnails from the pyramid
    for cmd in "tiffsave $work/photo.jpg $out/image.tif --tile --tile-width 256 --tile-height 256 --pyramid --compression jpeg --Q 85 --strip" \
               "thumbnail $out/image.tif $out/1024.jpg 1024" "thumbnail $out/image.tif $out/400.jpg 400" \
               "thumbnail $out/image.tif $out/200.jpg 200" "thumbnail $out/image.tif $out/100.jpg 100"; do
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %M" -o "$work/t" vips $cmd
        read -r e m < "$work/t"
        total=$(echo "$total + $e" | bc)
        [ "$m" -gt "$peak" ] && peak=$m
    done
    echo "$total $peak"
    rm -rf "$out"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$work/dlcs.txt"; : > "$work/bare.txt"
for i in $(seq "$runs"); do
    run_dlcs "$i" >> "$work/dlcs.txt"
    run_bare "$i" >> "$work/bare.txt"
done
d_t=$(cut -d' ' -f1 "$work/dlcs.txt" | median); d_m=$(cut -d' ' -f2 "$work/dlcs.txt" | median)
b_t=$(cut -d' ' -f1 "$work/bare.txt" | median); b_m=$(cut -d' ' -f2 "$work/bare.txt" | median)
printf 'wall time   dlcs %6.2f s   bare libvips %6.2f s   ratio %.2f (target <= 1.2)\n' \
    "$d_t" "$b_t" "$(echo "$d_t / $b_t" | bc -l)"
printf 'peak memory dlcs %6.0f MiB bare libvips %6.0f MiB ratio %.2f (target <= 1.2)\n' \
    "$(echo "$d_m / 1024" | bc -l)" "$(echo "$b_m / 1024" | bc -l)" "$(echo "$d_m / $b_m" | bc -l)"

# throughput: 2 conversions at a time, 4 images each
n=4
start=$(date +%s.%N)
for lane in 1 2; do
    ( for k in $(seq $n); do run_dlcs "c$lane-$k" >/dev/null; done ) &
done
wait
end=$(date +%s.%N)
printf 'concurrent  2 conversions at a time: %.2f images/s (%d images in %.1f s)\n' \
    "$(echo "2 * $n / ($end - $start)" | bc -l)" $((2 * n)) "$(echo "$end - $start" | bc -l)"
