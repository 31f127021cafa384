//! Token revocation (RFC 7009) and RP-initiated logout (`end_session_endpoint`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::authorize::{redirect_matches, redirect_with};
use crate::errors::OAuthError;
use crate::params::{Body, Params, Query};
use crate::state::{AppState, Shared};
use crate::tokens::access_claims;
use crate::{clients, html};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/revoke", post(revoke))
        .route("/oauth/logout", get(logout_get).post(logout_post))
}

async fn revoke(State(state): State<AppState>, headers: HeaderMap, Body(params): Body) -> Response {
    match revoke_token(&state, &headers, &params) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Revokes a refresh token (with its whole session: refresh and access tokens) or an access
/// token of the authenticated client; unknown tokens and other clients' tokens are ignored.
fn revoke_token(state: &Shared, headers: &HeaderMap, params: &Params) -> Result<(), OAuthError> {
    let client = clients::authenticate(state, headers, params)?;
    let token = params.require("token")?;
    let access = access_claims(state, token).filter(|c| c.client_id == client.client_id);
    let mut store = state.store();
    let session = store
        .refresh
        .get(token)
        .filter(|r| r.client_id == client.client_id);
    if let Some(family) = session.map(|r| r.family.clone()) {
        store.revoke_family(&family);
    } else if let Some(claims) = access {
        store.revoked_access.insert(claims.jti);
    }
    Ok(())
}

async fn logout_get(State(state): State<AppState>, Query(params): Query) -> Response {
    logout(&state, &params)
}

async fn logout_post(State(state): State<AppState>, Body(params): Body) -> Response {
    logout(&state, &params)
}

fn logout(state: &Shared, params: &Params) -> Response {
    match logout_target(state, params) {
        Ok(Some(url)) => Redirect::to(&url).into_response(),
        Ok(None) => html::page(
            StatusCode::OK,
            "Signed out",
            "<p id=\"signed-out\">You are signed out.</p>",
        ),
        Err(error) => html::error_page(&error),
    }
}

/// The post-logout redirect URL, if one was requested and is registered.
fn logout_target(state: &Shared, params: &Params) -> Result<Option<String>, OAuthError> {
    let hinted_client = match params.get("id_token_hint") {
        None => None,
        Some(hint) => {
            let claims: Value = state
                .keys()
                .verify(hint, None)
                .filter(|c: &Value| c["iss"] == state.issuer.as_str())
                .ok_or_else(|| {
                    OAuthError::invalid_request("id_token_hint is not an ID token of this issuer")
                })?;
            match &claims["aud"] {
                Value::String(aud) => Some(aud.clone()),
                Value::Array(list) => list.first().and_then(Value::as_str).map(str::to_string),
                _ => None,
            }
        }
    };
    let client_id = match (params.get("client_id"), hinted_client.as_deref()) {
        (Some(given), Some(hinted)) if given != hinted => {
            return Err(OAuthError::invalid_request(
                "client_id does not match id_token_hint",
            ));
        }
        (Some(id), _) | (None, Some(id)) => Some(id.to_string()),
        (None, None) => None,
    };
    let Some(target) = params.get("post_logout_redirect_uri") else {
        return Ok(None);
    };
    let registered = client_id
        .and_then(|id| {
            state
                .store()
                .active_client(&id)
                .map(|c| c.post_logout_redirect_uris.clone())
        })
        .unwrap_or_default();
    if !registered.iter().any(|r| redirect_matches(r, target)) {
        return Err(OAuthError::invalid_request(
            "post_logout_redirect_uri is not registered for this client",
        ));
    }
    Ok(Some(redirect_with(
        target,
        &[("state", params.get("state"))],
    )))
}
