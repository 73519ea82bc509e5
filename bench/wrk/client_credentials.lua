-- Scenario 3: POST /connect/token grant_type=client_credentials with client_secret_basic.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

wrk.method = "POST"
-- The peers (bench/peers) use other paths and parameters: BENCH_TOKEN_PATH, BENCH_CC_BODY.
wrk.path = os.getenv("BENCH_TOKEN_PATH") or "/connect/token"
wrk.body = os.getenv("BENCH_CC_BODY") or "grant_type=client_credentials"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function response(status, headers, body)
  check(status == 200 and string.find(body, '"access_token"', 1, true) ~= nil, status, body)
end
