#!/usr/bin/env bash
# The service benchmark of issue 5 (item 8), over loopback. See BENCHMARKS.md.
#
#   bench/loadgen/run.sh                       # SQLite: ingestion (single, batched), at-risk over 100k, idle RSS
#   BACKEND=postgres bench/loadgen/run.sh      # PostgreSQL: a fresh database, created and dropped
#
# Env: MODES (default "ingest atrisk rss"), CONCURRENCY (8), DURATION (20 s),
#      BATCH (10: the batched run's events a request), TICKETS (100000),
#      POSTGRES_URL (postgres://postgres@127.0.0.1:5432, the server to create
#      the database on), PORT (18480), ACCORD (a prebuilt binary; default:
#      build it in release).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)

BACKEND=${BACKEND:-sqlite}
MODES=${MODES:-"ingest atrisk rss"}
CONCURRENCY=${CONCURRENCY:-8}
DURATION=${DURATION:-20}
BATCH=${BATCH:-10}
TICKETS=${TICKETS:-100000}
PORT=${PORT:-18480}
POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}

if [[ -z "${ACCORD:-}" ]]; then
  (cd "$ROOT" && cargo build --release -p accord-cli --no-default-features)
  ACCORD="$ROOT/target/release/accord"
fi
cargo build --release --quiet
LOADGEN="$PWD/target/release/loadgen"

WORK=$(mktemp -d)
SERVER_PID=""
DBS=()
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  for db in "${DBS[@]}"; do psql -q "$POSTGRES_URL/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A fresh database: prints the flags that select it.
fresh_db() {
  local name=$1
  if [[ "$BACKEND" == postgres ]]; then
    local db="accord_bench_${name}_$$"
    psql -q "$POSTGRES_URL/postgres" -c "CREATE DATABASE $db" >/dev/null
    DBS+=("$db")
    echo "--database $POSTGRES_URL/$db"
  else
    mkdir -p "$WORK/$name"
    echo "--data-dir $WORK/$name"
  fi
}

# Starts `accord serve` on the database selected by $1 (plus extra flags); waits until ready.
start_server() {
  local db=$1; shift
  # shellcheck disable=SC2086
  "$ACCORD" serve --listen "127.0.0.1:$PORT" $db "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 600); do
    if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then return; fi
    sleep 0.1
  done
  cat "$WORK/serve.err" >&2
  echo "the server did not become ready" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# Creates an admin with a token, a client and its contract on database $1; sets TOKEN, CLIENT.
setup() {
  local db=$1
  # shellcheck disable=SC2086
  "$ACCORD" user add --email bench@provider.example --name Bench --role admin $db >/dev/null
  # A new client must be asked for (older binaries create it unasked).
  local create=""
  if "$ACCORD" user add --help | grep -q -- --create-client; then create="--create-client"; fi
  # shellcheck disable=SC2086
  CLIENT=$("$ACCORD" user add --email it@acme.example --name Acme --role client \
    --client "Acme Analytics GmbH" $create $db 2>&1 >/dev/null | sed -n 's/.*(\(.*\))$/\1/p')
  # shellcheck disable=SC2086
  TOKEN=$("$ACCORD" token create --email bench@provider.example --name bench $db 2>/dev/null)
  [[ -n "$CLIENT" && -n "$TOKEN" ]] || { echo "setup failed" >&2; exit 1; }
}

upload_contract() {
  curl -fsS -X POST -H "authorization: Bearer $TOKEN" -H "content-type: application/toml" \
    --data-binary @"$ROOT/examples/acme.contract.toml" \
    "http://127.0.0.1:$PORT/api/v1/contracts?client=$CLIENT&name=acme.contract.toml" >/dev/null
}

echo "== $(date -u +%FT%TZ) backend=$BACKEND loadavg: $(cat /proc/loadavg)"
URL="http://127.0.0.1:$PORT"

for mode in $MODES; do
  case $mode in
  ingest)
    for batch in 1 "$BATCH"; do
      DB=$(fresh_db "ingest$batch")
      setup "$DB"
      start_server "$DB"
      upload_contract
      echo "-- loadavg before: $(cat /proc/loadavg)"
      "$LOADGEN" ingest "$URL" "$TOKEN" "$CLIENT" acme-2026 \
        --concurrency "$CONCURRENCY" --duration "$DURATION" --batch "$batch" --events 9
      echo "-- loadavg after: $(cat /proc/loadavg); server RSS $(grep VmRSS /proc/$SERVER_PID/status)"
      stop_server
    done
    ;;
  atrisk)
    DB=$(fresh_db atrisk)
    setup "$DB"
    start_server "$DB"
    upload_contract
    "$LOADGEN" seed "$URL" "$TOKEN" "$CLIENT" acme-2026 --tickets "$TICKETS" --concurrency 16
    echo "-- loadavg before: $(cat /proc/loadavg)"
    "$LOADGEN" at-risk "$URL" "$TOKEN" --requests 20 --limit 50 >/dev/null   # warm-up
    "$LOADGEN" at-risk "$URL" "$TOKEN" --requests 1000 --limit 50
    echo "-- loadavg after: $(cat /proc/loadavg)"
    stop_server
    ;;
  rss)
    DB=$(fresh_db rss)
    start_server "$DB"
    sleep 2
    echo "idle RSS, fresh database: $(grep VmRSS /proc/$SERVER_PID/status)"
    stop_server
    DB=$(fresh_db rssdemo)
    start_server "$DB" --demo
    sleep 2
    echo "idle RSS after --demo: $(grep VmRSS /proc/$SERVER_PID/status)"
    # After serving requests: a few reads of every kind, then idle again.
    "$LOADGEN" at-risk "$URL" "$(grep -o 'accord_[A-Za-z0-9_]*' "$WORK/serve.out" | head -1)" --requests 200 --limit 50 >/dev/null
    sleep 2
    echo "idle RSS after --demo and 200 at-risk requests: $(grep VmRSS /proc/$SERVER_PID/status)"
    stop_server
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
done
