#!/usr/bin/env bash
# Runs the benchmarks recorded in docs/performance.md (Release build).
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
