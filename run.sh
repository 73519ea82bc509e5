#!/usr/bin/env bash
# Build and start the auth server on http://localhost:5080.
# Without ConnectionStrings__AuthDb, a local PostgreSQL lives in .data/postgres (kept between runs)
# on port 55432 (AUTH_PG_PORT) and is stopped when the server exits. Extra args go to the app.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$REPO"

PG_DIR="$REPO/.data/postgres"
PG_STARTED=0
APP_PID=

cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  if [[ "$PG_STARTED" == 1 ]]; then
    echo "Stopping local PostgreSQL ($PG_DIR)"
    "$REPO/scripts/pg.sh" stop "$PG_DIR" || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

if [[ -z "${ConnectionStrings__AuthDb:-}" ]]; then
  PG_PORT=${AUTH_PG_PORT:-55432}
  mkdir -p "$REPO/.data"
  chmod 755 "$REPO/.data"
  echo "Starting local PostgreSQL in $PG_DIR on port $PG_PORT"
  PG_STARTED=1
  "$REPO/scripts/pg.sh" start "$PG_DIR" "$PG_PORT"
  if [[ -z $(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'authserver'") ]]; then
    psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE authserver'
  fi
  export ConnectionStrings__AuthDb="Host=127.0.0.1;Port=$PG_PORT;Database=authserver;Username=postgres"
fi

export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:5080}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Demo__CreateOrganization=true
export Email__OutboxPath=${Email__OutboxPath:-$REPO/.data/outbox}
mkdir -p "$Email__OutboxPath"

echo "Auth server: $ASPNETCORE_URLS  (emails are written to $Email__OutboxPath)"

# In the background so that TERM/INT reach the trap at once; the trap stops the server and the database.
dotnet run --project src/AuthServer -c Release --no-launch-profile -- "$@" &
APP_PID=$!
rc=0
wait "$APP_PID" || rc=$?
APP_PID=
exit "$rc"
