#!/usr/bin/env bash
# The load benchmark of `watchstats serve` (issue 9; results in
# docs/performance.md). The server and wrk share the machine's two cores.
#   1. 1,000-event NDJSON batches over keep-alive connections: events/s
#      acknowledged durably (each answer follows the write-ahead log's
#      fsync), with latency percentiles; then ClickHouse 18.16 taking the
#      same batches over its HTTP interface (INSERT ... FORMAT JSONEachRow)
#      in the same run, and the ratio.
#   2. Single-event posts.
#   3. 10,000 keep-alive connections, each posting a heartbeat every 10 s:
#      every post answered; the server's threads and memory.
# Run it alone (no build, no other benchmark): the machine is shared.
#   bench/server/run.sh   [DURATION=20 BATCH_CONNS=32 SINGLE_CONNS=128 IDLE_CONNS=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
W="$ROOT/build/watchstats"
DURATION=${DURATION:-20}
BATCH_CONNS=${BATCH_CONNS:-32}
SINGLE_CONNS=${SINGLE_CONNS:-128}
IDLE_CONNS=${IDLE_CONNS:-10000}
IDLE_DURATION=${IDLE_DURATION:-40}
PORT=${PORT:-18700}
WORK=$(mktemp -d /tmp/ws-load-XXXXXX)
ulimit -n "$(ulimit -Hn)"  # 10,000 connections need more than the usual 1,024 descriptors

for b in wrk "$W"; do command -v "$b" >/dev/null || { echo "missing $b (scripts/bootstrap, make build)" >&2; exit 1; }; done

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

start_server() {  # $1: data dir
  "$W" --data "$1" serve --listen 127.0.0.1:$PORT >"$WORK/server.out" 2>"$WORK/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q "serving on" "$WORK/server.out" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK/server.err" >&2
  exit 1
}

# Prints "req/s p50 p90 p99 non2xx errors" from wrk --latency output.
summarise() {
  awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {non2xx=$NF}
    /Socket errors/ {errs=$0}
    END {printf "%s %s %s %s %s %s\n", rps, p50, p90, p99, (non2xx==""?0:non2xx), (errs==""?"none":errs)}'
}

echo "== machine: $(nproc) cores; $(date -u +%FT%TZ); watchstats $(git rev-parse --short HEAD)"

# ---- 1. batches -------------------------------------------------------------
KEY=$("$W" --data "$WORK/batch" keys create --role ingest 2>/dev/null)
start_server "$WORK/batch"
wrk -t2 -c"$BATCH_CONNS" -d"${DURATION}s" --latency -s bench/server/batch.lua "http://127.0.0.1:$PORT" \
  -- /v1/events "$KEY" 1000 >"$WORK/batch.txt"
read -r ws_rps ws_p50 ws_p90 ws_p99 ws_non2xx ws_errs < <(summarise <"$WORK/batch.txt")
ws_eps=$(awk -v r="$ws_rps" 'BEGIN{printf "%.0f", r*1000}')
echo "watchstats batches: ${ws_eps} events/s acknowledged (${ws_rps} req/s of 1000 events, ${BATCH_CONNS} connections); latency p50 ${ws_p50} p90 ${ws_p90} p99 ${ws_p99}; non-2xx ${ws_non2xx}; socket errors: ${ws_errs}"
stop_server

# ClickHouse 18.16, same batches, same connections, same run.
if command -v clickhouse-server >/dev/null; then
  CH_DIR="$WORK/clickhouse" CH_TCP_PORT=${CH_TCP_PORT:-19700} CH_HTTP_PORT=${CH_HTTP_PORT:-18723}
  export CH_DIR CH_TCP_PORT CH_HTTP_PORT
  # shellcheck source=bench/clickhouse/server.sh
  source bench/clickhouse/server.sh
  ch_start
  ch --query "CREATE DATABASE bench"
  ch --query "CREATE TABLE bench.events (event_id String, session_id String, user_id String, content_id String,
              type String, ts UInt64, position Float64) ENGINE = MergeTree ORDER BY (session_id, ts)"
  q="/?query=INSERT%20INTO%20bench.events%20FORMAT%20JSONEachRow"
  wrk -t2 -c"$BATCH_CONNS" -d"${DURATION}s" --latency -s bench/server/batch.lua "http://127.0.0.1:$CH_HTTP_PORT" \
    -- "$q" "" 1000 clickhouse >"$WORK/ch.txt"
  read -r ch_rps ch_p50 ch_p90 ch_p99 ch_non2xx ch_errs < <(summarise <"$WORK/ch.txt")
  ch_eps=$(awk -v r="$ch_rps" 'BEGIN{printf "%.0f", r*1000}')
  rows=$(ch --query "SELECT count() FROM bench.events")
  echo "clickhouse batches: ${ch_eps} events/s (${ch_rps} req/s; ${rows} rows stored); latency p50 ${ch_p50} p90 ${ch_p90} p99 ${ch_p99}; non-2xx ${ch_non2xx}; socket errors: ${ch_errs}"
  awk -v a="$ws_eps" -v b="$ch_eps" 'BEGIN{ if (b > 0) printf "ratio watchstats/clickhouse: %.2f\n", a/b }'
  ch_stop
else
  echo "clickhouse: not installed (apt-get install clickhouse-server clickhouse-client); no ratio"
fi

# ---- 2. single-event posts ----------------------------------------------------
KEY=$("$W" --data "$WORK/single" keys create --role ingest 2>/dev/null)
start_server "$WORK/single"
wrk -t2 -c"$SINGLE_CONNS" -d"${DURATION}s" --latency -s bench/server/single.lua "http://127.0.0.1:$PORT" \
  -- "$KEY" >"$WORK/single.txt"
read -r s_rps s_p50 s_p90 s_p99 s_non2xx s_errs < <(summarise <"$WORK/single.txt")
echo "watchstats single events: ${s_rps} posts/s (${SINGLE_CONNS} connections); latency p50 ${s_p50} p90 ${s_p90} p99 ${s_p99}; non-2xx ${s_non2xx}; socket errors: ${s_errs}"
stop_server

# ---- 3. 10,000 keep-alive connections ---------------------------------------------
KEY=$("$W" --data "$WORK/idle" keys create --role ingest 2>/dev/null)
start_server "$WORK/idle"
wrk -t2 -c"$IDLE_CONNS" -d"${IDLE_DURATION}s" --timeout 30s --latency -s bench/server/idle.lua \
  "http://127.0.0.1:$PORT" -- "$KEY" 10000 >"$WORK/idle.txt" 2>"$WORK/idle.err" &
wrk_pid=$!
sleep $((IDLE_DURATION / 2))
threads=$(awk '/^Threads/ {print $2}' "/proc/$server_pid/status")
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status")
open=$(ls "/proc/$server_pid/fd" | wc -l)
wait "$wrk_pid"
read -r i_rps i_p50 i_p90 i_p99 i_non2xx i_errs < <(summarise <"$WORK/idle.txt")
total=$(awk '/requests in/ {print $1}' "$WORK/idle.txt")
echo "watchstats ${IDLE_CONNS} connections: ${total} posts answered (${i_rps}/s), non-2xx ${i_non2xx}, socket errors: ${i_errs}; latency p50 ${i_p50} p99 ${i_p99}; mid-run: ${threads} threads, RSS $((rss_kib / 1024)) MiB, ${open} open files"
stop_server
