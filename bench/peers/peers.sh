# Peers (issue 11), sourced by bench/run.sh: our server, panva/oidc-provider and a stock OpenIddict 7.8 server,
# plus a bare ASP.NET Core server as the footprint floor (start-up and idle RSS only), one after the other on the same machine, the same PostgreSQL cluster, the same load tool and connection count.
# run_peers needs run.sh's globals (TMP, RESULTS, BASE, SERVER_PID, CONCURRENCY, WRK_THREADS, SMOKE, ...).
#
# For each server: (re)start and time process start -> ready; idle RSS 3 s later; mint introspection tokens with
# client_credentials; a mixed warm-up (discovery, JWKS, grant, introspection) of PEER_WARMUP s; then per scenario
# a short warm-up and the measured phase (server CPU time and peak RSS around it, as in run.sh).
# The stateful scenarios (issue 24) follow: userinfo with bearer access tokens (wrk) and refresh-token rotation
# (the C# driver, one chain per worker), with tokens from each server's own authorization code flow: ours through
# the hosted page and an emailed code (seed-http), the peers through bench/peers/code_flow.py.

PEER_PID=
PEER_CLIENT_ID=bench-peer
PEER_CLIENT_SECRET=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

# peer_start NAME READY_URL CMD...: starts CMD in the background (PEER_PID) and sets READY_S (run.sh's wait_ready).
peer_start() {
  local name=$1 url=$2 t0
  shift 2
  t0=$(date +%s%N)
  "$@" >>"$TMP/peer-$name.log" 2>&1 &
  PEER_PID=$!
  if ! wait_ready "peer $name" "$url" "$PEER_PID" "$t0"; then
    tail -n 20 "$TMP/peer-$name.log" >&2 || true
    PEER_PID=
    return 1
  fi
}

peer_stop() {
  stop_pid "$PEER_PID"
  PEER_PID=
}

pid_cpu_s() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$CLK_TCK" '{ printf "%.2f", ($12 + $13) / t }'; }
pid_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# peer_tokens URL BODY COUNT FILE: COUNT access tokens from client_credentials grants, one per line.
peer_tokens() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import json, os, sys, urllib.request
url, body, count, out = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]
with open(out, "w") as f:
    for _ in range(count):
        req = urllib.request.Request(url, data=body, headers={"Authorization": os.environ["BENCH_BASIC"],
                                                              "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=30) as r:
            f.write(json.load(r)["access_token"] + "\n")
PY
}

# peer_wrk SERVER SCENARIO SCRIPT PID BASE: short warm-up, then the measured phase.
peer_wrk() {
  local server=$1 name=$2 script=$3 pid=$4 base=$5 cpu0 cpu1 hwm out="$RESULTS/peers/$1.$2"
  if [[ $PEER_SCENARIO_WARMUP -gt 0 ]]; then
    BENCH_RESULT="$out.warmup.json" run_load wrk -t "$WRK_THREADS" -c "$CONCURRENCY" -d "${PEER_SCENARIO_WARMUP}s" --timeout 10s \
      -s "$BENCH/wrk/$script" "$base" >"$out.warmup.log"
  fi
  log "peers: $server $name: measuring ${PEER_SECONDS}s (wrk, $CONCURRENCY connections)"
  cpu0=$(pid_cpu_s "$pid")
  echo 5 >"/proc/$pid/clear_refs"
  BENCH_RESULT="$out.wrk.json" run_load wrk -t "$WRK_THREADS" -c "$CONCURRENCY" -d "${PEER_SECONDS}s" --timeout 10s \
    -s "$BENCH/wrk/$script" "$base" >"$out.log"
  cpu1=$(pid_cpu_s "$pid")
  hwm=$(pid_kb "$pid" VmHWM)
  python3 - "$out.wrk.json" "$out.json" "$server" "$name" "$cpu0" "$cpu1" "$hwm" <<'PY'
import json, sys
src, dst, server, name, cpu0, cpu1, hwm = sys.argv[1:]
r = json.load(open(src))
r.update(server=server, scenario=name, ok=r["requests"] - (r["errors"] - r["socket_errors"]),
         server_cpu_s=round(float(cpu1) - float(cpu0), 2), server_peak_rss_kb=int(hwm))
json.dump(r, open(dst, "w"), indent=2)
PY
}

# peer_measure SERVER PID BASE: the three scenarios against one running server. Uses BENCH_BASIC, BENCH_TOKEN_PATH,
# BENCH_CC_BODY, BENCH_INTROSPECT_PATH, BENCH_JWKS_PATH from the caller.
peer_measure() {
  local server=$1 pid=$2 base=$3 idle
  sleep 3
  idle=$(pid_kb "$pid" VmRSS)
  log "peers: $server ready in ${READY_S}s, idle RSS $((idle / 1024)) MB"
  export BENCH_TOKENS="$TMP/peer-$server-tokens.txt"
  peer_tokens "$base$BENCH_TOKEN_PATH" "${BENCH_INTRO_CC_BODY:-$BENCH_CC_BODY}" "$PEER_TOKEN_COUNT" "$BENCH_TOKENS"
  log "peers: $server warm-up ${PEER_WARMUP}s (discovery, JWKS, grant, introspection)"
  BENCH_RESULT="$RESULTS/peers/$server.warmup.json" run_load wrk -t "$WRK_THREADS" -c "$CONCURRENCY" -d "${PEER_WARMUP}s" \
    --timeout 10s -s "$BENCH/wrk/peer_warmup.lua" "$base" >"$RESULTS/peers/$server.warmup.log"
  peer_wrk "$server" discovery discovery.lua "$pid" "$base"
  peer_wrk "$server" client_credentials client_credentials.lua "$pid" "$base"
  peer_wrk "$server" introspect introspect.lua "$pid" "$base"
  printf '{"server": "%s", "ready_s": %s, "idle_rss_kb": %s}\n' "$server" "$READY_S" "$idle" >"$RESULTS/peers/$server.json"
}

# peer_code_flows SERVER BASE AUTHORIZE_PATH TOKEN_PATH [EXTRA_QUERY]: PEER_FLOWS authorization code flows of the
# peer's code client (CLIENT_ID-code), their access and refresh tokens in $TMP/peer-SERVER-{access,refresh}.txt.
peer_code_flows() {
  local server=$1 base=$2 authorize=$3 token=$4 extra=${5:-}
  log "peers: $server: $PEER_FLOWS authorization code flows for the stateful scenarios"
  python3 "$BENCH/peers/code_flow.py" "$base" "$authorize" "$token" "$PEER_CLIENT_ID-code" "$PEER_CLIENT_SECRET" "$PEER_FLOWS" \
    "$TMP/peer-$server-refresh.txt" "$TMP/peer-$server-access.txt" "$extra"
}

# peer_stateful SERVER PID BASE USERINFO_PATH TOKEN_PATH BASIC ACCESS_FILE REFRESH_FILE: userinfo, then refresh.
# Userinfo first: a rotation may retire the access tokens of its chain on some servers.
peer_stateful() {
  local server=$1 pid=$2 base=$3 userinfo=$4 token_path=$5 basic=$6 access=$7 refresh=$8 out="$RESULTS/peers/$1"
  BENCH_TOKENS=$access BENCH_USERINFO_PATH=$userinfo peer_wrk "$server" userinfo bearer_userinfo.lua "$pid" "$base"
  log "peers: $server refresh: warm-up ${PEER_SCENARIO_WARMUP}s, measuring ${PEER_SECONDS}s (C# driver, $CONCURRENCY workers)"
  run_load "${TOOL[@]}" load --scenario refresh --data "$DATA" --base "$base" --chains "$refresh" --token-path "$token_path" \
    --basic "$basic" --seconds "$PEER_SECONDS" --warmup "$PEER_SCENARIO_WARMUP" --concurrency "$CONCURRENCY" \
    --server-pid "$pid" --out "$out.refresh.driver.json" >"$out.refresh.log"
  python3 - "$out.refresh.driver.json" "$out.refresh.json" "$server" <<'PY'
import json, sys
src, dst, server = sys.argv[1:]
r = json.load(open(src))
r.update(server=server, scenario="refresh")
json.dump(r, open(dst, "w"), indent=2)
PY
}

# run_peers: measures ours (restarted), then oidc-provider, then stock OpenIddict. Leaves our server running.
run_peers() {
  mkdir -p "$RESULTS/peers"
  if [[ $SMOKE == 1 ]]; then
    PEER_WARMUP=2; PEER_SCENARIO_WARMUP=0; PEER_SECONDS=$((SECONDS_PER < 3 ? SECONDS_PER : 3)); PEER_TOKEN_COUNT=20
    PEER_FLOWS=$CONCURRENCY
  else
    PEER_WARMUP=${BENCH_PEER_WARMUP:-60}; PEER_SCENARIO_WARMUP=5; PEER_SECONDS=$SECONDS_PER; PEER_TOKEN_COUNT=500
    PEER_FLOWS=100
  fi

  printf '{"warmup_s": %s, "scenario_warmup_s": %s, "seconds": %s, "tokens": %s}\n' \
    "$PEER_WARMUP" "$PEER_SCENARIO_WARMUP" "$PEER_SECONDS" "$PEER_TOKEN_COUNT" >"$RESULTS/peers/config.json"
  log "peers: building oidc-provider (npm) and the stock OpenIddict server (Release)"
  local op_dir="$BENCH/peers/oidc-provider"
  if [[ ! -d "$op_dir/node_modules/oidc-provider" ]]; then
    (cd "$op_dir" && npm install --no-audit --no-fund --no-package-lock >"$TMP/peer-npm.log" 2>&1) \
      || { cat "$TMP/peer-npm.log" >&2; echo "run.sh: npm install in bench/peers/oidc-provider failed" >&2; return 1; }
  fi
  dotnet publish "$BENCH/peers/openiddict-stock" -c Release -r "linux-$ARCH" --self-contained false -p:PublishReadyToRun=true \
    -o "$TMP/peer-openiddict" --nologo -v quiet >"$TMP/peer-publish.log" 2>&1 \
    || { cat "$TMP/peer-publish.log" >&2; return 1; }
  dotnet publish "$BENCH/peers/aspnet-bare" -c Release -r "linux-$ARCH" --self-contained false -p:PublishReadyToRun=true \
    -o "$TMP/peer-aspnet-bare" --nologo -v quiet >"$TMP/peer-publish-bare.log" 2>&1 \
    || { cat "$TMP/peer-publish-bare.log" >&2; return 1; }
  "${PSQL[@]}" -c 'CREATE DATABASE peer_openiddict'

  # 1. Ours: a restart (the database already migrated, as in production), the organization's client.
  log "peers: restarting our server"
  stop_server
  start_server
  BENCH_TOKEN_PATH=/connect/token BENCH_CC_BODY=grant_type=client_credentials BENCH_INTROSPECT_PATH=/connect/introspect \
    BENCH_JWKS_PATH=/.well-known/jwks peer_measure ours "$SERVER_PID" "$BASE"
  log "peers: ours: $PEER_FLOWS OpenID Connect sign-ins for the stateful scenarios"
  run_load "${TOOL[@]}" seed-http --data "$DATA" --base "$BASE" --outbox "$OUTBOX" --signins 0 --oidc "$PEER_FLOWS" \
    --prefix peer-ours- --ip-offset $((5 << 20)) --concurrency "$CONCURRENCY" >"$RESULTS/peers/ours.seed.log"
  peer_stateful ours "$SERVER_PID" "$BASE" /connect/userinfo /connect/token "$BENCH_BASIC" \
    "$DATA/peer-ours-access-tokens.txt" "$DATA/peer-ours-refresh-tokens.txt"

  local port base basic code_basic
  basic="Basic $(printf '%s:%s' "$PEER_CLIENT_ID" "$PEER_CLIENT_SECRET" | base64 -w0)"
  code_basic="Basic $(printf '%s-code:%s' "$PEER_CLIENT_ID" "$PEER_CLIENT_SECRET" | base64 -w0)"

  # 2. oidc-provider (in memory): RS256 JWTs for resource urn:bench:jwt, opaque tokens for urn:bench:opaque.
  port=$("$REPO/scripts/pg.sh" free-port)
  base="http://127.0.0.1:$port"
  log "peers: starting oidc-provider on $base"
  peer_start oidc-provider "$base/.well-known/openid-configuration" \
    node "$op_dir/server.js" "$port" "$PEER_CLIENT_ID" "$PEER_CLIENT_SECRET"
  BENCH_BASIC=$basic BENCH_TOKEN_PATH=/token BENCH_CC_BODY='grant_type=client_credentials&scope=api&resource=urn%3Abench%3Ajwt' \
    BENCH_INTRO_CC_BODY='grant_type=client_credentials&scope=api&resource=urn%3Abench%3Aopaque' \
    BENCH_INTROSPECT_PATH=/token/introspection BENCH_JWKS_PATH=/jwks peer_measure oidc-provider "$PEER_PID" "$base"
  peer_code_flows oidc-provider "$base" /auth /token prompt=consent
  peer_stateful oidc-provider "$PEER_PID" "$base" /me /token "$code_basic" \
    "$TMP/peer-oidc-provider-access.txt" "$TMP/peer-oidc-provider-refresh.txt"
  peer_stop

  # 3. Stock OpenIddict: a first start creates the schema and seeds the client; the measured start is a restart.
  port=$("$REPO/scripts/pg.sh" free-port)
  base="http://127.0.0.1:$port"
  local oi=(env "ConnectionStrings__Peer=Host=127.0.0.1;Port=$PG_PORT;Database=peer_openiddict;Username=postgres"
    "Peer__ClientId=$PEER_CLIENT_ID" "Peer__ClientSecret=$PEER_CLIENT_SECRET" "ASPNETCORE_URLS=$base"
    Logging__LogLevel__Default=Warning
    dotnet "$TMP/peer-openiddict/OpenIddictStock.dll")
  log "peers: starting stock OpenIddict on $base (first start: schema and client)"
  peer_start openiddict-stock "$base/.well-known/openid-configuration" "${oi[@]}"
  peer_stop
  log "peers: restarting stock OpenIddict"
  peer_start openiddict-stock "$base/.well-known/openid-configuration" "${oi[@]}"
  BENCH_BASIC=$basic BENCH_TOKEN_PATH=/connect/token BENCH_CC_BODY='grant_type=client_credentials&scope=api' \
    BENCH_INTROSPECT_PATH=/connect/introspect BENCH_JWKS_PATH=/.well-known/jwks peer_measure openiddict-stock "$PEER_PID" "$base"
  peer_code_flows openiddict-stock "$base" /connect/authorize /connect/token
  peer_stateful openiddict-stock "$PEER_PID" "$base" /connect/userinfo /connect/token "$code_basic" \
    "$TMP/peer-openiddict-stock-access.txt" "$TMP/peer-openiddict-stock-refresh.txt"
  peer_stop

  # 4. The floor, not a peer: a bare ASP.NET Core server's start-up time and idle RSS (no load).
  port=$("$REPO/scripts/pg.sh" free-port)
  base="http://127.0.0.1:$port"
  peer_start aspnet-bare "$base/ready" env "ASPNETCORE_URLS=$base" dotnet "$TMP/peer-aspnet-bare/AspNetBare.dll"
  sleep 3
  local idle
  idle=$(pid_kb "$PEER_PID" VmRSS)
  log "peers: bare ASP.NET Core (reference) ready in ${READY_S}s, idle RSS $((idle / 1024)) MB"
  printf '{"server": "aspnet-bare", "ready_s": %s, "idle_rss_kb": %s}\n' "$READY_S" "$idle" >"$RESULTS/peers/aspnet-bare.json"
  peer_stop
}
