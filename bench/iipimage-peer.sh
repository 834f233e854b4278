#!/usr/bin/env bash
# The benchmark peer: Debian's iipimage-server (IIPImage 1.1) behind lighttpd FastCGI on
# loopback, serving the images of DIR as /iiif/NAME/... (IIIF 2).
#   bench/iipimage-peer.sh start PORT DIR [PROCS]   (MAX_IMAGE_CACHE_SIZE from the environment,
#                                                    default 0 = tile cache off)
#   bench/iipimage-peer.sh stop PORT
set -euo pipefail
cmd=${1:?start|stop}
port=${2:?port}
state=${TMPDIR:-/tmp}/dlcs-iipimage-$port

case "$cmd" in
start)
    dir=$(realpath "${3:?image directory}")
    procs=${4:-$(nproc)}
    for p in iipimage-server lighttpd; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                iipimage-server lighttpd >/dev/null
            break
        }
    done
    mkdir -p "$state/www"
    cat > "$state/lighttpd.conf" <<CONF
server.modules = ("mod_fastcgi")
server.document-root = "$state/www"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$state/lighttpd.pid"
server.errorlog = "$state/error.log"
server.max-keep-alive-requests = 10000
fastcgi.server = ( "/iiif" => ((
    "bin-path" => "/usr/lib/iipimage-server/iipsrv.fcgi",
    "socket" => "$state/iipsrv.sock",
    "max-procs" => $procs,
    "check-local" => "disable",
    "bin-environment" => (
        "FILESYSTEM_PREFIX" => "$dir/",
        "MAX_IMAGE_CACHE_SIZE" => "${MAX_IMAGE_CACHE_SIZE:-0}",
        "URI_MAP" => "iiif=>IIIF",
        "CORS" => "*",
        "MAX_CVT" => "10000",
        "OMP_NUM_THREADS" => "1",
        "JPEG_QUALITY" => "75",
        "INTERPOLATION" => "1",
        "VERBOSITY" => "0"
    )
)))
CONF
    lighttpd -f "$state/lighttpd.conf"
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$port/iiif/" >/dev/null 2>&1 && break
        [ -s "$state/lighttpd.pid" ] && break
        sleep 0.1
    done
    echo "BASE_URL http://127.0.0.1:$port/iiif"
    ;;
stop)
    if [ -s "$state/lighttpd.pid" ]; then
        kill "$(cat "$state/lighttpd.pid")" 2>/dev/null || true
    fi
    pkill -f "iipsrv.fcgi" 2>/dev/null || true
    rm -rf "$state"
    ;;
*)
    echo "usage: $0 start PORT DIR [PROCS] | stop PORT" >&2
    exit 2
    ;;
esac
