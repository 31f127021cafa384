//! `/userinfo` (GET and POST, Bearer): JSON, or a signed JWT for `Accept: application/jwt`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::errors::OAuthError;
use crate::state::{AppState, Shared};
use crate::tokens::{check_bearer, user_claims};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/userinfo", get(userinfo).post(userinfo))
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match respond(&state, &headers) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn respond(state: &AppState, headers: &HeaderMap) -> Result<Response, OAuthError> {
    let token = check_bearer(state, headers)?;
    let sub = match token.sub {
        Some(sub) if token.scope.iter().any(|s| s == "openid") => sub,
        _ => return Err(OAuthError::insufficient_scope("openid")),
    };
    let mut claims = {
        let store = state.store();
        let user = store.user(&sub).ok_or_else(OAuthError::invalid_token)?;
        user_claims(user, &token.scope)
    };
    claims.insert("sub".into(), json!(sub));
    let wants_jwt = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/jwt"));
    if !wants_jwt {
        return Ok(axum::Json(Value::Object(claims)).into_response());
    }
    claims.insert("iss".into(), json!(state.issuer));
    claims.insert("aud".into(), json!(token.client_id));
    claims.insert("iat".into(), json!(state.now()));
    let jwt = sign_userinfo(state, &Value::Object(claims))?;
    let mut response = jwt.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jwt"),
    );
    Ok(response)
}

fn sign_userinfo(state: &Shared, claims: &Value) -> Result<String, OAuthError> {
    let alg = state.settings().tokens.id_token_alg;
    let signer = state.keys().signer(alg)?;
    Ok(signer.sign(claims, "JWT")?)
}
