#!/usr/bin/env bash
# Builds a realistic 6000x4000 photographic JPEG (quality 92) from four photographs in Debian's
# plasma-workspace-wallpapers: each 2560x1600 photo scaled to 3200x2000 and cropped to 3000x2000,
# joined 2x2. Usage: bench/make-photo.sh OUT.jpg
set -euo pipefail
out=${1:?usage: make-photo.sh OUT.jpg}
w=/usr/share/wallpapers
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for name in Path FallenLeaf BytheWater ColdRipple; do
    vips thumbnail "$w/$name/contents/images/2560x1600.jpg" "$tmp/s$i.v" 3200 --height 2000 \
        --size force 2>/dev/null
    vips crop "$tmp/s$i.v" "$tmp/c$i.v" 100 0 3000 2000
    i=$((i + 1))
done
vips arrayjoin "$tmp/c0.v $tmp/c1.v $tmp/c2.v $tmp/c3.v" "$tmp/all.v" --across 2
vips jpegsave "$tmp/all.v" "$out" --Q 92
vipsheader "$out"
