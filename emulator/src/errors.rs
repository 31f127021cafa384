//! OAuth / UPBOND error responses: `{"error": ..., "error_description": ...}` with the right
//! status and headers. Every handler and extractor failure ends up here, never in a 500 page.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Realm used in `WWW-Authenticate` challenges.
pub const REALM: &str = "upbond-emulator";

/// An error answered as OAuth error JSON.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `error` code.
    pub error: &'static str,
    /// The `error_description`.
    pub description: String,
    /// `WWW-Authenticate` challenge, if any.
    pub challenge: Option<String>,
    /// `Retry-After` in seconds, if any.
    pub retry_after: Option<u64>,
}

impl OAuthError {
    /// An error with the given status, code and description.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            challenge: None,
            retry_after: None,
        }
    }

    /// 400 with the given code.
    pub fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_request", description)
    }

    /// 400 `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::bad_request("invalid_grant", description)
    }

    /// 400 `invalid_scope`.
    pub fn invalid_scope() -> Self {
        Self::bad_request(
            "invalid_scope",
            "The requested scope is not allowed for this client",
        )
    }

    /// 400 `unauthorized_client`.
    pub fn unauthorized_client(grant: &str) -> Self {
        Self::bad_request(
            "unauthorized_client",
            format!("This client may not use the {grant} grant"),
        )
    }

    /// 401 `invalid_client`; a `Basic` challenge when the client tried HTTP Basic auth.
    pub fn invalid_client(basic: bool) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
        if basic {
            e.challenge = Some(format!("Basic realm=\"{REALM}\""));
        }
        e
    }

    /// 401 `invalid_token` with an RFC 6750 challenge.
    pub fn invalid_token() -> Self {
        let description = "The access token is invalid or expired";
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description);
        e.challenge = Some(format!(
            "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""
        ));
        e
    }

    /// 401 without an error code in the challenge: the request carried no token (RFC 6750 3.1).
    pub fn missing_token() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "No access token was sent",
        );
        e.challenge = Some(format!("Bearer realm=\"{REALM}\""));
        e
    }

    /// 403 `insufficient_scope` naming the needed scope.
    pub fn insufficient_scope(scope: &str) -> Self {
        let description = "The request requires higher privileges than provided";
        let mut e = Self::new(StatusCode::FORBIDDEN, "insufficient_scope", description);
        e.challenge = Some(format!(
            "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", error_description=\"{description}\", scope=\"{scope}\""
        ));
        e
    }

    /// 429 `rate_limit_exceeded` with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "Too many requests. Please try again later.",
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 404 for unknown paths.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "No such endpoint")
    }

    /// 500 `server_error` (only for failures of the emulator itself, e.g. signing).
    pub fn server_error(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            description,
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Maps any axum extractor rejection to `invalid_request` (or its own 4xx status).
macro_rules! from_rejection {
    ($($t:ty),*) => {$(
        impl From<$t> for OAuthError {
            fn from(rejection: $t) -> Self {
                let status = rejection.status();
                let status = if status.is_client_error() { status } else { StatusCode::BAD_REQUEST };
                OAuthError::new(status, "invalid_request", rejection.body_text())
            }
        }
    )*};
}
from_rejection!(
    axum::extract::rejection::PathRejection,
    axum::extract::rejection::BytesRejection
);

/// A JSON body that does not parse or has the wrong shape (axum says 422 for the latter) is a
/// malformed request: 400 `invalid_request` naming the problem. Only a missing JSON content
/// type keeps its 415.
impl From<axum::extract::rejection::JsonRejection> for OAuthError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection;
        let status = match rejection {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        };
        OAuthError::new(status, "invalid_request", rejection.body_text())
    }
}

impl From<crate::keys::KeyError> for OAuthError {
    fn from(error: crate::keys::KeyError) -> Self {
        OAuthError::server_error(error.0)
    }
}
