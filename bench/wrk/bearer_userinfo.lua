-- Peers, issue 24: GET the OpenID Connect userinfo endpoint ($BENCH_USERINFO_PATH: /connect/userinfo for ours and
-- stock OpenIddict, /me for oidc-provider) with a bearer access token from that server's own authorization code
-- flow, cycling through $BENCH_TOKENS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local next_token
local path = os.getenv("BENCH_USERINFO_PATH") or "/connect/userinfo"

function init(args)
  next_token = token_cycler()
end

function request()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. next_token() })
end

function response(status, headers, body)
  check(status == 200 and string.find(body, '"sub"%s*:') ~= nil, status, body)
end
