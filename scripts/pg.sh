#!/usr/bin/env bash
# Local PostgreSQL helper (no system service needed).
#   scripts/pg.sh start DIR PORT   initdb DIR if it has no cluster, start it on 127.0.0.1:PORT, wait until ready
#   scripts/pg.sh stop DIR         fast shutdown (no error when not running)
#   scripts/pg.sh status DIR       pg_ctl status (exit 0 when running)
#   scripts/pg.sh free-port        print a free TCP port on 127.0.0.1
# Env: PG_BIN (server binaries dir), PG_FAST=1 (fsync=off; throwaway test clusters only),
#      PG_EXTRA_OPTS (more server options, e.g. "-c shared_preload_libraries=pg_stat_statements").
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT | stop DIR | status DIR | free-port" >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$newest" && -x "$newest/pg_ctl" ]]; then
    echo "$newest"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    pg_config --bindir
    return
  fi
  echo "pg.sh: PostgreSQL server binaries not found (set PG_BIN)" >&2
  exit 1
}

# Run a PostgreSQL command as the cluster owner: `postgres` when we are root (initdb refuses root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

cmd=${1:-}
case "$cmd" in
  free-port)
    free_port
    exit 0
    ;;
  start)
    [[ $# -eq 3 ]] || usage
    ;;
  stop | status)
    [[ $# -eq 2 ]] || usage
    ;;
  *)
    usage
    ;;
esac

BIN=$(find_bin)
if [[ "$cmd" == start ]]; then
  mkdir -p "$2"
elif [[ ! -d "$2" ]]; then
  [[ "$cmd" == stop ]] && exit 0
  echo "pg.sh: no directory $2" >&2
  exit 3
fi
DIR=$(cd "$2" && pwd)

case "$cmd" in
  start)
    PORT=$3
    if [[ $(id -u) -eq 0 ]]; then
      chown -R postgres: "$DIR"
      chmod 700 "$DIR"
      if ! runuser -u postgres -- test -x "$DIR"; then
        echo "pg.sh: user postgres cannot reach $DIR (a parent directory is not traversable)" >&2
        exit 1
      fi
    fi
    if [[ ! -f "$DIR/PG_VERSION" ]]; then
      if ! out=$(as_owner "$BIN/initdb" -D "$DIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 2>&1); then
        echo "$out" >&2
        echo "pg.sh: initdb failed in $DIR" >&2
        exit 1
      fi
    fi
    if as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "pg.sh: already running in $DIR" >&2
    else
      opts="-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300"
      if [[ "${PG_FAST:-}" == 1 ]]; then
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      fi
      opts+=" ${PG_EXTRA_OPTS:-}"
      if ! as_owner "$BIN/pg_ctl" -D "$DIR" -o "$opts" -l "$DIR/server.log" -w -t 30 start >/dev/null; then
        echo "pg.sh: PostgreSQL failed to start; log follows" >&2
        tail -n 30 "$DIR/server.log" >&2 || true
        exit 1
      fi
    fi
    for _ in $(seq 1 60); do
      if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
        exit 0
      fi
      sleep 0.5
    done
    echo "pg.sh: PostgreSQL in $DIR not ready on 127.0.0.1:$PORT after 30 s" >&2
    tail -n 30 "$DIR/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -f "$DIR/postmaster.pid" ]]; then
      as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    ;;
  status)
    as_owner "$BIN/pg_ctl" -D "$DIR" status
    ;;
esac
