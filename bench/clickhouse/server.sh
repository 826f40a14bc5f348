# Sourced by the benchmarks that run a ClickHouse 18.16 server of their own
# (bench/clickhouse_ingest_bench.sh, bench/peers/run.sh): never the system
# service, listening on 127.0.0.1 only, with its config, data and logs
# under CH_DIR.
#
# Requires: CH_DIR, CH_TCP_PORT, CH_HTTP_PORT set, and the Debian packages
# clickhouse-server and clickhouse-client. Defines:
#   ch ARGS...   clickhouse-client against that server
#   ch_start     writes CH_DIR (removing what was there), starts the server
#                and waits until it answers; exits 1 with its log tail when
#                it does not, or when something already answers on the port
#   ch_stop      stops it (also run on exit: an EXIT trap)
#   ch_pid       prints the server's pid
CH_START_TIMEOUT_SECONDS=${CH_START_TIMEOUT_SECONDS:-60}
CH_STOP_TIMEOUT_SECONDS=${CH_STOP_TIMEOUT_SECONDS:-60}
CH_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ch_server_pid=""

ch() { clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" "$@"; }
ch_pid() { echo "$ch_server_pid"; }

ch_stop() {
  [ -n "$ch_server_pid" ] || return 0
  if kill -0 "$ch_server_pid" 2>/dev/null; then
    kill "$ch_server_pid" 2>/dev/null || true
    for ((i = 0; i < CH_STOP_TIMEOUT_SECONDS * 10; i++)); do
      kill -0 "$ch_server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$ch_server_pid" 2>/dev/null; then
      echo "clickhouse: the server did not stop; killing it" >&2
      kill -9 "$ch_server_pid" 2>/dev/null || true
    fi
  fi
  wait "$ch_server_pid" 2>/dev/null || true
  ch_server_pid=""
}

ch_start() {
  for b in clickhouse-server clickhouse-client; do
    command -v "$b" >/dev/null || {
      echo "clickhouse: $b not found; as root: apt-get install -y clickhouse-server clickhouse-client" >&2
      exit 1
    }
  done
  if ch --query "SELECT 1" >/dev/null 2>&1; then
    echo "clickhouse: something already answers on 127.0.0.1:$CH_TCP_PORT; set CH_TCP_PORT" >&2
    exit 1
  fi
  rm -rf "$CH_DIR"
  mkdir -p "$CH_DIR"/{data,tmp,user_files,format_schemas}
  sed -e "s|@DIR@|$CH_DIR|g" -e "s|@TCP@|$CH_TCP_PORT|g" -e "s|@HTTP@|$CH_HTTP_PORT|g" \
    "$CH_TEMPLATES/config.xml" >"$CH_DIR/config.xml"
  cp "$CH_TEMPLATES/users.xml" "$CH_DIR/users.xml"
  trap ch_stop EXIT
  trap 'exit 130' INT TERM
  clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/stdout.log" 2>&1 &
  ch_server_pid=$!
  for ((i = 0; ; i++)); do
    if ch --query "SELECT 1" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$ch_server_pid" 2>/dev/null || ((i >= CH_START_TIMEOUT_SECONDS * 10)); then
      echo "clickhouse: the server did not start; its logs:" >&2
      tail -n 20 "$CH_DIR/stdout.log" "$CH_DIR/server.err.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
}
