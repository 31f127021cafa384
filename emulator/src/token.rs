//! `POST /oauth/token`: the authorization_code, refresh_token, client_credentials and
//! device_code grants.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::clients;
use crate::config::ClientConfig;
use crate::errors::OAuthError;
use crate::params::{Body, Params};
use crate::rate_limit::Category;
use crate::state::{AppState, DeviceStatus, Shared, lock, split_scope};
use crate::tokens::{Issue, RefreshPlan, issue, new_session};

/// The device authorization grant type (RFC 8628).
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth/token", post(token))
}

async fn token(State(state): State<AppState>, headers: HeaderMap, Body(params): Body) -> Response {
    match exchange(&state, &headers, &params) {
        Ok(body) => {
            let mut response = axum::Json(body).into_response();
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => error.into_response(),
    }
}

fn exchange(state: &Shared, headers: &HeaderMap, params: &Params) -> Result<Value, OAuthError> {
    let grant_type = params.require("grant_type")?;
    lock(&state.stats).grant(grant_type);
    let client = clients::authenticate(state, headers, params)?;
    let category = if grant_type == "refresh_token" {
        Category::TokenRefresh
    } else {
        Category::Authentication
    };
    state.rate_limit(&client.client_id, category)?;
    const KNOWN: [&str; 4] = [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        DEVICE_GRANT,
    ];
    if !KNOWN.contains(&grant_type) {
        return Err(OAuthError::bad_request(
            "unsupported_grant_type",
            format!("The grant type {grant_type} is not supported"),
        ));
    }
    if !client.grant_types.iter().any(|g| g == grant_type) {
        return Err(OAuthError::unauthorized_client(grant_type));
    }
    match grant_type {
        "authorization_code" => authorization_code(state, &client, params),
        "refresh_token" => refresh_token(state, &client, params),
        "client_credentials" => client_credentials(state, &client, params),
        _ => device_code(state, &client, params),
    }
}

fn refresh_plan_for(client: &ClientConfig) -> RefreshPlan {
    if client.grant_types.iter().any(|g| g == "refresh_token") {
        RefreshPlan::New
    } else {
        RefreshPlan::None
    }
}

fn authorization_code(
    state: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Value, OAuthError> {
    let code = params.require("code")?;
    let now = state.now();
    let (request, sub, auth_time, sid) = {
        let mut store = state.store();
        let invalid = || OAuthError::invalid_grant("The authorization code is invalid or expired");
        let record = store
            .codes
            .get_mut(code)
            .filter(|r| r.request.client_id == client.client_id);
        let record = record.ok_or_else(invalid)?;
        if record.used {
            let sid = record.sid.clone();
            store.revoke_family(&sid);
            return Err(OAuthError::invalid_grant(
                "The authorization code was already used",
            ));
        }
        if record.exp <= now {
            return Err(invalid());
        }
        if params.get("redirect_uri") != Some(record.request.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        check_pkce(
            record.request.code_challenge.as_deref(),
            params.get("code_verifier"),
        )?;
        record.used = true;
        let sid = record.sid.clone();
        (
            record.request.clone(),
            record.sub.clone(),
            record.auth_time,
            sid,
        )
    };
    issue(
        state,
        Issue {
            client_id: &client.client_id,
            user: Some((&sub, &sid)),
            scope: &request.scope,
            nonce: request.nonce.as_deref(),
            auth_time: Some(auth_time),
            provider: request.provider,
            refresh: refresh_plan_for(client),
        },
    )
}

/// RFC 7636: the verifier must be 43-128 unreserved characters hashing to the challenge.
fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier sent but no code_challenge was",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant("Missing code_verifier")),
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
            if well_formed && URL_SAFE_NO_PAD.encode(digest.as_ref()) == challenge {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant("PKCE verification failed"))
            }
        }
    }
}

fn refresh_token(
    state: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Value, OAuthError> {
    let token = params.require("refresh_token")?;
    let settings = state.settings().tokens;
    let now = state.now();
    let (record, scope, plan) = {
        let mut store = state.store();
        let invalid =
            || OAuthError::invalid_grant("The refresh token is invalid, expired or revoked");
        let record = store
            .refresh
            .get(token)
            .filter(|r| r.client_id == client.client_id)
            .cloned();
        let record = record.ok_or_else(invalid)?;
        if record.rotated {
            store.revoke_family(&record.family);
            return Err(OAuthError::invalid_grant(
                "The refresh token was already used; every token of this sign-in is now revoked",
            ));
        }
        if record.exp <= now {
            return Err(invalid());
        }
        let scope = match params.get("scope") {
            None => record.scope.clone(),
            Some(requested) => {
                let scope = split_scope(Some(requested));
                if scope.iter().any(|s| !record.scope.contains(s)) {
                    return Err(OAuthError::invalid_scope());
                }
                scope
            }
        };
        let plan = if !settings.refresh_returns_refresh_token {
            RefreshPlan::None
        } else if settings.refresh_rotation {
            if let Some(r) = store.refresh.get_mut(token) {
                r.rotated = true;
            }
            RefreshPlan::New
        } else {
            RefreshPlan::Keep(token.to_string())
        };
        (record, scope, plan)
    };
    issue(
        state,
        Issue {
            client_id: &client.client_id,
            user: Some((&record.sub, &record.family)),
            scope: &scope,
            nonce: None,
            auth_time: Some(record.auth_time),
            provider: record.provider,
            refresh: plan,
        },
    )
}

fn client_credentials(
    state: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Value, OAuthError> {
    let mut scope = split_scope(params.get("scope"));
    if scope.is_empty() {
        scope = client.scopes.clone();
    }
    if scope.iter().any(|s| !client.scopes.contains(s)) {
        return Err(OAuthError::invalid_scope());
    }
    issue(
        state,
        Issue {
            client_id: &client.client_id,
            user: None,
            scope: &scope,
            nonce: None,
            auth_time: None,
            provider: None,
            refresh: RefreshPlan::None,
        },
    )
}

fn device_code(
    state: &Shared,
    client: &ClientConfig,
    params: &Params,
) -> Result<Value, OAuthError> {
    let device_code = params.require("device_code")?;
    let now = state.now();
    let (scope, sub, auth_time) = {
        let mut store = state.store();
        let record = store
            .devices
            .get_mut(device_code)
            .filter(|r| r.client_id == client.client_id);
        let record =
            record.ok_or_else(|| OAuthError::invalid_grant("The device code is invalid"))?;
        if record.exp <= now {
            return Err(OAuthError::bad_request(
                "expired_token",
                "The device code has expired",
            ));
        }
        let polled_at = std::time::Instant::now();
        let too_fast = record.last_poll.is_some_and(|last| {
            polled_at.duration_since(last).as_secs_f64() < record.interval as f64
        });
        record.last_poll = Some(polled_at);
        match record.status.clone() {
            DeviceStatus::Pending if too_fast => {
                record.interval += 5;
                return Err(OAuthError::bad_request(
                    "slow_down",
                    format!(
                        "Polling too fast; wait {} seconds between requests",
                        record.interval
                    ),
                ));
            }
            DeviceStatus::Pending => {
                return Err(OAuthError::bad_request(
                    "authorization_pending",
                    "The user has not finished the authorization yet",
                ));
            }
            DeviceStatus::Denied => {
                return Err(OAuthError::bad_request(
                    "access_denied",
                    "The user denied the request",
                ));
            }
            DeviceStatus::Redeemed => {
                return Err(OAuthError::invalid_grant(
                    "The device code was already used",
                ));
            }
            DeviceStatus::Approved { sub, auth_time } => {
                record.status = DeviceStatus::Redeemed;
                (record.scope.clone(), sub, auth_time)
            }
        }
    };
    issue(
        state,
        Issue {
            client_id: &client.client_id,
            user: Some((&sub, &new_session())),
            scope: &scope,
            nonce: None,
            auth_time: Some(auth_time),
            provider: None,
            refresh: refresh_plan_for(client),
        },
    )
}
