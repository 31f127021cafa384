//! Device authorization grant (RFC 8628): `POST /oauth/device/code` and the `/device`
//! verification page with lenient user code entry.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::errors::OAuthError;
use crate::params::{Body, Params, Query, wants_json};
use crate::rate_limit::Category;
use crate::state::{
    AppState, DeviceRecord, DeviceStatus, Shared, Store, fill_random, random_token, split_scope,
};
use crate::token::DEVICE_GRANT;
use crate::{clients, html};

/// User code alphabet: upper-case letters and digits without look-alikes (0 O 1 I L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/device/code", post(device_authorization))
        .route("/device", get(show_device).post(submit_device))
}

fn new_user_code() -> String {
    let mut code = String::with_capacity(9);
    while code.len() < 9 {
        let mut byte = [0u8; 1];
        fill_random(&mut byte);
        // Rejection sampling keeps every character equally likely.
        if usize::from(byte[0]) < ALPHABET.len() * (256 / ALPHABET.len()) {
            if code.len() == 4 {
                code.push('-');
            }
            code.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    code
}

/// Canonical `XXXX-XXXX` form of a user-entered code (case, spaces and dashes ignored).
pub fn normalize_user_code(entered: &str) -> Option<String> {
    let chars: Vec<u8> = entered
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if chars.len() != 8 || !chars.iter().all(|c| ALPHABET.contains(c)) {
        return None;
    }
    let text = String::from_utf8_lossy(&chars).into_owned();
    // `text` is exactly 8 ASCII characters (checked above), so these slices are in bounds.
    Some(format!("{}-{}", &text[..4], &text[4..]))
}

fn invalid_user_code() -> OAuthError {
    OAuthError::invalid_request("Invalid user code")
}

/// The pending, unexpired device record for an entered user code.
fn pending_device<'a>(
    store: &'a mut Store,
    entered: &str,
    now: i64,
) -> Option<&'a mut DeviceRecord> {
    let code = normalize_user_code(entered)?;
    let device_code = store.user_codes.get(&code)?.clone();
    store
        .devices
        .get_mut(&device_code)
        .filter(|r| r.exp > now && r.status == DeviceStatus::Pending)
}

/// Approves (as `sub`) or, with `None`, denies the device authorization of `user_code`.
pub fn decide(state: &Shared, user_code: &str, sub: Option<String>) -> Result<(), OAuthError> {
    let now = state.now();
    let mut store = state.store();
    let record = pending_device(&mut store, user_code, now).ok_or_else(invalid_user_code)?;
    record.status = match sub {
        Some(sub) => DeviceStatus::Approved {
            sub,
            auth_time: now,
        },
        None => DeviceStatus::Denied,
    };
    Ok(())
}

async fn device_authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(params): Body,
) -> Response {
    match start(&state, &headers, &params) {
        Ok(body) => axum::Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

fn start(
    state: &Shared,
    headers: &HeaderMap,
    params: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let client = clients::authenticate(state, headers, params)?;
    state.rate_limit(&client.client_id, Category::Authentication)?;
    if !client.grant_types.iter().any(|g| g == DEVICE_GRANT) {
        return Err(OAuthError::unauthorized_client(DEVICE_GRANT));
    }
    let scope = split_scope(params.get("scope"));
    if scope.iter().any(|s| !client.scopes.contains(s)) {
        return Err(OAuthError::invalid_scope());
    }
    let settings = state.settings().device;
    let now = state.now();
    let device_code = random_token("dc_", 32);
    let mut store = state.store();
    let user_code = loop {
        let candidate = new_user_code();
        if !store.user_codes.contains_key(&candidate) {
            break candidate;
        }
    };
    store
        .user_codes
        .insert(user_code.clone(), device_code.clone());
    store.devices.insert(
        device_code.clone(),
        DeviceRecord {
            client_id: client.client_id.clone(),
            scope,
            user_code: user_code.clone(),
            exp: now + settings.code_ttl_secs as i64,
            interval: settings.interval_secs,
            last_poll: None,
            status: DeviceStatus::Pending,
        },
    );
    let verification_uri = format!("{}/device", state.issuer);
    Ok(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
        "expires_in": settings.code_ttl_secs,
        "interval": settings.interval_secs,
    }))
}

fn entry_page(status: StatusCode, message: Option<&str>) -> Response {
    let message = message
        .map(|m| format!("<p class=\"error\">{}</p>", html::escape(m)))
        .unwrap_or_default();
    let body = format!(
        "{message}<form method=\"get\" action=\"/device\"><label>Code shown on your device\
         <input name=\"user_code\" autocomplete=\"off\" placeholder=\"XXXX-XXXX\"></label>\
         <button>Next</button></form>"
    );
    html::page(status, "Connect a device", &body)
}

fn confirm_page(user_code: &str, message: Option<&str>) -> Response {
    let body = format!(
        "<p>Sign in to connect the device showing <strong>{}</strong>.</p>\
         <form method=\"post\" action=\"/device\">{}{}</form>",
        html::escape(user_code),
        html::hidden("user_code", user_code),
        html::credential_fields("", message),
    );
    html::page(StatusCode::OK, "Connect a device", &body)
}

fn known_code(state: &Shared, entered: &str) -> Option<String> {
    let now = state.now();
    let mut store = state.store();
    pending_device(&mut store, entered, now).map(|r| r.user_code.clone())
}

async fn show_device(State(state): State<AppState>, Query(params): Query) -> Response {
    match params.get("user_code") {
        None => entry_page(StatusCode::OK, None),
        Some(entered) => match known_code(&state, entered) {
            Some(code) => confirm_page(&code, None),
            None => entry_page(StatusCode::BAD_REQUEST, Some("Invalid user code")),
        },
    }
}

async fn submit_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(params): Body,
) -> Response {
    let json = wants_json(&headers);
    let entered = params.get("user_code").unwrap_or_default();
    let Some(code) = known_code(&state, entered) else {
        return if json {
            invalid_user_code().into_response()
        } else {
            entry_page(StatusCode::BAD_REQUEST, Some("Invalid user code"))
        };
    };
    let sub = if params.get("action") == Some("deny") {
        None
    } else {
        match state.sign_in(&params) {
            Some(sub) => Some(sub),
            None if json => {
                return OAuthError::new(
                    StatusCode::UNAUTHORIZED,
                    "access_denied",
                    "Wrong email or password",
                )
                .into_response();
            }
            None => return confirm_page(&code, Some("Wrong email or password")),
        }
    };
    let approved = sub.is_some();
    if let Err(error) = decide(&state, &code, sub) {
        return error.into_response();
    }
    if json {
        return axum::Json(json!({ "approved": approved })).into_response();
    }
    let (title, text) = if approved {
        ("Device connected", "You can return to your device.")
    } else {
        ("Request denied", "The device was not connected.")
    };
    html::page(StatusCode::OK, title, &format!("<p>{text}</p>"))
}
