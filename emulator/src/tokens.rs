//! Issuing tokens (access token JWT, ID token, refresh token) and checking bearer tokens.

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use crate::errors::OAuthError;
use crate::keys::half_hash;
use crate::params::bearer;
use crate::social::Provider;
use crate::state::{AppState, RefreshRecord, Shared, User, random_token, split_scope};

/// What to do about the refresh token of a token response.
pub enum RefreshPlan {
    /// No refresh token.
    None,
    /// A new refresh token in the grant's session.
    New,
    /// Hand back this existing refresh token (rotation off).
    Keep(String),
}

/// The grant being turned into tokens.
pub struct Issue<'a> {
    /// Client.
    pub client_id: &'a str,
    /// User and session (`sid`, shared by every token of one sign-in), or `None` for client
    /// credentials.
    pub user: Option<(&'a str, &'a str)>,
    /// Granted scopes.
    pub scope: &'a [String],
    /// Nonce from the authorization request.
    pub nonce: Option<&'a str>,
    /// Time the user authenticated.
    pub auth_time: Option<i64>,
    /// Social provider used at login.
    pub provider: Option<Provider>,
    /// Refresh token handling.
    pub refresh: RefreshPlan,
}

/// A new session id for a sign-in (the refresh token family).
pub fn new_session() -> String {
    random_token("sid_", 12)
}

/// Signs the tokens of one grant (recording a new refresh token) and returns the token
/// response JSON. Access tokens are not stored: they are checked by signature, expiry and
/// the revocation state (see [`check_bearer`]).
pub fn issue(state: &Shared, grant: Issue<'_>) -> Result<Value, OAuthError> {
    let settings = state.settings();
    let ttl = settings.tokens.access_token_ttl_secs as i64;
    let now = state.now();
    let (access_signer, id_signer) = {
        let keys = state.keys();
        (
            keys.signer(settings.tokens.access_token_alg)?,
            keys.signer(settings.tokens.id_token_alg)?,
        )
    };
    let scope = grant.scope.join(" ");
    let epoch = state.store().token_epoch;
    let mut access_claims = json!({
        "iss": state.issuer, "aud": state.issuer, "client_id": grant.client_id, "scope": scope,
        "iat": now, "nbf": now, "exp": now + ttl, "jti": format!("{epoch}.{}", random_token("", 12)),
    });
    match grant.user {
        Some((sub, sid)) => {
            access_claims["sub"] = json!(sub);
            access_claims["sid"] = json!(sid);
        }
        None => {
            access_claims["sub"] = json!(grant.client_id);
            access_claims["gty"] = json!(CLIENT_CREDENTIALS_GTY);
        }
    }
    let access_token = access_signer.sign(&access_claims, "at+jwt")?;

    let id_token = match grant
        .user
        .filter(|_| grant.scope.iter().any(|s| s == "openid"))
    {
        Some((sub, sid)) => {
            let mut claims = {
                let store = state.store();
                store
                    .user(sub)
                    .map(|u| user_claims(u, grant.scope))
                    .unwrap_or_default()
            };
            let mut add = |k: &str, v: Value| {
                claims.insert(k.to_string(), v);
            };
            add("iss", json!(state.issuer));
            add("sub", json!(sub));
            add("aud", json!(grant.client_id));
            add("azp", json!(grant.client_id));
            add("iat", json!(now));
            add("exp", json!(now + settings.tokens.id_token_ttl_secs as i64));
            add("auth_time", json!(grant.auth_time.unwrap_or(now)));
            add("at_hash", json!(half_hash(&access_token)));
            add("sid", json!(sid));
            if let Some(nonce) = grant.nonce {
                add("nonce", json!(nonce));
            }
            if let Some(provider) = grant.provider {
                add("idp", json!(provider.name()));
            }
            Some(id_signer.sign(&Value::Object(claims), "JWT")?)
        }
        None => None,
    };

    let refresh_token = match (grant.refresh, grant.user) {
        (RefreshPlan::Keep(token), _) => Some(token),
        (RefreshPlan::New, Some((sub, sid))) => {
            let token = random_token("rt_", 32);
            let record = RefreshRecord {
                client_id: grant.client_id.to_string(),
                sub: sub.to_string(),
                scope: grant.scope.to_vec(),
                family: sid.to_string(),
                exp: now + settings.tokens.refresh_token_ttl_secs as i64,
                auth_time: grant.auth_time.unwrap_or(now),
                provider: grant.provider,
                rotated: false,
            };
            state.store().refresh.insert(token.clone(), record);
            Some(token)
        }
        _ => None,
    };

    let mut body = json!({
        "access_token": access_token, "token_type": "Bearer", "expires_in": ttl, "scope": scope,
    });
    if let Some(token) = refresh_token {
        body["refresh_token"] = json!(token);
    }
    if let Some(token) = id_token {
        body["id_token"] = json!(token);
    }
    Ok(body)
}

/// `gty` claim marking client credentials access tokens (they have no user).
const CLIENT_CREDENTIALS_GTY: &str = "client-credentials";

/// The OIDC claims of `user` released for `scope` (without `sub`).
pub fn user_claims(user: &User, scope: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    let account = &user.account;
    if scope.iter().any(|s| s == "profile") {
        claims.insert("name".into(), json!(account.name));
        claims.insert("given_name".into(), json!(account.given_name));
        claims.insert("family_name".into(), json!(account.family_name));
    }
    if scope.iter().any(|s| s == "email") {
        claims.insert("email".into(), json!(account.email));
        claims.insert("email_verified".into(), json!(account.email_verified));
    }
    claims
}

/// The claims of an access token we issued.
#[derive(serde::Deserialize)]
pub struct AccessClaims {
    /// Client it was issued to.
    pub client_id: String,
    /// User, or the client for client credentials.
    pub sub: String,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Expiry (server clock).
    pub exp: i64,
    /// Issue time (server clock).
    pub iat: i64,
    /// Start of validity (server clock).
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Token id, `{epoch}.{random}`.
    pub jti: String,
    /// Session (refresh family) of a user token.
    #[serde(default)]
    pub sid: Option<String>,
    /// `client-credentials` for tokens without a user.
    #[serde(default)]
    pub gty: Option<String>,
}

/// The claims of `token` if it is one of our access tokens, whatever its state.
pub fn access_claims(state: &Shared, token: &str) -> Option<AccessClaims> {
    state.keys().verify(token, Some(&state.issuer))
}

/// The facts behind a valid bearer token.
pub struct TokenInfo {
    /// Client it was issued to.
    pub client_id: String,
    /// User, if any.
    pub sub: Option<String>,
    /// Granted scopes.
    pub scope: Vec<String>,
}

/// How far `iat` and `nbf` may lie ahead of the server clock (clock steps between signing
/// and use; the clock hook can move the clock back).
const FUTURE_LEEWAY_SECS: i64 = 60;

/// Checks the `Authorization: Bearer` token of a request: signature by a key still in the
/// JWKS, validity window (`iat`, `nbf`, `exp`) on the server clock, and not revoked (by
/// itself, its session or revoke-all).
pub fn check_bearer(state: &AppState, headers: &HeaderMap) -> Result<TokenInfo, OAuthError> {
    let token = bearer(headers).ok_or_else(OAuthError::missing_token)?;
    let claims = access_claims(state, token).ok_or_else(OAuthError::invalid_token)?;
    let now = state.now();
    let store = state.store();
    let current_epoch = claims
        .jti
        .split_once('.')
        .is_some_and(|(e, _)| e == store.token_epoch.to_string());
    let revoked = store.revoked_access.contains(&claims.jti)
        || claims
            .sid
            .as_ref()
            .is_some_and(|sid| store.revoked_families.contains(sid));
    let in_future = |t: i64| t > now + FUTURE_LEEWAY_SECS;
    let not_yet_valid = in_future(claims.iat) || claims.nbf.is_some_and(in_future);
    if claims.exp <= now || not_yet_valid || !current_epoch || revoked {
        return Err(OAuthError::invalid_token());
    }
    let sub = (claims.gty.as_deref() != Some(CLIENT_CREDENTIALS_GTY)).then_some(claims.sub);
    Ok(TokenInfo {
        client_id: claims.client_id,
        sub,
        scope: split_scope(Some(&claims.scope)),
    })
}
