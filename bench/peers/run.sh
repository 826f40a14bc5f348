#!/usr/bin/env bash
# Side-by-side benchmark of watchstats' reports against DuckDB and
# ClickHouse 18.16 on the same 5,000,000 sessions (issue 8). See README.md.
#
#   bench/peers/run.sh                 (Release build in build/; minutes)
#   SESSIONS=500000 bench/peers/run.sh (a quick first check)
#
# Steps: build the session store once (build/make_session_store, kept under
# WORK and reused), write it as CSV (build/peer_tables), run each report in
# watchstats in process (build/report_bench --cases: warm, with the column
# cache, REPEAT runs) and from the CLI (a new process per run, files in the
# page cache), load DuckDB (npm @duckdb/node-api, in memory, 2 threads) and
# a ClickHouse server of our own (Debian's clickhouse-server 18.16, on
# 127.0.0.1 with its own data dir and ports, MergeTree), run the same
# questions in SQL REPEAT times each, check that their rows equal ours, and
# print the medians and the ratios. Exits non-zero when rows differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

SESSIONS=${SESSIONS:-5000000}
USERS=${USERS:-200000}
REPEAT=${REPEAT:-7}
WORK=${WORK:-/tmp/watchstats-peers-$SESSIONS}
CH_DIR=${CH_DIR:-$WORK/clickhouse}
CH_TCP_PORT=${CH_TCP_PORT:-19010}
CH_HTTP_PORT=${CH_HTTP_PORT:-19133}

for b in build/make_session_store build/peer_tables build/report_bench build/watchstats; do
  [ -x "$b" ] || { echo "peers: $b is missing; build first (make build)" >&2; exit 1; }
done
for b in clickhouse-server clickhouse-client node npm; do
  command -v "$b" >/dev/null || { echo "peers: $b not found (apt-get install clickhouse-server clickhouse-client nodejs npm)" >&2; exit 1; }
done
(cd bench/peers && [ -d node_modules/@duckdb/node-api ] || npm ci --no-audit --no-fund >/dev/null)

# ------------------------------------------------------------ data
if [ ! -f "$WORK/store/MANIFEST-000001" ] && ! ls "$WORK"/store/MANIFEST-* >/dev/null 2>&1; then
  echo "== building $SESSIONS sessions into $WORK (once) =="
  build/make_session_store --dir "$WORK" --sessions "$SESSIONS" --users "$USERS"
fi
if [ ! -f "$WORK/peers/sessions.csv" ]; then
  build/peer_tables --store "$WORK/store" --out "$WORK/peers"
fi

# ------------------------------------------------------------ watchstats
node -e "
import('$ROOT/bench/peers/queries.mjs').then(({ QUERIES, FROM, TO }) => {
  for (const q of QUERIES) console.log([...q.report, '--from', FROM, '--to', TO].join(' '));
});" >"$WORK/cases.txt"
echo "== watchstats in process (build/report_bench --cases, $REPEAT runs, column cache) =="
build/report_bench --dir "$WORK" --repeat "$REPEAT" --cases "$WORK/cases.txt" | tee "$WORK/ours_inproc.txt"
echo "== watchstats CLI (a new process per run) =="
: >"$WORK/ours_cli.txt"
i=0
while read -r line; do
  # shellcheck disable=SC2086  # the case line is words
  build/watchstats --data "$WORK/store" report $line --format json >"$WORK/ours_$i.json"
  for ((r = 0; r < 3; r++)); do
    t0=$EPOCHREALTIME
    # shellcheck disable=SC2086
    build/watchstats --data "$WORK/store" report $line --format json >/dev/null
    t1=$EPOCHREALTIME
    awk -v i="$i" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d %.1f\n", i, (b - a) * 1000 }' >>"$WORK/ours_cli.txt"
  done
  i=$((i + 1))
done <"$WORK/cases.txt"

# ------------------------------------------------------------ DuckDB
echo "== DuckDB (@duckdb/node-api, in memory) =="
node bench/peers/duckdb.mjs "$WORK/peers" "$WORK/duckdb.json" "$REPEAT"

# ------------------------------------------------------------ ClickHouse
# shellcheck source=../clickhouse/server.sh
. bench/clickhouse/server.sh
ch_start
echo "== ClickHouse $(ch --query 'SELECT version()') on 127.0.0.1:$CH_TCP_PORT =="
ch --multiline --query "
CREATE TABLE s (session_id String, user_id String, content_id String, title_id String, content_type String,
  date Date, local_hour UInt8, device_type String, country String, watch_ms Int64, duration_ms Int64,
  completion_pct Nullable(Float64), status String)
ENGINE = MergeTree PARTITION BY toYYYYMM(date) ORDER BY (date, title_id)"
ch --query "CREATE TABLE g (title_id String, genre String) ENGINE = MergeTree ORDER BY title_id"
t0=$EPOCHREALTIME
tail -n +2 "$WORK/peers/sessions.csv" | ch --query "INSERT INTO s FORMAT CSV"
tail -n +2 "$WORK/peers/title_genres.csv" | ch --query "INSERT INTO g FORMAT CSV"
ch --query "OPTIMIZE TABLE s FINAL"
echo "clickhouse: loaded $(ch --query 'SELECT count() FROM s') sessions in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
node -e "
import('$ROOT/bench/peers/queries.mjs').then(({ QUERIES }) => {
  for (const q of QUERIES) console.log(q.clickhouse.replace(/\s+/g, ' '));
});" >"$WORK/clickhouse.sql"
: >"$WORK/clickhouse_times.txt"
i=0
while read -r sql; do
  ch --max_threads 2 --query "$sql FORMAT JSON" >"$WORK/clickhouse_$i.json"
  for ((r = 0; r < REPEAT; r++)); do
    # --time prints the elapsed seconds on stderr
    s=$(ch --max_threads 2 --time --query "$sql FORMAT Null" 2>&1 >/dev/null | tail -n 1)
    awk -v i="$i" -v s="$s" 'BEGIN { printf "%d %.1f\n", i, s * 1000 }' >>"$WORK/clickhouse_times.txt"
  done
  i=$((i + 1))
done <"$WORK/clickhouse.sql"
ch_stop

# ------------------------------------------------------------ compare
node bench/peers/compare.mjs "$WORK"
