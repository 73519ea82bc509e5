-- Scenario 1: POST /api/v1/userinfo?domain=... with Basic client credentials and a session token as the
-- text/plain body, cycling through $BENCH_TOKENS (one token per line).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local next_token
local path = "/api/v1/userinfo?domain=https%3A%2F%2Fapp.example.com"
local headers = { ["Authorization"] = os.getenv("BENCH_BASIC"), ["Content-Type"] = "text/plain" }

function init(args)
  next_token = token_cycler()
end

function request()
  return wrk.format("POST", path, headers, next_token())
end

function response(status, headers, body)
  check(status == 200 and string.find(body, '"organizationId"', 1, true) ~= nil, status, body)
end
