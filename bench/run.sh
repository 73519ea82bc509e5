#!/usr/bin/env bash
# Benchmark harness (issue 8). One command; see bench/README.md.
#
#   ./bench/run.sh [scenario|all] [seconds] [--smoke] [--warmup S] [--concurrency C] [--sessions N]
#
# Scenarios: userinfo refresh client_credentials signin oidc_signin passkey introspect discovery two_instances footprint peers
# (default: all).
# two_instances (issue 24): a second server process on the same PostgreSQL; userinfo, refresh and the email sign-in
# with the load split over both (the same total CPU, so it shows the overhead of a second instance, not speed-up).
# peers (issue 11): ours, panva/oidc-provider and stock OpenIddict side by side (bench/peers/peers.sh).
# It starts a throwaway PostgreSQL (real durability, in a temp dir), measures it with pgbench, publishes and
# starts the server in Release on a free loopback port, seeds through the server's own code paths, warms up,
# drives load from separate processes (wrk; the C# driver for stateful flows), prints one table, and stops
# everything it started, also on Ctrl-C or failure.
# BENCH_PROFILE_DIR=DIR: also record a CPU profile of the server (perf, with the runtime's perf map for
# JIT-compiled code) during each measured phase into DIR/<scenario>.perf.data, summarized by bench/profile.py
# into DIR/<scenario>.txt (profiling costs throughput: profile in a separate run).
# BENCH_SERVER_LOG=FILE: keep the server's log there (with Logging__LogLevel__... variables, e.g. to count SQL).
# BENCH_CHART=FILE.svg: with the peers scenario, also write a bar chart of the ratios ours / peer there.
# --smoke: short warm-up, smaller seeds, no thresholds (CI). The exit code is non-zero only when the harness or
# a scenario is broken (see bench/README.md), never for slow numbers.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$REPO/bench"
ALL_SCENARIOS=(userinfo refresh client_credentials signin oidc_signin passkey introspect discovery two_instances footprint peers)

SCENARIO=all
SECONDS_PER=20
SMOKE=0
WARMUP=
CONCURRENCY=16
SESSIONS=
positional=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --warmup) WARMUP=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --sessions) SESSIONS=$2; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *)
      if [[ $positional -eq 0 ]]; then SCENARIO=$1; else SECONDS_PER=$1; fi
      positional=$((positional + 1))
      ;;
  esac
  shift
done
[[ "$SECONDS_PER" =~ ^[0-9]+$ && "$SECONDS_PER" -ge 1 ]] || { echo "run.sh: seconds must be a whole number >= 1" >&2; exit 2; }
if [[ "$SCENARIO" == all ]]; then
  SCENARIOS=("${ALL_SCENARIOS[@]}")
elif [[ " ${ALL_SCENARIOS[*]} " == *" $SCENARIO "* ]]; then
  SCENARIOS=("$SCENARIO")
else
  echo "run.sh: unknown scenario '$SCENARIO' (one of: ${ALL_SCENARIOS[*]}, all)" >&2
  exit 2
fi
if [[ $SMOKE == 1 ]]; then
  WARMUP=${WARMUP:-2}; SESSIONS=${SESSIONS:-10000}; SEED_SIGNINS=50; SEED_OIDC=$((CONCURRENCY + 4)); PGBENCH_SCALE=2; SWEEP_SECONDS=3
else
  WARMUP=${WARMUP:-60}; SESSIONS=${SESSIONS:-100000}; SEED_SIGNINS=1000; SEED_OIDC=$((CONCURRENCY + 100)); PGBENCH_SCALE=16; SWEEP_SECONDS=10
fi
WRK_THREADS=2
wants() { [[ " ${SCENARIOS[*]} " == *" $1 "* ]]; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/authbench.XXXXXX")
chmod 755 "$TMP" # the postgres user must reach $TMP/pg when we run as root
PG_DIR="$TMP/pg"
DATA="$TMP/data"
RESULTS="$TMP/results"
OUTBOX="$TMP/outbox"
mkdir -p "$DATA" "$RESULTS" "$OUTBOX"
SERVER_PID=
SERVER2_PID=
LOAD_PID=
TRACE_PID=
PG_STARTED=0

# shellcheck source=peers/peers.sh
source "$BENCH/peers/peers.sh"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Stops what this script started, in reverse order; the temp dir goes last.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$TRACE_PID" ]] && kill -0 "$TRACE_PID" 2>/dev/null; then
    kill -TERM "$TRACE_PID" 2>/dev/null || true
    wait "$TRACE_PID" 2>/dev/null || true
  fi
  if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
  fi
  peer_stop
  stop_pid "$SERVER2_PID"
  stop_server
  if [[ $PG_STARTED == 1 ]]; then
    "$REPO/scripts/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  fi
  if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
    echo "---- last lines of the server log ----" >&2
    tail -n 15 "$TMP/server.log" | cut -c1-400 >&2 || true
  fi
  if [[ -n "${BENCH_SERVER_LOG:-}" && -f "$TMP/server.log" ]]; then cp "$TMP/server.log" "$BENCH_SERVER_LOG" || true; fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a load process in the background so that Ctrl-C reaches the trap at once, and waits for it.
run_load() {
  "$@" &
  LOAD_PID=$!
  local rc=0
  wait "$LOAD_PID" || rc=$?
  LOAD_PID=
  return $rc
}

# ---- tools -------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (apt)"
  SUDO=
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >"$TMP/apt.log" 2>&1 \
    || { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update >>"$TMP/apt.log" 2>&1 \
      && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >>"$TMP/apt.log" 2>&1; } \
    || { cat "$TMP/apt.log" >&2; echo "run.sh: could not install wrk" >&2; exit 1; }
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$PG_BIN/pgbench" ]] || { echo "run.sh: pgbench not found under /usr/lib/postgresql/*/bin" >&2; exit 1; }
if [[ -n "${BENCH_PROFILE_DIR:-}" ]]; then
  if ! command -v perf >/dev/null 2>&1; then
    log "installing perf (linux-perf)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends linux-perf >>"$TMP/apt.log" 2>&1 \
      || { cat "$TMP/apt.log" >&2; echo "run.sh: could not install perf" >&2; exit 1; }
  fi
  mkdir -p "$BENCH_PROFILE_DIR"
  BENCH_PROFILE_DIR=$(cd "$BENCH_PROFILE_DIR" && pwd)
  # Names for JIT-compiled code (/tmp/perf-PID.map), and that code mapped where perf can attribute it.
  PROFILE_ENV=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
else
  PROFILE_ENV=()
fi
CLK_TCK=$(getconf CLK_TCK)
export BENCH_CLK_TCK=$CLK_TCK

# ---- PostgreSQL and its own limits -------------------------------------------------------------------
PG_PORT=$("$REPO/scripts/pg.sh" free-port)
log "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR), fsync on"
PG_STARTED=1
# pg_stat_statements (PostgreSQL's contrib, in Debian's server package) counts the statements and commits each
# scenario costs the database, read just before and after the measured phase (per operation in the table).
PG_STATEMENTS=0
PG_EXTRA=
if [[ -f "$("$PG_BIN/pg_config" --sharedir 2>/dev/null)/extension/pg_stat_statements.control" ]]; then
  PG_STATEMENTS=1
  PG_EXTRA="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top"
fi
env -u PG_FAST PG_EXTRA_OPTS="$PG_EXTRA" "$REPO/scripts/pg.sh" start "$PG_DIR" "$PG_PORT"
PSQL=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
"${PSQL[@]}" -c 'CREATE DATABASE pgbench' -c 'CREATE DATABASE authserver'
if [[ $PG_STATEMENTS == 1 ]]; then
  "${PSQL[@]}" -d authserver -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
fi

# db_statements: "STATEMENTS COMMITS" run so far in the server's database ("" without pg_stat_statements).
# Statements include the BEGIN and COMMIT the server sends; the COMMITs are also counted on their own.
# The bench tool's driver reads the same counters itself (DatabaseStatements.cs) around its measured phase.
db_statements() {
  [[ $PG_STATEMENTS == 1 ]] || return 0
  "${PSQL[@]}" -d authserver -At -F ' ' -c "$(cat "$BENCH/statements.sql")"
}

# add_statements RESULT_JSON "S0 C0" "S1 C1": statements and commits per successful operation into the result.
add_statements() {
  [[ -n $2 && -n $3 && -f $1 ]] || return 0
  python3 - "$1" $2 $3 <<'PY'
import json, sys
path, s0, c0, s1, c1 = sys.argv[1], *map(int, sys.argv[2:])
r = json.load(open(path))
ok = r.get("ok", r.get("requests", 0))
if ok:
    r.update(statements_per_op=round((s1 - s0) / ok, 2), commits_per_op=round((c1 - c0) / ok, 2))
json.dump(r, open(path, "w"), indent=2)
PY
}

PGBENCH=("$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres)
log "pgbench: init at scale $PGBENCH_SCALE"
"${PGBENCH[@]}" -i -q -s "$PGBENCH_SCALE" pgbench >"$TMP/pgbench-init.log" 2>&1 || { cat "$TMP/pgbench-init.log" >&2; exit 1; }
pgbench_tps() {
  local out
  out=$("${PGBENCH[@]}" -n -c "$CONCURRENCY" -j 2 -T "$SECONDS_PER" "$@" pgbench 2>&1) || { echo "$out" >&2; return 1; }
  sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' <<<"$out" | head -n 1
}
log "pgbench: TPC-B-like, $CONCURRENCY clients, ${SECONDS_PER}s"
TPCB=$(pgbench_tps)
log "pgbench: select-only (-S), $CONCURRENCY clients, ${SECONDS_PER}s"
SELECT_ONLY=$(pgbench_tps -S)
"${PSQL[@]}" -c 'DROP DATABASE pgbench'
printf '{"tpcb": %s, "select_only": %s, "scale": %s, "clients": %s}\n' "$TPCB" "$SELECT_ONLY" "$PGBENCH_SCALE" "$CONCURRENCY" >"$RESULTS/pgbench.json"
log "pgbench: TPC-B $TPCB tps, select-only $SELECT_ONLY tps"

# ---- the server, published in Release ----------------------------------------------------------------
log "publishing the server and building the bench tool (Release)"
# ReadyToRun (ahead-of-time compiled, framework-dependent) as the Dockerfile publishes it: the JIT is most of
# the start-up time otherwise.
case "$(uname -m)" in aarch64 | arm64) ARCH=arm64 ;; *) ARCH=x64 ;; esac
dotnet publish "$REPO/src/AuthServer" -c Release -r "linux-$ARCH" --self-contained false -p:PublishReadyToRun=true \
  -o "$TMP/server" --nologo -v quiet >"$TMP/publish.log" 2>&1 \
  || { cat "$TMP/publish.log" >&2; exit 1; }
dotnet publish "$BENCH/AuthServer.Bench" -c Release -o "$TMP/tool" --nologo -v quiet >"$TMP/publish-tool.log" 2>&1 \
  || { cat "$TMP/publish-tool.log" >&2; exit 1; }

PORT=$("$REPO/scripts/pg.sh" free-port)
BASE="http://127.0.0.1:$PORT"
# Shared by the server and the bench tool (which builds the server's services on the same database).
export ASPNETCORE_ENVIRONMENT=Production
export ConnectionStrings__AuthDb="Host=127.0.0.1;Port=$PG_PORT;Database=authserver;Username=postgres"
export Server__PublicBaseUrl="$BASE"
# The load comes from 127.0.0.1 acting as a reverse proxy: every sign-in carries its own client IP in
# X-Forwarded-For, so the per-IP rate limits keep their production defaults.
export Server__KnownProxies__0=127.0.0.1
# Tokens seeded at the start must outlive the whole run.
export Server__AccessTokenLifetime=02:00:00
export Email__AllowOutbox=true
export Email__OutboxPath="$OUTBOX"
export Logging__LogLevel__Default=Warning
TOOL=(dotnet "$TMP/tool/AuthServer.Bench.dll")

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status"; }

# wait_ready NAME URL PID T0_NS: polls URL until it answers 2xx (at most 60 s) and sets READY_S, the seconds
# since T0_NS; fails when PID exits first.
wait_ready() {
  local name=$1 url=$2 pid=$3 t0=$4 i
  for i in $(seq 1 3000); do
    if curl -fs -o /dev/null --max-time 2 "$url"; then
      READY_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during start-up" >&2
      return 1
    fi
    [[ $i -lt 3000 ]] || { echo "run.sh: $name was not ready after 60 s" >&2; return 1; }
    sleep 0.02
  done
}

# stop_pid PID: SIGTERM, up to 15 s to exit, then SIGKILL.
stop_pid() {
  [[ -n "$1" ]] || return 0
  if kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$1" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

# start_server: starts it and sets READY_S (process start to /health/ready answering 200).
start_server() {
  local t0
  t0=$(date +%s%N)
  # From its publish folder, so the content root (appsettings.json, wwwroot) is the published one.
  (cd "$TMP/server" && exec env "${PROFILE_ENV[@]}" ASPNETCORE_URLS="$BASE" dotnet "$TMP/server/AuthServer.dll" >>"$TMP/server.log" 2>&1) &
  SERVER_PID=$!
  wait_ready "the server" "$BASE/health/ready" "$SERVER_PID" "$t0" || { SERVER_PID=; return 1; }
}

stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=
}

# Idle RSS: a few seconds after ready, with no requests.
idle_rss_kb() {
  sleep 3
  rss_kb
}

log "starting the server on $BASE (first start: empty database, migrations, keys)"
start_server
FIRST_READY_S=$READY_S
FIRST_IDLE_RSS_KB=$(idle_rss_kb)
log "ready in ${FIRST_READY_S}s, idle RSS $((FIRST_IDLE_RSS_KB / 1024)) MB"

# ---- seeding through the server's own code paths ------------------------------------------------------
run_load "${TOOL[@]}" seed-org --data "$DATA"
# shellcheck disable=SC1091
source "$DATA/org.env"
export BENCH_BASIC BENCH_CLIENT_ID
export BENCH_WRK_DIR="$BENCH/wrk"
if wants userinfo || wants refresh || wants introspect || wants two_instances; then
  log "seeding: $SEED_SIGNINS sign-ins on the CentralAuth face, $SEED_OIDC on the OpenID Connect face (HTTP)"
  run_load "${TOOL[@]}" seed-http --data "$DATA" --base "$BASE" --outbox "$OUTBOX" \
    --signins "$SEED_SIGNINS" --oidc "$SEED_OIDC" --concurrency "$CONCURRENCY"
fi

# profile_later NAME DELAY SECONDS: with BENCH_PROFILE_DIR, a CPU profile of the server from DELAY s on, for SECONDS s.
profile_later() {
  [[ -n "${BENCH_PROFILE_DIR:-}" ]] || return 0
  local name=$1 delay=$2 seconds=$3
  (sleep "$delay" && perf record -F 499 -g -p "$SERVER_PID" -o "$BENCH_PROFILE_DIR/$name.perf.data" -- sleep "$seconds" \
    >"$RESULTS/$name.profile.log" 2>&1 \
    && python3 "$BENCH/profile.py" "$BENCH_PROFILE_DIR/$name.perf.data" >"$BENCH_PROFILE_DIR/$name.txt" 2>>"$RESULTS/$name.profile.log") &
  TRACE_PID=$!
}

profile_wait() {
  [[ -n "$TRACE_PID" ]] || return 0
  wait "$TRACE_PID" 2>/dev/null || true
  TRACE_PID=
}

# ---- scenarios ---------------------------------------------------------------------------------------
# cpu_all: CPU seconds of every server process under measurement (one, or both in two_instances).
cpu_all() {
  local total=0 pid
  for pid in $SERVER_PID $SERVER2_PID; do
    total=$(awk -v a="$total" -v b="$(pid_cpu_s "$pid")" 'BEGIN { printf "%.2f", a + b }')
  done
  echo "$total"
}

# wrk_all SECONDS SCRIPT RESULT_JSON: wrk against every instance at once ($CONCURRENCY connections split evenly),
# merged into one result (requests and rates summed, the worst p99 of the instances).
wrk_all() {
  local seconds=$1 script=$2 result=$3 base i=0 pids=() parts=()
  local bases=("$BASE")
  [[ -z "$SERVER2_PID" ]] || bases+=("$BASE2")
  local connections=$((CONCURRENCY / ${#bases[@]}))
  for base in "${bases[@]}"; do
    BENCH_RESULT="$result.$i" wrk -t "$WRK_THREADS" -c "$connections" -d "${seconds}s" --timeout 10s \
      -s "$BENCH/wrk/$script" "$base" >"$result.$i.log" &
    pids+=($!)
    parts+=("$result.$i")
    i=$((i + 1))
  done
  local rc=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [[ $rc == 0 ]] || return 1
  python3 - "$result" "${parts[@]}" <<'PY'
import json, sys
parts = [json.load(open(p)) for p in sys.argv[2:]]
merged = dict(parts[0])
for key in ("requests", "rps", "errors", "socket_errors"):
    merged[key] = sum(p[key] for p in parts)
merged["p50_ms"] = max(p["p50_ms"] for p in parts)
merged["p99_ms"] = max(p["p99_ms"] for p in parts)
merged["error_samples"] = [s for p in parts for s in p["error_samples"]][:5]
json.dump(merged, open(sys.argv[1], "w"))
PY
}

# wrk_scenario NAME SCRIPT [TOKENS_FILE] [SECONDS]: warm-up run, then the measured run with the server's CPU
# time and peak RSS (VmHWM, reset through clear_refs) sampled around it.
wrk_scenario() {
  local name=$1 script=$2 tokens=${3:-} seconds=${4:-$SECONDS_PER} cpu0 cpu1 hwm
  export BENCH_TOKENS=$tokens
  if [[ $WARMUP -gt 0 ]]; then
    log "$name: warm-up ${WARMUP}s"
    run_load wrk_all "$WARMUP" "$script" "$RESULTS/$name.warmup.json"
  fi
  log "$name: measuring ${seconds}s (wrk, $CONCURRENCY connections)"
  local statements0 statements1
  statements0=$(db_statements)
  cpu0=$(cpu_all)
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  profile_later "$name" 0 "$seconds"
  run_load wrk_all "$seconds" "$script" "$RESULTS/$name.wrk.json"
  cpu1=$(cpu_all)
  hwm=$(hwm_kb)
  statements1=$(db_statements)
  profile_wait
  local instances=1
  [[ -z "$SERVER2_PID" ]] || instances=2
  python3 - "$RESULTS/$name.wrk.json" "$RESULTS/$name.json" "$name" "$cpu0" "$cpu1" "$hwm" "$CONCURRENCY" "$instances" <<'EOF'
import json, sys
src, dst, name, cpu0, cpu1, hwm, conc, instances = sys.argv[1:]
r = json.load(open(src))
r.update(scenario=name, unit="requests", ok=r["requests"] - (r["errors"] - r["socket_errors"]), server_cpu_s=round(float(cpu1) - float(cpu0), 2), server_peak_rss_kb=int(hwm), concurrency=int(conc), instances=int(instances))
json.dump(r, open(dst, "w"), indent=2)
EOF
  add_statements "$RESULTS/$name.json" "$statements0" "$statements1"
}

# driver_scenario SCENARIO [RESULT_NAME]: the C# driver against the server (both instances in two_instances).
driver_scenario() {
  local scenario=$1 name=${2:-$1} bases=$BASE pids=$SERVER_PID
  if [[ -n "$SERVER2_PID" ]]; then bases="$BASE,$BASE2"; pids="$SERVER_PID,$SERVER2_PID"; fi
  log "$name: warm-up ${WARMUP}s, measuring ${SECONDS_PER}s (C# driver, $CONCURRENCY workers)"
  profile_later "$name" "$((WARMUP + 1))" "$SECONDS_PER"
  local statements=()
  [[ $PG_STATEMENTS == 0 ]] || statements=(--statements-sql "$BENCH/statements.sql")
  run_load "${TOOL[@]}" load --scenario "$scenario" --data "$DATA" --base "$bases" --outbox "$OUTBOX" \
    --seconds "$SECONDS_PER" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --server-pid "$pids" \
    --out "$RESULTS/$name.json" "${statements[@]}" >"$RESULTS/$name.log"
  profile_wait
}

for scenario in "${SCENARIOS[@]}"; do
  case "$scenario" in
    userinfo) wrk_scenario userinfo userinfo.lua "$DATA/session-tokens.txt" ;;
    refresh) driver_scenario refresh ;;
    client_credentials) wrk_scenario client_credentials client_credentials.lua ;;
    signin) driver_scenario signin ;;
    oidc_signin) driver_scenario oidc_signin ;;
    passkey) driver_scenario passkey ;;
    introspect) wrk_scenario introspect introspect.lua "$DATA/access-tokens.txt" ;;
    discovery) wrk_scenario discovery discovery.lua ;;
    two_instances | footprint | peers) ;; # below: they start other processes
  esac
done

if wants two_instances; then
  # The one-instance rows of this run are the comparison; measured here when the run did not include them.
  for one in userinfo refresh signin; do
    [[ -f "$RESULTS/$one.json" ]] && continue
    case "$one" in
      userinfo) wrk_scenario userinfo userinfo.lua "$DATA/session-tokens.txt" ;;
      *) driver_scenario "$one" ;;
    esac
  done
  PORT2=$("$REPO/scripts/pg.sh" free-port)
  BASE2="http://127.0.0.1:$PORT2"
  log "two_instances: a second server on $BASE2, same database (public URL still $BASE)"
  t0=$(date +%s%N)
  (cd "$TMP/server" && exec env ASPNETCORE_URLS="$BASE2" dotnet "$TMP/server/AuthServer.dll" >>"$TMP/server2.log" 2>&1) &
  SERVER2_PID=$!
  wait_ready "the second server" "$BASE2/health/ready" "$SERVER2_PID" "$t0" || { SERVER2_PID=; exit 1; }
  wrk_scenario two-userinfo userinfo.lua "$DATA/session-tokens.txt"
  driver_scenario refresh two-refresh
  driver_scenario signin two-signin
  stop_pid "$SERVER2_PID"
  SERVER2_PID=
fi

if wants footprint; then
  log "footprint: $SESSIONS active sessions through SessionService"
  run_load "${TOOL[@]}" seed-sessions --data "$DATA" --count "$SESSIONS"
  stop_server
  log "footprint: restarting the server with $SESSIONS sessions in the database"
  start_server
  RESTART_READY_S=$READY_S
  RESTART_IDLE_RSS_KB=$(idle_rss_kb)
  # Touch the sessions: userinfo over every minted token once, as far as the time allows (no warm-up: this is
  # the RSS a freshly started server reaches under load, not a throughput figure).
  WARMUP_SAVED=$WARMUP
  WARMUP=0
  wrk_scenario footprint-sweep userinfo.lua "$DATA/minted-tokens.txt" "$SWEEP_SECONDS"
  WARMUP=$WARMUP_SAVED
  printf '{"scenario": "footprint", "sessions": %s, "first_ready_s": %s, "first_idle_rss_kb": %s, "restart_ready_s": %s, "restart_idle_rss_kb": %s}\n' \
    "$SESSIONS" "$FIRST_READY_S" "$FIRST_IDLE_RSS_KB" "$RESTART_READY_S" "$RESTART_IDLE_RSS_KB" >"$RESULTS/footprint.json"
fi

if wants peers; then
  run_peers
fi

stop_server
LOAD_AVG=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$BENCH/report.py" "$RESULTS" --smoke "$SMOKE" --seconds "$SECONDS_PER" --warmup "$WARMUP" --concurrency "$CONCURRENCY" \
  --load "$LOAD_AVG" --order "${SCENARIOS[*]}" --chart "${BENCH_CHART:-}"
