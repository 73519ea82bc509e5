#!/usr/bin/env python3
"""Tokens for the peers' stateful scenarios (issue 24), through each peer's own authorization code flow.

    code_flow.py BASE AUTHORIZE_PATH TOKEN_PATH CLIENT_ID CLIENT_SECRET COUNT REFRESH_OUT ACCESS_OUT [EXTRA_QUERY]

COUNT flows, one after another: GET the authorization endpoint with PKCE S256, state and nonce; follow the peer's
redirects (with its cookies) through its interaction until the redirect to the client's callback, which is not
followed; check state; redeem the code with client_secret_basic. Writes one refresh token and one access token
per line. Every peer here signs the bench user in without a form (see each peer's source), so this walks only
redirects. Fails loudly on anything unexpected: the numbers measured with these tokens would mean nothing.
"""
import base64, hashlib, http.cookiejar, json, secrets, sys, urllib.error, urllib.parse, urllib.request

CALLBACK = "https://app.example.com/callback"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    base, authorize, token, client_id, secret, count, refresh_out, access_out = sys.argv[1:9]
    extra = sys.argv[9] if len(sys.argv) > 9 else ""
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    refresh, access = [], []
    for _ in range(int(count)):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor(jar))
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(16)
        query = urllib.parse.urlencode({
            "client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK,
            "scope": "openid email offline_access", "state": state, "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        url = f"{base}{authorize}?{query}" + (f"&{extra}" if extra else "")
        for _hop in range(10):
            try:
                with opener.open(url, timeout=30) as r:
                    sys.exit(f"code_flow: {url} answered {r.status} without redirecting: {r.read(300)!r}")
            except urllib.error.HTTPError as e:
                if e.code not in (302, 303):
                    sys.exit(f"code_flow: {url} answered {e.code}: {e.read(300)!r}")
                url = urllib.parse.urljoin(url, e.headers["Location"])
            if url.startswith(CALLBACK):
                break
        else:
            sys.exit("code_flow: more than 10 redirects")
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        if params.get("state") != [state] or "code" not in params:
            sys.exit(f"code_flow: unexpected callback {url}")
        body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": params["code"][0],
                                       "redirect_uri": CALLBACK, "code_verifier": verifier}).encode()
        req = urllib.request.Request(f"{base}{token}", data=body, headers={
            "Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = json.load(r)
        except urllib.error.HTTPError as e:
            sys.exit(f"code_flow: token endpoint answered {e.code}: {e.read(300)!r}")
        if not answer.get("refresh_token") or not answer.get("access_token"):
            sys.exit(f"code_flow: no refresh or access token in {answer}")
        refresh.append(answer["refresh_token"])
        access.append(answer["access_token"])
    with open(refresh_out, "w") as f:
        f.write("\n".join(refresh) + "\n")
    with open(access_out, "w") as f:
        f.write("\n".join(access) + "\n")


if __name__ == "__main__":
    main()
