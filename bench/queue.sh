#!/usr/bin/env bash
# bench/queue: the queue's cost, embedded (the SQLite outbox is the queue) beside Kafka (the
# project's mock cluster of 3 brokers on loopback), in the same run. Not part of the tests.
#  1. registrations/s: api_bench against `dlcs api` (100,000 in batches of 1,000 over 2
#     connections); for Kafka also the time until the relay has published every job.
#  2. ingest images/s with 1 and with 2 `dlcs worker` processes of one job slot each, on
#     ~1-megapixel JPEGs (so the queue and the store are measured more than libvips), with the
#     jobs queued before the workers start; and the queue's overhead per job: a worker's wall
#     time per job minus the ingest's own time (ms_total in its log lines).
# Usage: bench/queue.sh [REGISTRATIONS] [IMAGES]   (defaults 100000, 400)
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-100000}
images=${2:-400}
admin=0123456789abcdef:fedcba9876543210fedcba9876543210

scripts/install-deps.sh
. bench/lib.sh
bench_need plasma-workspace-wallpapers python3 bc
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLCS_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target dlcs api_bench kafka_mock_cluster >/dev/null
dlcs=$PWD/build/release/cli/dlcs

work=$(mktemp -d /tmp/dlcs-bench-queue-XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# the mock cluster: topics are auto-created (4 partitions) for each run's own prefix
build/release/tests/kafka_mock_cluster -b 3 -k -f "$work/bootstrap" >/dev/null &
pids+=($!)
mock=$!
cpu_of() { # cpu_of PID: CPU seconds the process (and its waited-for children) used so far
    local f
    read -r -a f < "/proc/$1/stat"
    echo "scale=2; (${f[13]} + ${f[14]} + ${f[15]} + ${f[16]}) / $(getconf CLK_TCK)" | bc
}
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
brokers=$(cat "$work/bootstrap")
vips thumbnail /usr/share/wallpapers/Path/contents/images/2560x1600.jpg "$work/small.jpg" 1250
echo "bench/queue: Kafka mock cluster of 3 brokers at $brokers; images $(vipsheader "$work/small.jpg")"

run=0
# start ROLE QUEUE DATA [NAME=VALUE...]: a dlcs process, run number $run, its port in $PORT
start() {
    local role=$1 queue=$2 data=$3
    shift 3
    run=$((run + 1))
    local pf="$work/port.$run"
    env DLCS_DATA_DIR="$data" DLCS_QUEUE="$queue" DLCS_KAFKA_TOPIC_PREFIX="bq$prefix." \
        DLCS_HTTP_PORT=0 DLCS_HTTP_BIND=127.0.0.1 DLCS_PORT_FILE="$pf" DLCS_LOG_LEVEL=info \
        DLCS_BOOTSTRAP_ADMIN=$admin DLCS_BATCH_MAX=1000 DLCS_ORIGIN_FILE_ROOT="$work" \
        DLCS_WORKER_ID="bench-$role-$run" "$@" "$dlcs" "$role" >/dev/null 2>"$work/log.$run" &
    pids+=($!)
    echo $! > "$work/pid.$run"
    for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.1; done
    PORT=$(cat "$pf")
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
}
# stop_run N: SIGTERM run N and wait for it to exit
stop_run() {
    local pid
    pid=$(cat "$work/pid.$1")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}
setup_customer() {
    curl -sf -u $admin -X POST "http://127.0.0.1:$1/customers" \
        -d '{"name":"bench","displayName":"Bench"}' >/dev/null
    curl -sf -u $admin -X POST "http://127.0.0.1:$1/customers/2/spaces" -d '{"name":"b"}' >/dev/null
}
outbox() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM jobs').fetchone()[0])" "$1/dlcs.db"; }
now() { date +%s.%N; }

declare -A reg published ingest overhead cores busy
prefix=0
for q in embedded kafka; do
    prefix=$((prefix + 1))
    url=$q; [ $q = kafka ] && url="kafka://$brokers"
    data="$work/reg-$q"
    start api "$url" "$data"
    port=$PORT
    setup_customer "$port"
    mock0=$(cpu_of $mock)
    t0=$(now)
    line=$(build/release/bench/api_bench "http://127.0.0.1:$port/customers/2" $admin 1 "$total" 1000 2)
    reg[$q]=$(sed -n 's/.*: \([0-9]*\) registrations\/s.*/\1/p' <<<"$line")
    echo "  $q: $line"
    echo "  $q: during it the api process used $(cpu_of "$(cat "$work/pid.$run")") CPU s, the mock cluster $(echo "$(cpu_of $mock) - $mock0" | bc) CPU s (of $(nproc) cores x $(echo "$(now) - $t0" | bc | cut -c1-4) s)"
    if [ $q = kafka ]; then # the relay publishes behind the API: until the outbox is empty
        while [ "$(outbox "$data")" -gt 0 ]; do sleep 0.2; done
        published[$q]=$(echo "$total / ($(now) - $t0)" | bc)
        echo "  kafka: all $total published (api -> outbox -> relay -> topic) at ${published[$q]}/s end to end"
    fi
    stop_run $run
done

body() { # body BATCH N: N members "b<BATCH>-<i>" from file://$work/small.jpg
    python3 - "$1" "$2" "$work/small.jpg" <<'EOF'
import json, sys
b, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"@type": "Collection", "member": [
    {"id": f"b{b}-{i:04d}", "space": 1, "origin": "file://" + path} for i in range(n)]}))
EOF
}

for q in embedded kafka; do
    for w in 1 2; do
        [ "$images" -gt 0 ] || continue
        prefix=$((prefix + 1))
        url=$q; [ $q = kafka ] && url="kafka://$brokers"
        data="$work/ingest-$q-$w"
        start api "$url" "$data"
        api=$run port=$PORT
        setup_customer "$port"
        batches=()
        for b in $(seq $((images / 100))); do
            body "$b" 100 > "$work/body.json"
            id=$(curl -sf -u $admin -X POST "http://127.0.0.1:$port/customers/2/queue" \
                --data-binary @"$work/body.json" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
            batches+=("$id")
        done
        while [ "$(outbox "$data")" -gt 0 ] && [ $q = kafka ]; do sleep 0.2; done
        t0=$(now)
        first=$((run + 1))
        # one job slot and one libvips thread each: a process is one core's worth of work
        for _ in $(seq "$w"); do start worker "$url" "$data" DLCS_WORKERS=1 DLCS_VIPS_CONCURRENCY=1; done
        read -r -a stat0 < /proc/stat
        for id in "${batches[@]}"; do # a batch has 'finished' once completed + errors = count
            until curl -sf -u $admin "http://127.0.0.1:$port/customers/2/queue/batches/$id" |
                grep -q '"finished"'; do
                sleep 0.2
            done
        done
        read -r -a stat1 < /proc/stat
        t1=$(now)
        secs=$(echo "$t1 - $t0" | bc)
        # CPU the workers and their conversion children used (clock ticks: utime stime cutime cstime)
        cpu=0
        for r in $(seq "$first" "$run"); do cpu=$(echo "$cpu + $(cpu_of "$(cat "$work/pid.$r")")" | bc); done
        ingest[$q$w]=$(echo "scale=1; $images / $secs" | bc)
        # the ingests' own time, from the workers' log lines
        own=$(cat $(seq -f "$work/log.%g" "$first" "$run") | sed -n 's/.*ms_total=\([0-9]*\).*/\1/p' |
            awk '{s+=$1; n++} END {printf "%.1f", n ? s/n : 0}')
        overhead[$q$w]=$(echo "scale=1; $secs * 1000 * $w / $images - $own" | bc)
        cores[$q$w]=$(echo "scale=2; $cpu / $secs" | bc)
        # the whole machine: busy = all jiffies but idle and iowait
        all=0; for k in 1 2 3 4 5 6 7 8; do all=$((all + stat1[k] - stat0[k])); done
        idle=$((stat1[4] - stat0[4] + stat1[5] - stat0[5]))
        busy[$q$w]=$(echo "scale=2; $(nproc) * ($all - $idle) / $all" | bc)
        echo "  $q, $w worker process(es): $images images in ${secs%??????} s = ${ingest[$q$w]} images/s (ingest itself $own ms/job, queue and store ${overhead[$q$w]} ms/job); workers used $cpu CPU s = ${cores[$q$w]} cores, $(echo "scale=1; $cpu * 1000 / $images" | bc) CPU ms/job; the machine was busy on ${busy[$q$w]} of $(nproc) cores"
        for r in $(seq "$first" "$run"); do stop_run "$r"; done
        stop_run "$api"
    done
done

echo "bench/queue summary (same run, same machine, $(nproc) cores):"
echo "  registrations/s: embedded ${reg[embedded]}, kafka ${reg[kafka]} (kafka/embedded $(echo "scale=2; ${reg[kafka]} / ${reg[embedded]}" | bc); target >= 20000/s); relay end to end ${published[kafka]}/s"
for q in embedded kafka; do
    [ "$images" -gt 0 ] || break
    echo "  ingest $q: 1 process ${ingest[${q}1]}/s on ${cores[${q}1]} cores, 2 processes ${ingest[${q}2]}/s on ${cores[${q}2]} cores, machine busy ${busy[${q}2]} (2/1 = $(echo "scale=2; ${ingest[${q}2]} / ${ingest[${q}1]}" | bc); target >= 1.6); queue overhead ${overhead[${q}1]} ms/job (1 process)"
done
[ "$images" -gt 0 ] || exit 0
echo "  kafka/embedded ingest: 1 process $(echo "scale=2; ${ingest[kafka1]} / ${ingest[embedded1]}" | bc), 2 processes $(echo "scale=2; ${ingest[kafka2]} / ${ingest[embedded2]}" | bc)"
