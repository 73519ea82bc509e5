-- Peers (issue 11): the warm-up before a server's measured scenarios, cycling through discovery, JWKS, a
-- client_credentials grant and an introspection, so that every code path measured afterwards is hot (the .NET
-- JIT and tiered PGO need about a minute of load). Same environment as the scenario scripts.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local next_token
local n = 0
local token_path = os.getenv("BENCH_TOKEN_PATH") or "/connect/token"
local cc_body = os.getenv("BENCH_CC_BODY") or "grant_type=client_credentials"
local introspect_path = os.getenv("BENCH_INTROSPECT_PATH") or "/connect/introspect"
local jwks = os.getenv("BENCH_JWKS_PATH") or "/.well-known/jwks"
local headers = { ["Authorization"] = os.getenv("BENCH_BASIC"), ["Content-Type"] = "application/x-www-form-urlencoded" }

function init(args)
  next_token = token_cycler()
end

function request()
  n = n + 1
  local k = n % 4
  if k == 0 then return wrk.format("GET", "/.well-known/openid-configuration") end
  if k == 1 then return wrk.format("GET", jwks) end
  if k == 2 then return wrk.format("POST", token_path, headers, cc_body) end
  return wrk.format("POST", introspect_path, headers, "token=" .. next_token())
end

function response(status, headers, body)
  check(status == 200, status, body)
end
