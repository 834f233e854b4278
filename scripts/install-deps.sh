#!/usr/bin/env bash
# Installs every Debian package that building, testing and running dlcs needs.
# Idempotent: it asks apt only for what is missing, and runs `apt-get update` once, only then.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git ca-certificates
    clang libclang-rt-14-dev clang-format # sanitizer builds (the runtime is only "recommended")
    libulfius-dev libjansson-dev        # HTTP server and JSON
    libmicrohttpd-dev libyder-dev       # included directly: MHD options, yder log routing
    libcurl4-gnutls-dev                 # the gnutls flavour: the openssl one conflicts with ulfius
    libsqlite3-dev                      # embedded store and queue
    librdkafka-dev kcat                 # the Kafka queue adapter; kcat for tests and operators
    libmongoc-dev                       # the MongoDB store adapter (mongo-c-driver 1.23)
    python3-mockupdb python3-mongomock  # tests: the wire-compatible MongoDB fake (tests/mongo/)
    libglib2.0-dev                      # GLib log routing (libvips logs through GLib)
    libvips-dev libvips-tools           # conversion (JPEG, TIFF, PNG, WebP, GIF, JP2, PDF, HEIF); vips CLI for bench/ingest
    libturbojpeg0-dev                   # lossless crops of stored JPEG edge tiles
    libcmocka-dev curl                  # tests
    nodejs node-ajv                     # tests: JSON Schema agreement (schemas/ vs the C validation)
)
# npm (tests: s3rver from tests/s3/package-lock.json): Debian's package only where no npm came
# with the machine's Node.js (a nodesource nodejs has its own and conflicts with Debian's npm)
if ! command -v npm >/dev/null 2>&1; then
    packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm packages, each folder from its lock file (exact versions and hashes), only when the lock
# changed since the last install.
for dir in tests/s3; do
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json" 2>/dev/null; then
        echo "install-deps: npm ci in $dir" >&2
        npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
    fi
done
