-- Scenario 3: POST /connect/token grant_type=client_credentials with client_secret_basic.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.path = "/connect/token"
wrk.body = "grant_type=client_credentials"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function response(status, headers, body)
  check(status == 200 and string.find(body, '"access_token"', 1, true) ~= nil, status, body)
end
