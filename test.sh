#!/usr/bin/env bash
# Run every test: a throwaway PostgreSQL and a maildev SMTP server are started for the run and
# always stopped afterwards. Extra args go to `dotnet test` (e.g. ./test.sh --filter Passkey).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$REPO"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/authtest.XXXXXX")
chmod 755 "$TMP" # the postgres user must reach $TMP/pg when we run as root
PG_DIR="$TMP/pg"
MAILDEV_PID=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$MAILDEV_PID" ]]; then
    kill "$MAILDEV_PID" 2>/dev/null || true
    wait "$MAILDEV_PID" 2>/dev/null || true
  fi
  "$REPO/scripts/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

USED_PORTS=
# pick_port VAR: store in VAR a free port on 127.0.0.1 not handed out before in this run.
pick_port() {
  local p
  while :; do
    p=$("$REPO/scripts/pg.sh" free-port)
    if [[ " $USED_PORTS " != *" $p "* ]]; then
      USED_PORTS+=" $p"
      printf -v "$1" '%s' "$p"
      return
    fi
  done
}

if [[ ! -x /usr/bin/chromium ]]; then
  echo "test.sh: /usr/bin/chromium is missing; the browser tests need it." >&2
  echo "         Install it with: apt-get install -y chromium   (.ci/run does this on CI)" >&2
  exit 1
fi

# PostgreSQL (throwaway cluster, fsync off).
pick_port PG_PORT
echo "test.sh: PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR)"
PG_FAST=1 "$REPO/scripts/pg.sh" start "$PG_DIR" "$PG_PORT"

# maildev (real SMTP server with a JSON API), pinned to 2.x: 3.x changed the API.
MAILDEV="$REPO/.tools/maildev/node_modules/.bin/maildev"
if [[ ! -x "$MAILDEV" ]]; then
  echo "test.sh: installing maildev@2.2.1 into .tools/maildev"
  npm install --no-audit --no-fund --prefix "$REPO/.tools/maildev" maildev@2.2.1 >"$TMP/npm.log" 2>&1 \
    || { cat "$TMP/npm.log" >&2; echo "test.sh: npm install maildev failed" >&2; exit 1; }
fi
pick_port SMTP_PORT
pick_port MAILDEV_WEB_PORT
"$MAILDEV" --smtp "$SMTP_PORT" --web "$MAILDEV_WEB_PORT" --ip 127.0.0.1 >"$TMP/maildev.log" 2>&1 &
MAILDEV_PID=$!
for i in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:$MAILDEV_WEB_PORT/email" >/dev/null; then
    break
  fi
  if ! kill -0 "$MAILDEV_PID" 2>/dev/null || [[ $i -eq 60 ]]; then
    cat "$TMP/maildev.log" >&2
    echo "test.sh: maildev did not start" >&2
    exit 1
  fi
  sleep 0.5
done
echo "test.sh: maildev SMTP 127.0.0.1:$SMTP_PORT, web http://127.0.0.1:$MAILDEV_WEB_PORT"

export AUTH_TEST_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
export AUTH_TEST_PG_DATA="$PG_DIR"
export AUTH_TEST_PG_PORT="$PG_PORT"
export AUTH_TEST_PG_SCRIPT="$REPO/scripts/pg.sh"
export AUTH_TEST_SMTP_HOST=127.0.0.1
export AUTH_TEST_SMTP_PORT="$SMTP_PORT"
export AUTH_TEST_MAILDEV_URL="http://127.0.0.1:$MAILDEV_WEB_PORT"
export AUTH_TEST_CHROMIUM=/usr/bin/chromium
export AUTH_TEST_ARTIFACTS="$REPO/artifacts"
mkdir -p "$AUTH_TEST_ARTIFACTS"

# jose, as CentralAuth's client library uses it: a test decrypts our tokens with it.
if [[ ! -d "$REPO/tests/jose-check/node_modules/jose" ]]; then
  echo "test.sh: installing jose into tests/jose-check"
  npm install --no-audit --no-fund --prefix "$REPO/tests/jose-check" >"$TMP/npm-jose.log" 2>&1 \
    || { cat "$TMP/npm-jose.log" >&2; echo "test.sh: npm install jose failed" >&2; exit 1; }
fi
export AUTH_TEST_JOSE_CHECK="$REPO/tests/jose-check/decrypt.mjs"

# panva/oidc-provider: the real upstream OpenID Connect provider of the upstream sign-in tests.
if [[ ! -d "$REPO/tests/upstream-idp/node_modules/oidc-provider" ]]; then
  echo "test.sh: installing oidc-provider into tests/upstream-idp"
  npm install --no-audit --no-fund --no-package-lock --prefix "$REPO/tests/upstream-idp" >"$TMP/npm-upstream.log" 2>&1 \
    || { cat "$TMP/npm-upstream.log" >&2; echo "test.sh: npm install oidc-provider failed" >&2; exit 1; }
fi
export AUTH_TEST_UPSTREAM_IDP="$REPO/tests/upstream-idp/server.js"
# axe-core: the browser tests check the hosted pages' and the admin console's accessibility with it.
if [[ ! -f "$REPO/tests/axe-check/node_modules/axe-core/axe.min.js" ]]; then
  echo "test.sh: installing axe-core into tests/axe-check"
  npm install --no-audit --no-fund --prefix "$REPO/tests/axe-check" >"$TMP/npm-axe.log" 2>&1 \
    || { cat "$TMP/npm-axe.log" >&2; echo "test.sh: npm install axe-core failed" >&2; exit 1; }
fi
export AUTH_TEST_AXE="$REPO/tests/axe-check/node_modules/axe-core/axe.min.js"

dotnet tool restore

RESULTS="$TMP/results"
rc=0
dotnet test AuthServer.sln -c Release \
  --logger "console;verbosity=normal" \
  --logger trx \
  --results-directory "$RESULTS" \
  "$@" || rc=$?

# Sum the counters of every trx file (one per test project; the default trx names never collide,
# unlike a fixed LogFileName shared by several projects).
(python3 - "$RESULTS" <<'EOF'
import glob, os, sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
failures = []
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        continue
    for node in root.iter():
        tag = node.tag.split("}")[-1]
        if tag == "Counters":
            c = {k: int(v) for k, v in node.attrib.items() if v.isdigit()}
            passed += c.get("passed", 0)
            failed += c.get("failed", 0) + c.get("error", 0) + c.get("timeout", 0) + c.get("aborted", 0)
            skipped += c.get("notExecuted", 0) or max(0, c.get("total", 0) - c.get("executed", 0))
        elif tag == "UnitTestResult" and node.get("outcome") not in ("Passed", "NotExecuted"):
            texts = {m.tag.split("}")[-1]: (m.text or "").strip() for m in node.iter() if m.tag.split("}")[-1] in ("Message", "StackTrace")}
            # The message's first 80 lines (Playwright puts the step it waited on in its "Call log" lines; the
            # browser tests' trail, the pages and the last browser events), and where in the tests it was thrown,
            # so a failure seen only in a CI log can be placed.
            message = "\n    ".join(texts.get("Message", "").splitlines()[:80])[:8000]
            frames = [f.strip() for f in texts.get("StackTrace", "").splitlines() if "/tests/" in f][:4]
            failures.append(f"FAILED {node.get('testName')} ({node.get('duration')}): {message}"
                            + "".join(f"\n    {frame}" for frame in frames))
# Name the failures last, so the tail of a long log shows them.
for line in failures:
    print(line)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
EOF
) || echo "test.sh: could not read the trx results" >&2

if [[ $rc -ne 0 ]]; then
  echo "test.sh: dotnet test exited with code $rc" >&2
fi
exit "$rc"
