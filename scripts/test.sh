#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite twice: a release build with
# warnings as errors, then a clang build under AddressSanitizer + UBSan; then the unit and
# contract tests (the concurrency of shared/) under ThreadSanitizer. Also checks formatting,
# exported symbol names and banned libc calls. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-source.sh

jobs=$(nproc)

echo "== release build (gcc, -Werror)"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$jobs"
scripts/check-symbols.sh build/release
ctest --test-dir build/release --output-on-failure -j"$jobs"

echo "== sanitizer build (clang, ASan + UBSan)"
CC=clang cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DDLCS_WERROR=ON \
    -DDLCS_SANITIZE=address,undefined -DDLCS_BUILD_BENCH=OFF >/dev/null
cmake --build build/asan -j"$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
ctest --test-dir build/asan --output-on-failure -j"$jobs"

echo "== thread sanitizer build (clang, TSan): unit and contract tests (concurrency of shared/)"
unset ASAN_OPTIONS LSAN_OPTIONS
CC=clang cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DDLCS_WERROR=ON \
    -DDLCS_SANITIZE=thread -DDLCS_BUILD_BENCH=OFF >/dev/null
cmake --build build/tsan -j"$jobs"
TSAN_OPTIONS="halt_on_error=1" ctest --test-dir build/tsan --output-on-failure -j"$jobs" -L unit
