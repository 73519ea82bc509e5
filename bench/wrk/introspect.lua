-- Scenario 6a: POST /connect/introspect of user access tokens (from real OpenID Connect sign-ins, so the
-- session check runs), cycling through $BENCH_TOKENS. JWTs are base64url with dots: no form encoding needed.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local next_token
local path = os.getenv("BENCH_INTROSPECT_PATH") or "/connect/introspect" -- the peers use other paths
local headers = { ["Authorization"] = os.getenv("BENCH_BASIC"), ["Content-Type"] = "application/x-www-form-urlencoded" }

function init(args)
  next_token = token_cycler()
end

function request()
  return wrk.format("POST", path, headers, "token=" .. next_token())
end

function response(status, headers, body)
  check(status == 200 and string.find(body, '"active"%s*:%s*true') ~= nil, status, body)
end
