#!/usr/bin/env bash
# Commit cost follows the change, through the command line (issue "Must
# show" 1, CLI variant): the wall time of `watchstats ingest --close-all` of
# a small NDJSON file (EVENTS events of one new session, default 5) into a
# data directory whose day 2026-10-15 holds SESSIONS compacted sessions
# (default 1,000,000), versus the same kind of file into a new day
# (2026-10-14, empty) of the same store.
#
# The big store is built once with `build/commit_bench --make-store`
# (realistic sessions, one base, and an ingest state whose watermark is the
# day's latest session end, as if watchstats had ingested it). Before every
# run the store is copied afresh (cp -a, not timed), so that each run starts
# from the same state and the new day is always empty. Each run ingests a
# file of its own (new session and event ids). RUNS (default 7) runs per
# case, alternating the cases; reported: median and min/max wall time per
# case, the ratio big/new-day of the medians (target <= 2x), and max RSS.
# For scale, the same file is also ingested into an empty store ("baseline").
#
# Both cases pay what the CLI does before and after the commit: opening the
# store and the catalog, and loading the session directory (the sessions of
# the days within the allowed lateness of the watermark, which includes the
# big day in both cases). The library-level commit alone is bench/commit_bench.
#
# Timing uses bash's EPOCHREALTIME and /usr/bin/time (for max RSS); no
# hyperfine needed.
#
# Usage: bench/commit_cli_bench.sh            (Release build in build/)
# Environment: SESSIONS, RUNS, EVENTS, WORK (default /tmp/watchstats-commit-cli-bench).
# Not a test: it prints figures and asserts nothing; it exits non-zero if a
# command fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-1000000}
RUNS=${RUNS:-7}
EVENTS=${EVENTS:-5}
WORK=${WORK:-/tmp/watchstats-commit-cli-bench}
WS=build/watchstats
BIG_DAY=2026-10-15 # the day commit_bench --make-store fills
NEW_DAY=2026-10-14 # an empty day within the allowed lateness of the watermark
SESSION_START=12:00:00
HEARTBEAT_SECONDS=20

for b in "$WS" build/commit_bench; do
  [ -x "$b" ] || {
    echo "commit_cli_bench: $b is missing; build first (make build)" >&2
    exit 1
  }
done

rm -rf "$WORK"
mkdir -p "$WORK/files"
echo "== building the store: $SESSIONS sessions in $BIG_DAY =="
build/commit_bench --make-store "$WORK/big" --sessions "$SESSIONS"

# Writes an NDJSON file of $EVENTS events of one new session on day $2 to $1.
# The dimension values exist in the big store already (no new keys).
make_file() {
  local out=$1 day=$2 sid t0 i type ts
  sid=$(cat /proc/sys/kernel/random/uuid)
  t0=$(date -u -d "$day $SESSION_START" +%s)
  : >"$out"
  for ((i = 0; i < EVENTS; i++)); do
    if ((i == 0)); then
      type=start
    elif ((i == EVENTS - 1)); then
      type=stop
    else
      type=heartbeat
    fi
    ts=$(date -u -d "@$((t0 + i * HEARTBEAT_SECONDS))" +%Y-%m-%dT%H:%M:%S.000Z)
    {
      printf '{"event_id":"%s","session_id":"%s","user_id":"u-1","content_id":"m-1","type":"%s","ts":"%s",' \
        "$(cat /proc/sys/kernel/random/uuid)" "$sid" "$type" "$ts"
      printf '"position":%d.000,"device_id":"dev-1","device_type":"tv","platform":"android","app_version":"5.1.1",' \
        "$((i * HEARTBEAT_SECONDS))"
      printf '"country":"US","tz":"America/New_York"}\n'
    } >>"$out"
  done
}

# Runs one timed ingest of file $2 into a fresh copy of store $1; appends
# "seconds max_rss_kb" to $3.
run_case() {
  local src=$1 file=$2 out=$3 dir="$WORK/run" t0 t1
  rm -rf "$dir"
  if [ -n "$src" ]; then cp -a "$src" "$dir"; else mkdir -p "$dir"; fi
  sync
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$WORK/rss" "$WS" --data "$dir" ingest --quiet --close-all "$file" >"$WORK/last.out"
  t1=$EPOCHREALTIME
  grep -q "ingested $EVENTS events: $EVENTS stored" "$WORK/last.out" || {
    echo "commit_cli_bench: unexpected ingest outcome:" >&2
    cat "$WORK/last.out" >&2
    exit 1
  }
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $(cat "$WORK/rss")" >>"$out"
}

: >"$WORK/big.times"
: >"$WORK/new.times"
: >"$WORK/baseline.times"
echo "== $RUNS runs per case, alternating: ingest of $EVENTS events of one session =="
for ((r = 0; r < RUNS; r++)); do
  make_file "$WORK/files/big-$r.ndjson" "$BIG_DAY"
  make_file "$WORK/files/new-$r.ndjson" "$NEW_DAY"
  make_file "$WORK/files/base-$r.ndjson" "$NEW_DAY"
  if ((r % 2 == 0)); then
    run_case "$WORK/big" "$WORK/files/big-$r.ndjson" "$WORK/big.times"
    run_case "$WORK/big" "$WORK/files/new-$r.ndjson" "$WORK/new.times"
  else
    run_case "$WORK/big" "$WORK/files/new-$r.ndjson" "$WORK/new.times"
    run_case "$WORK/big" "$WORK/files/big-$r.ndjson" "$WORK/big.times"
  fi
  run_case "" "$WORK/files/base-$r.ndjson" "$WORK/baseline.times"
done

# Prints "median min max max_rss_mib" of a times file.
summary() {
  sort -n "$1" | awk '{ t[NR] = $1; if ($2 > rss) rss = $2 }
    END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
          printf "%.4f %.4f %.4f %.0f", m, t[1], t[NR], rss / 1024 }'
}
read -r big_med big_min big_max big_rss <<<"$(summary "$WORK/big.times")"
read -r new_med new_min new_max new_rss <<<"$(summary "$WORK/new.times")"
read -r base_med base_min base_max base_rss <<<"$(summary "$WORK/baseline.times")"
printf '  %-44s median %7.1f ms  (min %.1f, max %.1f)  max RSS %s MiB\n' \
  "into $BIG_DAY ($SESSIONS sessions)" "$(awk -v x="$big_med" 'BEGIN{print x*1000}')" \
  "$(awk -v x="$big_min" 'BEGIN{print x*1000}')" "$(awk -v x="$big_max" 'BEGIN{print x*1000}')" "$big_rss"
printf '  %-44s median %7.1f ms  (min %.1f, max %.1f)  max RSS %s MiB\n' \
  "into $NEW_DAY (new day, same store)" "$(awk -v x="$new_med" 'BEGIN{print x*1000}')" \
  "$(awk -v x="$new_min" 'BEGIN{print x*1000}')" "$(awk -v x="$new_max" 'BEGIN{print x*1000}')" "$new_rss"
printf '  %-44s median %7.1f ms  (min %.1f, max %.1f)  max RSS %s MiB\n' \
  "baseline: into an empty store" "$(awk -v x="$base_med" 'BEGIN{print x*1000}')" \
  "$(awk -v x="$base_min" 'BEGIN{print x*1000}')" "$(awk -v x="$base_max" 'BEGIN{print x*1000}')" "$base_rss"
awk -v b="$big_med" -v n="$new_med" -v e="$base_med" 'BEGIN {
  printf "  ratio big day / new day (medians): %.2fx (target <= 2x); big day / empty store: %.2fx\n", b / n, b / e }'
rm -rf "$WORK/run"
