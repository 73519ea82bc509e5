-- Scenario 6b: GET discovery and JWKS, alternately (what every client and resource server fetches).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local n = 0
local jwks = os.getenv("BENCH_JWKS_PATH") or "/.well-known/jwks" -- oidc-provider serves /jwks

function request()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("GET", jwks)
  end
  return wrk.format("GET", "/.well-known/openid-configuration")
end

function response(status, headers, body)
  check(status == 200 and (string.find(body, '"keys"', 1, true) ~= nil or string.find(body, '"issuer"', 1, true) ~= nil), status, body)
end
