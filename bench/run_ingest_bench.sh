#!/usr/bin/env bash
# Runs the benchmarks recorded in docs/performance.md (Release build).
# Not included: bench/clickhouse_ingest_bench.sh (needs ClickHouse; run it
# on its own).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ingest: >= 10M events, end to end =="
build/ingest_bench "$@"
echo "== parser alone =="
build/parse_bench
echo "== event segments: bytes per event, encode and decode =="
build/segment_bench
echo "== catalog: 100,000 titles and 1,000,000 users =="
build/catalog_load_bench
echo "== commit cost follows the change: one session into a 1M / 5M-session day vs an empty day =="
build/commit_bench
echo "== commit cost through the CLI: watchstats ingest of one session, 1M-session day vs new day =="
bench/commit_cli_bench.sh
echo "== write-ahead log group commit: 4 / 16 / 64 writers of 1,000-event batches =="
build/wal_bench
echo "== scans: projected integer columns of a 4M-session day, block skipping on start =="
build/scan_bench
