#!/usr/bin/env bash
# Installs what is missing, builds, and runs `dlcs serve` on embedded defaults (SQLite store
# and queue, blobs in a directory) under ./dlcs-data. Settings come from DLCS_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs
exec build/release/cli/dlcs serve "$@"
