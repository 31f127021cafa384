//! UPBOND user API (`/api/v1/users/{userId}...`, Bearer token of that user): profile,
//! verification email resend, email change with password check, and code verification.
//! Emails land in the outbox (`GET /_emulator/outbox`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::errors::OAuthError;
use crate::html;
use crate::params::{Body, Params, Path, Query};
use crate::rate_limit::Category;
use crate::state::{AppState, EmailKind, OutboxEmail, Shared, User, fill_random};
use crate::tokens::check_bearer;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/{user_id}", get(profile))
        .route("/api/v1/users/{user_id}/email/{operation}", post(email))
        .route("/verify-email", get(verify_link))
}

fn reply(result: Result<Value, OAuthError>) -> Response {
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Checks the bearer token belongs to `user_id` and counts the request in `category`.
fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
    category: Category,
) -> Result<(), OAuthError> {
    let token = check_bearer(state, headers)?;
    state.rate_limit(&token.client_id, category)?;
    if token.sub.as_deref() != Some(user_id) {
        return Err(OAuthError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "This token may only act on its own user",
        ));
    }
    Ok(())
}

fn profile_json(user: &User) -> Value {
    let account = &user.account;
    json!({
        "id": account.sub, "email": account.email, "email_verified": account.email_verified,
        "name": account.name, "given_name": account.given_name, "family_name": account.family_name,
        "pending_email": user.pending_email,
    })
}

fn with_user<T>(
    state: &Shared,
    user_id: &str,
    f: impl FnOnce(&mut User) -> Result<T, OAuthError>,
) -> Result<T, OAuthError> {
    let mut store = state.store();
    let user = store
        .user_mut(user_id)
        .ok_or_else(OAuthError::invalid_token)?;
    f(user)
}

async fn profile(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(user_id): Path<String>,
) -> Response {
    reply(
        authorize(&state, &headers, &user_id, Category::UserManagement)
            .and_then(|()| with_user(&state, &user_id, |user| Ok(profile_json(user)))),
    )
}

/// Creates a code for `kind`, remembers it on the user and puts the email in the outbox.
fn send_code(state: &Shared, user_id: &str, to: &str, kind: EmailKind) -> OutboxEmail {
    let mut bytes = [0u8; 4];
    fill_random(&mut bytes);
    let code = format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000);
    let link = url::Url::parse_with_params(
        &format!("{}/verify-email", state.issuer),
        &[("user_id", user_id), ("code", &code)],
    )
    .map(String::from)
    .unwrap_or_default();
    let email = OutboxEmail {
        to: to.to_string(),
        kind: match kind {
            EmailKind::Verification => "verification",
            EmailKind::EmailChange => "email_change",
        },
        user_id: user_id.to_string(),
        code: code.clone(),
        link,
        sent_at: state.now(),
    };
    let mut store = state.store();
    if let Some(user) = store.user_mut(user_id) {
        user.pending_code = Some((code, kind));
    }
    store.outbox.push(email.clone());
    email
}

/// One email operation of the user API.
type EmailOperation = fn(&Shared, &str, &Params) -> Result<Value, OAuthError>;

async fn email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((user_id, operation)): Path<(String, String)>,
    Body(params): Body,
) -> Response {
    let run: EmailOperation = match operation.as_str() {
        "resend-verification" => resend,
        "change" => request_change,
        "verify" => verify,
        _ => return OAuthError::not_found().into_response(),
    };
    reply(
        authorize(&state, &headers, &user_id, Category::Email)
            .and_then(|()| run(&state, &user_id, &params)),
    )
}

fn resend(state: &Shared, user_id: &str, _params: &Params) -> Result<Value, OAuthError> {
    let email = with_user(state, user_id, |user| Ok(user.account.email.clone()))?;
    send_code(state, user_id, &email, EmailKind::Verification);
    Ok(json!({ "sent": true, "to": email }))
}

fn request_change(state: &Shared, user_id: &str, params: &Params) -> Result<Value, OAuthError> {
    let new_email = params.require("new_email")?.trim().to_string();
    let password = params.require("current_password")?;
    let valid_shape = new_email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !new_email.contains(char::is_whitespace)
    });
    if !valid_shape {
        return Err(OAuthError::invalid_request(
            "new_email is not a valid email address",
        ));
    }
    {
        let mut store = state.store();
        let taken = store
            .user_by_email(&new_email)
            .is_some_and(|u| u.account.sub != user_id);
        let user = store
            .user_mut(user_id)
            .ok_or_else(OAuthError::invalid_token)?;
        if user.account.email.eq_ignore_ascii_case(&new_email) {
            return Err(OAuthError::invalid_request(
                "new_email is already the address of this account",
            ));
        }
        if user.account.password != password {
            return Err(OAuthError::bad_request(
                "EMAIL_007",
                "Password verification failed",
            ));
        }
        if taken {
            return Err(OAuthError::new(
                StatusCode::CONFLICT,
                "invalid_request",
                "This email address is already in use",
            ));
        }
        user.pending_email = Some(new_email.clone());
    }
    send_code(state, user_id, &new_email, EmailKind::EmailChange);
    Ok(json!({ "pending_email": new_email, "verification_sent": true }))
}

/// Applies a verification code; returns the updated profile.
fn apply_code(state: &Shared, user_id: &str, code: &str) -> Result<Value, OAuthError> {
    with_user(state, user_id, |user| {
        let kind = match &user.pending_code {
            Some((expected, kind)) if expected == code.trim() => *kind,
            _ => {
                return Err(OAuthError::invalid_request(
                    "Invalid or expired verification code",
                ));
            }
        };
        if kind == EmailKind::EmailChange
            && let Some(email) = user.pending_email.take()
        {
            user.account.email = email;
        }
        user.account.email_verified = true;
        user.pending_code = None;
        Ok(profile_json(user))
    })
}

fn verify(state: &Shared, user_id: &str, params: &Params) -> Result<Value, OAuthError> {
    apply_code(state, user_id, params.require("code")?)
}

async fn verify_link(State(state): State<AppState>, Query(params): Query) -> Response {
    let result = params
        .require("user_id")
        .and_then(|user_id| apply_code(&state, user_id, params.require("code")?));
    match result {
        Ok(_) => html::page(
            StatusCode::OK,
            "Email verified",
            "<p id=\"verified\">Your email address is verified.</p>",
        ),
        Err(error) => html::error_page(&error),
    }
}
