#!/usr/bin/env bash
# Every symbol our libraries export starts with dlcs_ (CONVENTIONS.md S3).
set -euo pipefail
build=${1:-build/release}
libs=$(find "$build"/shared "$build"/api "$build"/workers "$build"/iiif -name 'libdlcs_*.a' | sort)
if [ -z "$libs" ]; then
    echo "check-symbols: no libdlcs_*.a under $build" >&2
    exit 1
fi
bad=$(for lib in $libs; do
    nm -g --defined-only "$lib" | awk '$2 ~ /[TDRB]/ {print $3}'
done | grep -v '^dlcs_' || true)
if [ -n "$bad" ]; then
    echo "check-symbols: exported without the dlcs_ prefix:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "check-symbols: all exported symbols start with dlcs_"
