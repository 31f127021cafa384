//! `/oauth/authorize`: request validation, the HTML login page, approval into an
//! authorization code, and error redirects (with `state` and `iss`, RFC 9207).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::errors::OAuthError;
use crate::html;
use crate::params::{Body, Params, Query};
use crate::rate_limit::Category;
use crate::social::Provider;
use crate::state::{AppState, AuthzRequest, CodeRecord, Shared, random_token, split_scope};
use crate::tokens::new_session;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/oauth/authorize", get(show_login).post(submit_login))
}

/// A request that cannot be approved.
pub enum Failure {
    /// Cannot be sent back to the client (unknown client, unregistered redirect URI).
    Page(OAuthError),
    /// Sent back on the redirect URI: the full error redirect URL.
    Redirect(String),
}

/// Whether `given` matches the registered `registered` redirect URI: exactly, or for
/// loopback IP `http` URIs on any port (RFC 8252 7.3).
pub fn redirect_matches(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(mut reg), Ok(mut giv)) = (url::Url::parse(registered), url::Url::parse(given)) else {
        return false;
    };
    let loopback = |u: &url::Url| match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    if reg.scheme() != "http" || !loopback(&reg) {
        return false;
    }
    // Only the port may differ: user info, host, path, query and fragment must be equal.
    let _ = (reg.set_port(None), giv.set_port(None));
    reg == giv
}

/// `redirect_uri` with the given parameters appended.
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            for (key, value) in pairs {
                if let Some(value) = value {
                    url.query_pairs_mut().append_pair(key, value);
                }
            }
            url.to_string()
        }
        Err(_) => redirect_uri.to_string(), // registered URIs are absolute; unreachable in practice
    }
}

fn error_redirect(state: &Shared, req: &AuthzRequest, error: &str, description: &str) -> String {
    redirect_with(
        &req.redirect_uri,
        &[
            ("error", Some(error)),
            ("error_description", Some(description)),
            ("state", req.state.as_deref()),
            ("iss", Some(&state.issuer)),
            ("provider", req.provider.map(Provider::name)),
        ],
    )
}

/// Validates an authorization request.
pub fn validate(state: &Shared, params: &Params) -> Result<AuthzRequest, Failure> {
    let unknown_client = || {
        Failure::Page(OAuthError::bad_request(
            "invalid_client",
            "Client authentication failed",
        ))
    };
    let client_id = params.get("client_id").ok_or_else(unknown_client)?;
    let client = state
        .store()
        .active_client(client_id)
        .cloned()
        .ok_or_else(unknown_client)?;
    let redirect_uri = params
        .get("redirect_uri")
        .filter(|given| {
            client
                .redirect_uris
                .iter()
                .any(|r| redirect_matches(r, given))
        })
        .ok_or_else(|| {
            Failure::Page(OAuthError::bad_request(
                "redirect_uri_mismatch",
                "Invalid redirect URI",
            ))
        })?;
    state
        .rate_limit(client_id, Category::Authentication)
        .map_err(Failure::Page)?;

    let mut req = AuthzRequest {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: params.get("state").map(str::to_string),
        nonce: params.get("nonce").map(str::to_string),
        scope: split_scope(params.get("scope")),
        code_challenge: params.get("code_challenge").map(str::to_string),
        prompt: split_scope(params.get("prompt")),
        login_hint: params.get("login_hint").map(str::to_string),
        provider: None,
    };
    let fail = |req: &AuthzRequest, error: &str, description: &str| {
        Failure::Redirect(error_redirect(state, req, error, description))
    };
    match params.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(fail(
                &req,
                "unsupported_response_type",
                "Only response_type=code is supported",
            ));
        }
        None => {
            return Err(fail(
                &req,
                "invalid_request",
                "Missing parameter response_type",
            ));
        }
    }
    if !client.grant_types.iter().any(|g| g == "authorization_code") {
        return Err(fail(
            &req,
            "unauthorized_client",
            "This client may not use the authorization code grant",
        ));
    }
    if req.scope.iter().any(|s| !client.scopes.contains(s)) {
        return Err(fail(
            &req,
            "invalid_scope",
            "The requested scope is not allowed for this client",
        ));
    }
    match (&req.code_challenge, params.get("code_challenge_method")) {
        (Some(challenge), Some("S256")) if is_s256_challenge(challenge) => {}
        (Some(_), Some("S256")) => {
            return Err(fail(&req, "invalid_request", "Malformed code_challenge"));
        }
        (Some(_), _) => {
            return Err(fail(
                &req,
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        (None, _) if client.require_pkce => {
            return Err(fail(
                &req,
                "invalid_request",
                "This client must send a PKCE code_challenge",
            ));
        }
        (None, _) => {}
    }
    const PROMPTS: [&str; 4] = ["none", "login", "consent", "select_account"];
    if req.prompt.iter().any(|p| !PROMPTS.contains(&p.as_str()))
        || (req.prompt.iter().any(|p| p == "none") && req.prompt.len() > 1)
    {
        return Err(fail(&req, "invalid_request", "Unsupported prompt value"));
    }
    if let Some(name) = params.get("provider") {
        let Some(provider) = Provider::parse(name) else {
            return Err(fail(&req, "invalid_request", "Unknown social provider"));
        };
        req.provider = Some(provider);
        if state.store().broken_providers.contains(&provider) {
            let (code, description) = provider.failure();
            return Err(fail(&req, code, description));
        }
    }
    Ok(req)
}

fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Approves `req` as user `sub`: stores a code and returns the success redirect URL.
pub fn approve(state: &Shared, req: AuthzRequest, sub: &str) -> String {
    let code = random_token("ac_", 32);
    let now = state.now();
    let exp = now + state.settings().tokens.code_ttl_secs as i64;
    let url = redirect_with(
        &req.redirect_uri,
        &[
            ("code", Some(&code)),
            ("state", req.state.as_deref()),
            ("iss", Some(&state.issuer)),
        ],
    );
    let record = CodeRecord {
        request: req,
        sub: sub.to_string(),
        auth_time: now,
        exp,
        used: false,
        sid: new_session(),
    };
    state.store().codes.insert(code, record);
    url
}

/// The `access_denied` redirect URL for `req`.
pub fn deny(state: &Shared, req: &AuthzRequest) -> String {
    error_redirect(state, req, "access_denied", "The user denied the request")
}

fn login_page(
    req: &AuthzRequest,
    request_id: &str,
    message: Option<&str>,
    client_name: &str,
) -> Response {
    let via = req
        .provider
        .map(|p| {
            format!(
                "<p>Continue with {} (simulated)</p>",
                html::escape(p.label())
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<p>{} asks to sign you in.</p>{via}<form method=\"post\" action=\"/oauth/authorize\">{}{}</form>",
        html::escape(client_name),
        html::hidden("request_id", request_id),
        html::credential_fields(req.login_hint.as_deref().unwrap_or(""), message),
    );
    html::page(StatusCode::OK, "Sign in", &body)
}

fn failure_response(failure: Failure) -> Response {
    match failure {
        Failure::Page(error) => html::error_page(&error),
        Failure::Redirect(url) => Redirect::to(&url).into_response(),
    }
}

async fn show_login(State(state): State<AppState>, Query(params): Query) -> Response {
    let req = match validate(&state, &params) {
        Ok(req) => req,
        Err(failure) => return failure_response(failure),
    };
    if req.prompt.iter().any(|p| p == "none") {
        let url = error_redirect(&state, &req, "login_required", "The user is not signed in");
        return Redirect::to(&url).into_response();
    }
    let request_id = random_token("req_", 16);
    pending_login(&state, req, &request_id, None)
}

/// Keeps `req` pending under `request_id` and shows the login page for it.
fn pending_login(
    state: &Shared,
    req: AuthzRequest,
    request_id: &str,
    message: Option<&str>,
) -> Response {
    let client_name = {
        let mut store = state.store();
        store.pending.insert(request_id.to_string(), req.clone());
        store
            .clients
            .get(&req.client_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    login_page(&req, request_id, message, &client_name)
}

async fn submit_login(State(state): State<AppState>, Body(params): Body) -> Response {
    let request_id = params.get("request_id").unwrap_or_default();
    let Some(req) = state.store().pending.remove(request_id) else {
        return html::error_page(&OAuthError::invalid_request(
            "This sign-in request is unknown or already finished",
        ));
    };
    if params.get("action") == Some("deny") {
        return Redirect::to(&deny(&state, &req)).into_response();
    }
    match state.sign_in(&params) {
        Some(sub) => Redirect::to(&approve(&state, req, &sub)).into_response(),
        None => pending_login(&state, req, request_id, Some("Wrong email or password")),
    }
}
