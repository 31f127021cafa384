#!/bin/sh
# Smoke check of the oidc-provider interop peer: installs deps, starts server.mjs on a free
# loopback port and walks every flow the Rust interop test relies on with curl.
# Exits non-zero on the first failure; always stops the server. Needs node, npm and curl.
set -eu
cd "$(dirname "$0")"

./ensure-deps.sh

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  rc=$?
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || :; wait "$SERVER_PID" 2>/dev/null || :; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

fail() { echo "FAIL: $*" >&2; [ -f "$WORK/server.err" ] && sed 's/^/server: /' "$WORK/server.err" >&2; exit 1; }
pass() { echo "ok   $*"; }

# json FILE EXPR: prints the JavaScript expression EXPR evaluated on `j` (the parsed file).
json() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const v=('"$2"');if(v===undefined)process.exit(3);process.stdout.write(typeof v==="string"?v:JSON.stringify(v))' "$1"; }
# post NAME URL CURL_ARGS...: POSTs, saves the body to $WORK/NAME.json, prints the HTTP status.
post() { name=$1; url=$2; shift 2; curl -sS -o "$WORK/$name.json" -w '%{http_code}' -X POST "$@" "$url"; }
expect_status() { [ "$1" = "$2" ] || fail "$3: HTTP $1 (expected $2): $(cat "$WORK/$4.json" 2>/dev/null)"; }

node server.mjs 0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
i=0
until grep -q '^issuer: ' "$WORK/server.out" 2>/dev/null; do
  i=$((i + 1)); [ $i -le 100 ] || fail "server did not print its issuer line"
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited early"
  sleep 0.1
done
[ "$(wc -l <"$WORK/server.out")" -eq 1 ] || fail "server printed more than the issuer line"
ISSUER=$(sed -n 's/^issuer: //p' "$WORK/server.out")
echo "peer at $ISSUER"

# Discovery.
curl -sSf -o "$WORK/disc.json" "$ISSUER/.well-known/openid-configuration" || fail discovery
[ "$(json "$WORK/disc.json" j.issuer)" = "$ISSUER" ] || fail "discovery issuer mismatch"
[ "$(json "$WORK/disc.json" j.authorization_response_iss_parameter_supported)" = true ] || fail "no RFC 9207"
[ "$(json "$WORK/disc.json" 'j.code_challenge_methods_supported.join()')" = S256 ] || fail "PKCE methods"
TOKEN_EP=$(json "$WORK/disc.json" j.token_endpoint)
AUTH_EP=$(json "$WORK/disc.json" j.authorization_endpoint)
DEVICE_EP=$(json "$WORK/disc.json" j.device_authorization_endpoint)
USERINFO_EP=$(json "$WORK/disc.json" j.userinfo_endpoint)
REVOKE_EP=$(json "$WORK/disc.json" j.revocation_endpoint)
curl -sSf -o "$WORK/jwks.json" "$(json "$WORK/disc.json" j.jwks_uri)" || fail jwks
[ "$(json "$WORK/jwks.json" 'j.keys.map(k=>k.alg).sort().join()')" = "ES256,RS256" ] || fail "jwks algs"
pass "discovery + jwks"

# Client credentials, secret in Basic and in the body.
s=$(post cc_basic "$TOKEN_EP" -u interop-service:interop-service-secret -d grant_type=client_credentials -d scope=api:read)
expect_status "$s" 200 "client_credentials (basic)" cc_basic
[ "$(json "$WORK/cc_basic.json" j.scope)" = api:read ] || fail "client_credentials scope"
[ "$(json "$WORK/cc_basic.json" 'j.access_token.split(".").length')" = 3 ] || fail "client_credentials token is not a JWT"
s=$(post cc_post "$TOKEN_EP" -d grant_type=client_credentials -d scope=api:read \
  -d client_id=interop-service -d client_secret=interop-service-secret)
expect_status "$s" 200 "client_credentials (post)" cc_post
s=$(post cc_bad "$TOKEN_EP" -u interop-service:wrong -d grant_type=client_credentials -d scope=api:read)
expect_status "$s" 401 "client_credentials (bad secret)" cc_bad
[ "$(json "$WORK/cc_bad.json" j.error)" = invalid_client ] || fail "bad secret error code"
pass "client_credentials (basic, post, wrong secret -> 401 invalid_client)"

# Authorization code + PKCE through the headless hook, loopback redirect on an ephemeral port.
# authorize NAME [deny]: runs the hook for CLIENT with a fresh PKCE pair; sets CALLBACK, VERIFIER.
REDIRECT=http://127.0.0.1:53123/callback
CLIENT=interop-app
authorize() {
  VERIFIER=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')
  challenge=$(node -e 'process.stdout.write(require("crypto").hash("sha256",process.argv[1],"base64url"))' -- "$VERIFIER")
  url="$AUTH_EP?response_type=code&client_id=$CLIENT&redirect_uri=$(node -p 'encodeURIComponent(process.argv[1])' "$REDIRECT")&scope=openid%20email%20profile%20offline_access&prompt=consent&state=st-123&nonce=n-456&code_challenge=$challenge&code_challenge_method=S256"
  s=$(post "$1" "$ISSUER/_test/authorize" -H 'content-type: application/json' -d "{\"url\":\"$url\",\"deny\":${2:-false}}")
  expect_status "$s" 200 "authorize hook" "$1"
  CALLBACK=$(json "$WORK/$1.json" j.redirect_url)
  case "$CALLBACK" in "$REDIRECT?"*) ;; *) fail "callback went to $CALLBACK" ;; esac
  [ "$(q state)" = st-123 ] && [ "$(q iss)" = "$ISSUER" ] || fail "state or iss wrong in $CALLBACK"
}
q() { node -e 'const v=new URL(process.argv[1]).searchParams.get(process.argv[2]);if(v===null)process.exit(3);process.stdout.write(v)' "$CALLBACK" "$1"; }
# redeem NAME: exchanges the code in CALLBACK with VERIFIER; sets CODE.
redeem() {
  CODE=$(q code) || fail "no code in $CALLBACK"
  s=$(post "$1" "$TOKEN_EP" -d grant_type=authorization_code -d "client_id=$CLIENT" -d "code=$CODE" \
    -d "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER")
}
# userinfo ACCESS_TOKEN: prints the HTTP status of a userinfo call.
userinfo() { curl -sS -o "$WORK/me.json" -w '%{http_code}' -H "authorization: Bearer $1" "$USERINFO_EP"; }
# refresh NAME REFRESH_TOKEN: prints the HTTP status of a refresh.
refresh() { post "$1" "$TOKEN_EP" -d grant_type=refresh_token -d client_id=interop-app -d "refresh_token=$2"; }

authorize authz
redeem code
expect_status "$s" 200 "code exchange" code
ID_TOKEN=$(json "$WORK/code.json" j.id_token) || fail "no id_token"
ACCESS=$(json "$WORK/code.json" j.access_token)
REFRESH=$(json "$WORK/code.json" j.refresh_token) || fail "no refresh_token (offline_access)"
node -e 'const p=JSON.parse(Buffer.from(process.argv[1].split(".")[1],"base64url"));if(p.nonce!=="n-456"||p.sub!=="interop-user"||p.aud!=="interop-app"||p.iss!==process.argv[2])process.exit(1)' \
  "$ID_TOKEN" "$ISSUER" || fail "id_token claims"
pass "authorization code + PKCE via hook (state, iss=$ISSUER, id_token claims)"

authorize deny true
[ "$(q error)" = access_denied ] || fail "deny callback: $CALLBACK"
s=$(post nopkce "$ISSUER/_test/authorize" -H 'content-type: application/json' \
  -d "{\"url\":\"$AUTH_EP?response_type=code&client_id=interop-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope=openid\"}")
expect_status "$s" 200 "authorize hook without PKCE" nopkce
CALLBACK=$(json "$WORK/nopkce.json" j.redirect_url)
[ "$(q error)" = invalid_request ] || fail "PKCE not enforced: $CALLBACK"
pass "denied -> access_denied redirect; no code_challenge -> invalid_request redirect"

s=$(userinfo "$ACCESS")
expect_status "$s" 200 userinfo me
[ "$(json "$WORK/me.json" '[j.sub,j.email,j.email_verified,j.name].join()')" = \
  "interop-user,interop-user@example.com,true,Interop User" ] || fail "userinfo claims: $(cat "$WORK/me.json")"
pass userinfo

# The ES256 twin of the app gets ES256-signed ID tokens.
CLIENT=interop-app-es256
authorize authz_es
redeem code_es; expect_status "$s" 200 "code exchange (ES256 client)" code_es
node -e 'const h=JSON.parse(Buffer.from(process.argv[1].split(".")[0],"base64url"));if(h.alg!=="ES256"||h.kid!=="interop-es256")process.exit(1)' \
  "$(json "$WORK/code_es.json" j.id_token)" || fail "ES256 id_token header"
CLIENT=interop-app
pass "interop-app-es256 gets ES256 ID tokens"

# Refresh with rotation; reusing a rotated refresh token fails and revokes the whole grant.
s=$(refresh refresh1 "$REFRESH"); expect_status "$s" 200 "refresh" refresh1
REFRESH2=$(json "$WORK/refresh1.json" j.refresh_token) || fail "refresh did not rotate"
[ "$REFRESH2" != "$REFRESH" ] || fail "refresh token not rotated"
s=$(refresh reuse "$REFRESH"); expect_status "$s" 400 "refresh reuse" reuse
[ "$(json "$WORK/reuse.json" j.error)" = invalid_grant ] || fail "refresh reuse error code"
s=$(refresh afterreuse "$REFRESH2"); expect_status "$s" 400 "latest refresh after reuse" afterreuse
s=$(userinfo "$ACCESS"); expect_status "$s" 401 "userinfo after reuse" me
pass "refresh rotation; reuse -> invalid_grant and the grant's tokens are revoked"

# Wrong verifier does not burn the code; revoking the access token revokes the refresh token too.
authorize authz2
GOOD_VERIFIER=$VERIFIER; VERIFIER=wrong-verifier-wrong-verifier-wrong-verifier-00
redeem badpkce; expect_status "$s" 400 "code with wrong verifier" badpkce
[ "$(json "$WORK/badpkce.json" j.error)" = invalid_grant ] || fail "wrong verifier error code"
VERIFIER=$GOOD_VERIFIER
redeem code2; expect_status "$s" 200 "code exchange after a wrong verifier" code2
pass "wrong code_verifier -> invalid_grant, code still redeemable"
s=$(post revoke "$REVOKE_EP" -d client_id=interop-app -d "token=$(json "$WORK/code2.json" j.access_token)" \
  -d token_type_hint=access_token)
expect_status "$s" 200 "revocation" revoke
s=$(userinfo "$(json "$WORK/code2.json" j.access_token)"); expect_status "$s" 401 "userinfo after revocation" me
s=$(refresh afterrevoke "$(json "$WORK/code2.json" j.refresh_token)")
expect_status "$s" 400 "refresh after access token revocation" afterrevoke
pass "revocation (access token -> 401; refresh token of the same grant revoked too)"

# Replaying a code fails and revokes what the code issued.
authorize authz3
redeem code3; expect_status "$s" 200 "third code exchange" code3
redeem replay; expect_status "$s" 400 "code replay" replay
[ "$(json "$WORK/replay.json" j.error)" = invalid_grant ] || fail "code replay error code"
s=$(refresh afterreplay "$(json "$WORK/code3.json" j.refresh_token)")
expect_status "$s" 400 "refresh after code replay" afterreplay
pass "code replay -> invalid_grant and its tokens are revoked"

# Device flow: pending, approve through the hook, then tokens.
s=$(post dev "$DEVICE_EP" -d client_id=interop-app -d 'scope=openid email offline_access')
expect_status "$s" 200 "device authorization" dev
DEVICE_CODE=$(json "$WORK/dev.json" j.device_code)
USER_CODE=$(json "$WORK/dev.json" j.user_code)
s=$(post pending "$TOKEN_EP" -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
  -d client_id=interop-app -d "device_code=$DEVICE_CODE")
expect_status "$s" 400 "device token before approval" pending
[ "$(json "$WORK/pending.json" j.error)" = authorization_pending ] || fail "expected authorization_pending"
s=$(post approve "$ISSUER/_test/device" -H 'content-type: application/json' -d "{\"user_code\":\"$USER_CODE\"}")
expect_status "$s" 200 "device hook" approve
[ "$(json "$WORK/approve.json" j.status)" = approved ] || fail "device not approved"
s=$(post devtok "$TOKEN_EP" -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
  -d client_id=interop-app -d "device_code=$DEVICE_CODE")
expect_status "$s" 200 "device token" devtok
json "$WORK/devtok.json" j.id_token >/dev/null || fail "device flow gave no id_token"
[ "$(json "$WORK/devtok.json" 'typeof j.refresh_token')" = string ] || fail "device flow gave no refresh_token"
s=$(post dev2 "$DEVICE_EP" -d client_id=interop-app -d scope=openid)
expect_status "$s" 200 "second device authorization" dev2
s=$(post devdeny "$ISSUER/_test/device" -H 'content-type: application/json' \
  -d "{\"user_code\":\"$(json "$WORK/dev2.json" j.user_code)\",\"deny\":true}")
expect_status "$s" 200 "device hook (deny)" devdeny
[ "$(json "$WORK/devdeny.json" j.status)" = denied ] || fail "device not denied"
s=$(post devdenied "$TOKEN_EP" -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
  -d client_id=interop-app -d "device_code=$(json "$WORK/dev2.json" j.device_code)")
expect_status "$s" 400 "device token after denial" devdenied
[ "$(json "$WORK/devdenied.json" j.error)" = access_denied ] || fail "expected access_denied"
s=$(post badcode "$ISSUER/_test/device" -H 'content-type: application/json' -d '{"user_code":"BCDF-GHJK"}')
expect_status "$s" 400 "device hook with unknown code" badcode
pass "device flow (authorization_pending, approve -> tokens, deny -> access_denied, unknown code -> 400)"

# RP-initiated logout through the hook, with id_token_hint and a loopback post-logout redirect.
LOGOUT_EP=$(json "$WORK/disc.json" j.end_session_endpoint)
LOGOUT_URL="$LOGOUT_EP?id_token_hint=$ID_TOKEN&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A53124%2Flogout&state=bye"
s=$(post logout "$ISSUER/_test/logout" -H 'content-type: application/json' -d "{\"url\":\"$LOGOUT_URL\"}")
expect_status "$s" 200 "logout hook" logout
[ "$(json "$WORK/logout.json" j.redirect_url)" = "http://127.0.0.1:53124/logout?state=bye" ] || fail "logout redirect"
pass "rp-initiated logout via hook"

# Errors the provider cannot redirect are relayed by the hook as JSON.
BAD_URL="$AUTH_EP?response_type=code&client_id=interop-app&redirect_uri=http%3A%2F%2Flocalhost%3A4000%2Fcb&scope=openid&code_challenge=x&code_challenge_method=S256"
s=$(post badredirect "$ISSUER/_test/authorize" -H 'content-type: application/json' -d "{\"url\":\"$BAD_URL\"}")
expect_status "$s" 400 "authorize hook with unregistered redirect" badredirect
[ "$(json "$WORK/badredirect.json" j.provider_response.error)" = invalid_redirect_uri ] || fail "bad redirect error"
pass "unregistered redirect_uri -> hook 400 with provider error invalid_redirect_uri"

echo "all checks passed"
