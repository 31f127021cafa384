//! Test hooks under `/_emulator/` (loopback peers only): headless approval, device approval,
//! social provider failures, client suspension, outbox, faults, clock, key rotation, bulk
//! expiry and revocation, run-time settings and stats.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::authorize::{self, Failure};
use crate::config::MAX_SECS;
use crate::device;
use crate::errors::OAuthError;
use crate::faults::FaultSpec;
use crate::keys::{self, SigningAlg};
use crate::params::{Json, Params, Path};
use crate::social::Provider;
use crate::state::{AppState, Shared, lock};
use crate::stats::Stats;

type HookResult = Result<axum::Json<Value>, OAuthError>;

/// The hook router (to be nested at `/_emulator`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/authorize", post(approve_authorization))
        .route("/device", post(decide_device))
        .route("/social", post(social))
        .route("/clients/{client_id}", post(client_status))
        .route("/outbox", get(outbox).delete(clear_outbox))
        .route("/faults", post(add_faults).delete(clear_faults))
        .route("/clock", post(clock))
        .route("/keys/rotate", post(rotate_keys))
        .route("/device/expire-all", post(expire_devices))
        .route("/tokens/revoke-all", post(revoke_all))
        .route("/settings", post(settings))
        .route("/stats", get(stats).delete(reset_stats))
        .layer(middleware::from_fn(loopback_only))
}

async fn loopback_only(req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>();
    if peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback()) {
        next.run(req).await
    } else {
        OAuthError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            "Test hooks answer loopback clients only",
        )
        .into_response()
    }
}

/// The user named by `email`, else by the login hint, else the first seeded user.
fn pick_user(state: &Shared, email: Option<&str>) -> Result<String, OAuthError> {
    let store = state.store();
    let user = match email {
        Some(email) => store.user_by_email(email),
        None => store.users.first(),
    };
    user.map(|u| u.account.sub.clone())
        .ok_or_else(|| OAuthError::invalid_request("Unknown user"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeHook {
    url: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    deny: bool,
}

async fn approve_authorization(
    State(state): State<AppState>,
    Json(body): Json<AuthorizeHook>,
) -> HookResult {
    let url = url::Url::parse(&body.url)
        .map_err(|_| OAuthError::invalid_request("url is not a valid URL"))?;
    let params = Params::from_form(url.query().unwrap_or("").as_bytes())?;
    let redirect_url = match authorize::validate(&state, &params) {
        Err(Failure::Page(error)) => return Err(error),
        Err(Failure::Redirect(url)) => url,
        Ok(req) if body.deny => authorize::deny(&state, &req),
        Ok(req) => {
            let email = body.email.as_deref().or(req.login_hint.as_deref());
            let sub = pick_user(&state, email)?;
            authorize::approve(&state, req, &sub)
        }
    };
    Ok(axum::Json(json!({ "redirect_url": redirect_url })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceHook {
    user_code: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    deny: bool,
}

async fn decide_device(State(state): State<AppState>, Json(body): Json<DeviceHook>) -> HookResult {
    let sub = if body.deny {
        None
    } else {
        Some(pick_user(&state, body.email.as_deref())?)
    };
    device::decide(&state, &body.user_code, sub)?;
    Ok(axum::Json(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SocialHook {
    provider: String,
    broken: bool,
}

async fn social(State(state): State<AppState>, Json(body): Json<SocialHook>) -> HookResult {
    let provider = Provider::parse(&body.provider)
        .ok_or_else(|| OAuthError::invalid_request("Unknown social provider"))?;
    let mut store = state.store();
    if body.broken {
        store.broken_providers.insert(provider);
    } else {
        store.broken_providers.remove(&provider);
    }
    Ok(axum::Json(
        json!({ "provider": provider, "broken": body.broken }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientHook {
    suspended: bool,
}

async fn client_status(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    Json(body): Json<ClientHook>,
) -> HookResult {
    let mut store = state.store();
    let client = store.clients.get_mut(&client_id).ok_or_else(|| {
        OAuthError::new(StatusCode::NOT_FOUND, "invalid_request", "Unknown client")
    })?;
    client.suspended = body.suspended;
    Ok(axum::Json(
        json!({ "client_id": client_id, "suspended": body.suspended }),
    ))
}

async fn outbox(State(state): State<AppState>) -> HookResult {
    Ok(axum::Json(json!(state.store().outbox)))
}

async fn clear_outbox(State(state): State<AppState>) -> HookResult {
    state.store().outbox.clear();
    Ok(axum::Json(json!({})))
}

/// One fault object or an array of them; parsed by shape so that a mistake is reported with
/// serde's own message (field and expected type) rather than "no variant matched".
async fn add_faults(State(state): State<AppState>, Json(body): Json<Value>) -> HookResult {
    let specs = match body {
        Value::Array(_) => serde_json::from_value::<Vec<FaultSpec>>(body),
        _ => serde_json::from_value::<FaultSpec>(body).map(|spec| vec![spec]),
    }
    .map_err(|e| OAuthError::invalid_request(format!("invalid fault: {e}")))?;
    for spec in &specs {
        spec.check().map_err(OAuthError::invalid_request)?;
    }
    let mut faults = lock(&state.faults);
    let queued = specs.len();
    for spec in specs {
        faults.push(spec);
    }
    Ok(axum::Json(json!({ "queued": queued })))
}

async fn clear_faults(State(state): State<AppState>) -> HookResult {
    lock(&state.faults).clear();
    Ok(axum::Json(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockHook {
    offset_secs: i64,
}

async fn clock(State(state): State<AppState>, Json(body): Json<ClockHook>) -> HookResult {
    if body.offset_secs.unsigned_abs() > MAX_SECS {
        return Err(OAuthError::invalid_request(format!(
            "offset_secs must be within ±{MAX_SECS} seconds"
        )));
    }
    state
        .clock_offset
        .store(body.offset_secs, std::sync::atomic::Ordering::Relaxed);
    Ok(axum::Json(
        json!({ "offset_secs": body.offset_secs, "now": state.now() }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateHook {
    alg: SigningAlg,
    #[serde(default)]
    drop_old: bool,
}

async fn rotate_keys(State(state): State<AppState>, Json(body): Json<RotateHook>) -> HookResult {
    let key = tokio::task::spawn_blocking(move || keys::generate(body.alg))
        .await
        .map_err(|_| OAuthError::server_error("key generation was interrupted"))??;
    let kid = state.keys_mut().install(key, body.drop_old);
    Ok(axum::Json(json!({ "kid": kid, "alg": body.alg })))
}

async fn expire_devices(State(state): State<AppState>) -> HookResult {
    let now = state.now();
    let mut store = state.store();
    for record in store.devices.values_mut() {
        record.exp = record.exp.min(now);
    }
    Ok(axum::Json(json!({ "expired": store.devices.len() })))
}

async fn revoke_all(State(state): State<AppState>) -> HookResult {
    let mut store = state.store();
    store.token_epoch += 1;
    store.refresh.clear();
    store.codes.clear();
    Ok(axum::Json(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsHook {
    access_token_ttl_secs: Option<u64>,
    refresh_token_ttl_secs: Option<u64>,
    id_token_ttl_secs: Option<u64>,
    refresh_rotation: Option<bool>,
    refresh_returns_refresh_token: Option<bool>,
    device_interval_secs: Option<u64>,
    device_code_ttl_secs: Option<u64>,
    rate_limits: Option<bool>,
    id_token_alg: Option<SigningAlg>,
    access_token_alg: Option<SigningAlg>,
}

async fn settings(State(state): State<AppState>, Json(patch): Json<SettingsHook>) -> HookResult {
    let mut guard = state
        .settings
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut settings = guard.clone();
    let tokens = &mut settings.tokens;
    set(
        &mut tokens.access_token_ttl_secs,
        patch.access_token_ttl_secs,
    );
    set(
        &mut tokens.refresh_token_ttl_secs,
        patch.refresh_token_ttl_secs,
    );
    set(&mut tokens.id_token_ttl_secs, patch.id_token_ttl_secs);
    set(&mut tokens.refresh_rotation, patch.refresh_rotation);
    set(
        &mut tokens.refresh_returns_refresh_token,
        patch.refresh_returns_refresh_token,
    );
    set(&mut tokens.id_token_alg, patch.id_token_alg);
    set(&mut tokens.access_token_alg, patch.access_token_alg);
    set(
        &mut settings.device.interval_secs,
        patch.device_interval_secs,
    );
    set(
        &mut settings.device.code_ttl_secs,
        patch.device_code_ttl_secs,
    );
    set(&mut settings.rate_limits.enabled, patch.rate_limits);
    settings
        .tokens
        .check()
        .map_err(OAuthError::invalid_request)?;
    settings
        .device
        .check()
        .map_err(OAuthError::invalid_request)?;
    let body = json!({
        "tokens": settings.tokens, "device": settings.device, "rate_limits": settings.rate_limits,
    });
    *guard = settings;
    Ok(axum::Json(body))
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

async fn stats(State(state): State<AppState>) -> HookResult {
    Ok(axum::Json(json!(*lock(&state.stats))))
}

async fn reset_stats(State(state): State<AppState>) -> HookResult {
    *lock(&state.stats) = Stats::default();
    Ok(axum::Json(json!({})))
}
