#!/usr/bin/env bash
# Ingest rate of watchstats versus a ClickHouse peer on the same events
# (issue "Must show" 4). Not part of `make bench` (bench/run_ingest_bench.sh):
# it needs the Debian packages clickhouse-server and clickhouse-client
# (18.16; as root: apt-get install -y clickhouse-server clickhouse-client)
# and takes minutes. Run it on its own:
#
#   bench/clickhouse_ingest_bench.sh            (Release build in build/)
#   DAYS=3 bench/clickhouse_ingest_bench.sh     (a quick first check)
#
# 1. build/ingest_bench generates the events once (the built-in generator:
#    --users 9000 --titles 600 --days DAYS --seed 42; 30 days are ~10 M
#    events, ~3.3 GB of NDJSON, kept under WORK/input and reused by later
#    runs with the same options) and
#    measures watchstats' ingest of them (one thread, fsync on every commit).
# 2. A ClickHouse server of our own — its own config, data directory and
#    ports under CH_DIR, listening on 127.0.0.1 only; never the system
#    service — gets the very same files, one `clickhouse-client --query
#    "INSERT INTO events FORMAT JSONEachRow" < file` per day file, in order.
#    Timed: from the first insert to the last one returning (wall), and the
#    CPU of the clients and of the server over that span.
# 3. Prints both rates and the ratio watchstats/ClickHouse (wall and CPU).
# The server is stopped on exit, also on failure or interrupt (trap).
#
# MergeTree schema (ClickHouse 18.16 has no DateTime64, LowCardinality is
# experimental there, and JSONEachRow reads a String column only from a JSON
# string):
#   event_id, session_id, user_id, content_id, type String,
#   ts String           -- as sent: RFC 3339 text ("2026-10-01T12:00:00.000Z")
#   position, from_position, content_length Float64 (seconds, as sent),
#   quality String, autoplay UInt8,
#   device_id, device_type, platform, app_version, country, tz String,
#   day Date MATERIALIZED toDate(parseDateTimeBestEffortOrZero(ts))
#   ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY (session_id, ts)
# ORDER BY (session_id, ts) mirrors the watchstats events table (rows kept by
# session, then time). `metadata` (a nested JSON object) is skipped
# (input_format_skip_unknown_fields=1).
#
# What differs, so read the ratio with it in mind:
#   * ClickHouse stores rows; watchstats also validates every event,
#     deduplicates event ids, sessionizes, and writes sessions and rejections.
#   * About 5 % of the lines cannot be read by 18.16's JSONEachRow into this
#     schema: events whose ts is epoch milliseconds (a JSON number) or whose
#     quality is a number (a pixel height) — valid events that watchstats
#     stores — and the generator's malformed lines (~0.05 %). ClickHouse
#     skips them (input_format_allow_errors_ratio=ERRORS_RATIO); the script
#     prints how many rows it stored. Rates count lines sent, as ingest_bench
#     counts events received.
#   * ClickHouse 18.16 does not fsync inserted parts; watchstats fsyncs every
#     commit. Background merges that run after the last insert are not timed.
#   * clickhouse-client parses the JSON and the server sorts and compresses,
#     so ClickHouse uses both cores; watchstats' ingest is one thread. Hence
#     the CPU-time ratio alongside the wall-clock one.
#
# Environment: DAYS (30), USERS (9000), TITLES (600), SEED (42),
#   WORK (/tmp/watchstats-clickhouse-bench/watchstats: ingest_bench's --work),
#   CH_DIR (/tmp/watchstats-clickhouse-bench/clickhouse), CH_TCP_PORT (19000),
#   CH_HTTP_PORT (19123), ERRORS_RATIO (0.2), PARSE_THREADS ("0 1": watchstats
#   runs once per value: one thread, then parsing on a second one).
# Not a test: it prints figures and asserts nothing; it exits non-zero if a
# step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

DAYS=${DAYS:-30}
USERS=${USERS:-9000}
TITLES=${TITLES:-600}
SEED=${SEED:-42}
WORK=${WORK:-/tmp/watchstats-clickhouse-bench/watchstats}
CH_DIR=${CH_DIR:-/tmp/watchstats-clickhouse-bench/clickhouse}
CH_TCP_PORT=${CH_TCP_PORT:-19000}
CH_HTTP_PORT=${CH_HTTP_PORT:-19123}
ERRORS_RATIO=${ERRORS_RATIO:-0.2}
PARSE_THREADS=${PARSE_THREADS:-"0 1"}

for b in clickhouse-server clickhouse-client; do
  command -v "$b" >/dev/null || {
    echo "clickhouse_ingest_bench: $b not found; as root: apt-get install -y clickhouse-server clickhouse-client" >&2
    exit 1
  }
done
[ -x build/ingest_bench ] || {
  echo "clickhouse_ingest_bench: build/ingest_bench is missing; build first (make build)" >&2
  exit 1
}

# ------------------------------------------------------------ 1. watchstats
ws_rates=()
ws_cpu_rates=()
for pt in $PARSE_THREADS; do
  echo "== watchstats: build/ingest_bench --users $USERS --titles $TITLES --days $DAYS --seed $SEED --parse-threads $pt =="
  ws_out=$(mktemp)
  build/ingest_bench --users "$USERS" --titles "$TITLES" --days "$DAYS" --seed "$SEED" --work "$WORK" \
    --parse-threads "$pt" | tee "$ws_out"
  r=$(awk '/events\/s \(wall\)/ { print $1; exit }' "$ws_out")
  c=$(awk '/events\/s per CPU second/ { for (i = 1; i < NF; i++) if ($(i + 1) == "events/s" && $(i + 2) == "per") print $i; exit }' "$ws_out")
  rm -f "$ws_out"
  if [ -z "$r" ] || [ -z "$c" ]; then
    echo "clickhouse_ingest_bench: cannot read ingest_bench's rates" >&2
    exit 1
  fi
  ws_rates+=("$r")
  ws_cpu_rates+=("$c")
done
files=("$WORK"/input/events/*.ndjson)
lines=$(cat "${files[@]}" | wc -l)
bytes=$(cat "${files[@]}" | wc -c)

# ------------------------------------------------------------ 2. ClickHouse
# shellcheck source=clickhouse/server.sh
. bench/clickhouse/server.sh
ch_start
server_pid=$(ch_pid)
echo "== ClickHouse $(ch --query 'SELECT version()') on 127.0.0.1:$CH_TCP_PORT, data in $CH_DIR =="
ch --multiline --query "
CREATE TABLE events (
  event_id String, session_id String, user_id String, content_id String, type String,
  ts String,
  position Float64, from_position Float64, content_length Float64,
  quality String, autoplay UInt8,
  device_id String, device_type String, platform String, app_version String, country String, tz String,
  day Date MATERIALIZED toDate(parseDateTimeBestEffortOrZero(ts))
) ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY (session_id, ts)"

# CPU ticks (user + system) of the server so far.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)
export CH_TCP_PORT ERRORS_RATIO
ticks0=$(server_ticks)
t0=$EPOCHREALTIME
# shellcheck disable=SC2016  # the inner script expands its own variables
/usr/bin/time -f "%U %S" -o "$CH_DIR/clients.cpu" bash -c '
  set -euo pipefail
  for f in "$@"; do
    clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" \
      --input_format_skip_unknown_fields=1 \
      --input_format_allow_errors_ratio="$ERRORS_RATIO" --input_format_allow_errors_num=1000000000 \
      --query "INSERT INTO events FORMAT JSONEachRow" <"$f"
  done' inserts "${files[@]}"
t1=$EPOCHREALTIME
ticks1=$(server_ticks)
stored=$(ch --query "SELECT count() FROM events")
parts=$(ch --query "SELECT count() FROM system.parts WHERE table = 'events' AND active")
disk=$(ch --query "SELECT sum(bytes_on_disk) FROM system.parts WHERE table = 'events' AND active")
ch_stop

read -r client_user client_sys <"$CH_DIR/clients.cpu"
awk -v t0="$t0" -v t1="$t1" -v k0="$ticks0" -v k1="$ticks1" -v hz="$ticks_per_second" \
  -v cu="$client_user" -v cs="$client_sys" -v lines="$lines" -v bytes="$bytes" -v stored="$stored" \
  -v parts="$parts" -v disk="$disk" -v files="${#files[@]}" -v pts="$PARSE_THREADS" \
  -v ws="${ws_rates[*]}" -v wscpu="${ws_cpu_rates[*]}" 'BEGIN {
  wall = t1 - t0; server = (k1 - k0) / hz; clients = cu + cs; cpu = server + clients
  printf "ClickHouse: %d files, %d lines (%.1f MiB) inserted in %.2f s wall: %.0f lines/s\n", files, lines, bytes / 1048576, wall, lines / wall
  printf "  CPU: server %.2f s + clients %.2f s = %.2f s: %.0f lines per CPU second\n", server, clients, cpu, lines / cpu
  printf "  stored %d rows (%.2f %% of the lines skipped as unreadable); %d active parts, %.1f MiB on disk (%.2f bytes/row)\n", stored, 100 * (lines - stored) / lines, parts, disk / 1048576, disk / stored
  n = split(pts, pt, " "); split(ws, w, " "); split(wscpu, c, " ")
  for (i = 1; i <= n; i++) {
    printf "watchstats (ingest_bench, %d parse threads): %.0f events/s wall, %.0f events/s per CPU second\n", pt[i], w[i], c[i]
    printf "  ratio watchstats/ClickHouse: %.2fx wall, %.2fx per CPU second\n", w[i] / (lines / wall), c[i] / (lines / cpu)
  }
}'
