//! The public [`Error`] type: one variant per situation UPBOND documents, each tied to an entry
//! of the built-in troubleshooting [catalog](crate::catalog).

mod catalog;
mod kinds;

use std::time::Duration;

pub use catalog::{CatalogEntry, catalog, explain, troubleshooting_markdown};
pub(crate) use kinds::clean_text;
pub use kinds::{Description, IdTokenErrorReason, NetworkErrorKind};

/// Everything that can go wrong in upbond-core.
///
/// Every variant maps to a stable [`code`](Error::code) with causes and resolution steps in the
/// [catalog](crate::catalog). Messages never contain tokens, secrets, codes or passwords.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration breaks a rule of the platform guidance (see the message).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The issuer refused the request as malformed (`invalid_request`).
    #[error("the issuer rejected the request as malformed{description}")]
    InvalidRequest {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// Client authentication failed: unknown, wrong or suspended client (`invalid_client`).
    #[error("the issuer did not accept the client credentials{description}")]
    InvalidClient {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The code, refresh token or device code is invalid, expired or revoked (`invalid_grant`).
    #[error("the grant is invalid, expired or revoked{description}")]
    InvalidGrant {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The client may not use this grant type (`unauthorized_client`).
    #[error("this client is not allowed to use the requested grant{description}")]
    UnauthorizedClient {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The issuer does not know the grant type (`unsupported_grant_type`).
    #[error("the issuer does not support this grant type{description}")]
    UnsupportedGrantType {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// A requested scope is unknown or not allowed for this client (`invalid_scope`).
    #[error("a requested scope is invalid or not allowed{description}")]
    InvalidScope {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The user or the issuer declined the authorization (`access_denied`).
    #[error("the authorization was denied{description}")]
    AccessDenied {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The issuer needs the user to interact (`login_required`, `consent_required`,
    /// `interaction_required`, `account_selection_required`), e.g. after `prompt=none`.
    #[error("the user has to sign in interactively ({error}){description}")]
    LoginRequired {
        /// The error code as sent.
        error: String,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The redirect URI is not registered for this client (`redirect_uri_mismatch`).
    #[error("the redirect URI is not registered for this client{description}")]
    RedirectUriMismatch {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// A social login provider failed (KOE101, WAE102, WCE102, TGE102).
    #[error("social login with {provider} failed ({code}){description}")]
    SocialProvider {
        /// The provider named by the issuer, e.g. `kakao`.
        provider: String,
        /// The provider error code, e.g. `KOE101`.
        code: &'static str,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The access token is invalid, expired or revoked (`invalid_token`).
    #[error("the access token is invalid or expired{description}")]
    InvalidToken {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The access token lacks a scope the resource needs (`insufficient_scope`).
    #[error("the access token lacks a required scope{}{description}", scope_suffix(.scope))]
    InsufficientScope {
        /// The scope the resource asked for, from `WWW-Authenticate`, when given.
        scope: Option<String>,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The current password did not verify during an email change (`EMAIL_007`).
    #[error("the current password was not accepted for the email change{description}")]
    EmailPasswordRejected {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// Another email verification or email change failure.
    #[error("the email operation failed ({error}){description}")]
    EmailOperationFailed {
        /// The issuer's error code.
        error: String,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The device code expired before the user approved (`expired_token`).
    #[error("the device code expired before the user approved it{description}")]
    DeviceCodeExpired {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The user code is malformed or unknown.
    #[error("the user code is not valid{description}")]
    InvalidUserCode {
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// Too many requests; wait before trying again (`rate_limit_exceeded`, HTTP 429).
    #[error("too many requests{}{description}", retry_suffix(.retry_after))]
    RateLimited {
        /// How long the issuer asked us to wait, when it said.
        retry_after: Option<Duration>,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The issuer reported an internal or temporary failure (`server_error`,
    /// `temporarily_unavailable`).
    #[error("the issuer reported a server failure{description}")]
    ServerError {
        /// How long the issuer asked us to wait, when it said.
        retry_after: Option<Duration>,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// The issuer returned an OAuth error code this library does not know.
    #[error("the issuer returned the error `{error}`{description}")]
    OAuth {
        /// The error code as sent.
        error: String,
        /// The HTTP status, when the error came in an HTTP response.
        status: Option<u16>,
        /// The issuer's explanation, if any.
        description: Description,
    },
    /// An HTTP error status with a body that is not an OAuth error (an HTML 502 page, ...).
    #[error("HTTP {status} from the issuer: {excerpt:?}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The start of the body (at most 200 characters, control characters removed).
        excerpt: String,
        /// The `Retry-After` header, when sent.
        retry_after: Option<Duration>,
    },
    /// A client-side rate budget is spent (see [`RateBudgets`](crate::RateBudgets)); nothing
    /// was sent.
    #[error(
        "the local {category} rate budget is spent; retry after {} ms",
        .retry_after.as_millis()
    )]
    RateBudgetExhausted {
        /// The category whose budget is spent.
        category: crate::RateCategory,
        /// When the budget has room again.
        retry_after: Duration,
    },
    /// The request never got an HTTP answer.
    #[error("network failure ({kind}): {detail}")]
    Network {
        /// What failed: timeout, DNS, TLS, connect or I/O.
        kind: NetworkErrorKind,
        /// The transport's explanation.
        detail: String,
    },
    /// The issuer's answer does not follow the protocol (malformed JSON, missing members, ...).
    #[error("the issuer's response broke the protocol: {0}")]
    Protocol(String),
    /// The token response named a token type this library cannot use.
    #[error("the issuer returned the unsupported token type {0:?}")]
    UnsupportedTokenType(String),
    /// An issuer identifier did not match the configured issuer exactly.
    #[error("issuer mismatch: expected {expected:?}, got {found:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// What the issuer said.
        found: String,
    },
    /// The issuer does not offer a feature this call needs.
    #[error("the issuer does not support {0}")]
    NotSupported(&'static str),
    /// The ID token, or a signed userinfo response, failed validation.
    #[error(
        "{} rejected: {reason}{}",
        if *.userinfo { "the signed userinfo response" } else { "ID token" },
        detail_suffix(.detail)
    )]
    IdToken {
        /// Which check failed.
        reason: IdTokenErrorReason,
        /// More context (never the token itself).
        detail: String,
        /// Whether the token was a signed userinfo response rather than an ID token.
        userinfo: bool,
    },
    /// The `sub` of the userinfo response differs from the ID token's.
    #[error("the userinfo subject does not match the ID token subject")]
    UserInfoSubjectMismatch,
    /// The `state` of the callback differs from the pending request's.
    #[error("the callback state does not match the pending authorization")]
    StateMismatch,
    /// The operation was cancelled by the caller.
    #[error("the operation was cancelled")]
    Cancelled,
    /// Reading or writing stored state failed.
    #[error("storage failure: {0}")]
    Storage(String),
    /// No usable session: nothing is stored, or it cannot be renewed.
    #[error("not signed in: {0}")]
    NotSignedIn(&'static str),
}

fn scope_suffix(scope: &Option<String>) -> String {
    scope
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}

fn retry_suffix(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|d| format!("; retry after {} s", d.as_secs()))
        .unwrap_or_default()
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl Error {
    /// The stable code of this error, e.g. `invalid_client`, `KOE101`, `id_token_expired`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(_) => "invalid_config",
            Error::InvalidRequest { .. } => "invalid_request",
            Error::InvalidClient { .. } => "invalid_client",
            Error::InvalidGrant { .. } => "invalid_grant",
            Error::UnauthorizedClient { .. } => "unauthorized_client",
            Error::UnsupportedGrantType { .. } => "unsupported_grant_type",
            Error::InvalidScope { .. } => "invalid_scope",
            Error::AccessDenied { .. } => "access_denied",
            Error::LoginRequired { .. } => "login_required",
            Error::RedirectUriMismatch { .. } => "redirect_uri_mismatch",
            Error::SocialProvider { code, .. } => code,
            Error::InvalidToken { .. } => "invalid_token",
            Error::InsufficientScope { .. } => "insufficient_scope",
            Error::EmailPasswordRejected { .. } => "EMAIL_007",
            Error::EmailOperationFailed { .. } => "email_operation_failed",
            Error::DeviceCodeExpired { .. } => "expired_token",
            Error::InvalidUserCode { .. } => "invalid_user_code",
            Error::RateLimited { .. } => "rate_limit_exceeded",
            Error::RateBudgetExhausted { .. } => "rate_budget_exhausted",
            Error::ServerError { .. } => "server_error",
            Error::OAuth { .. } => "oauth_error",
            Error::Http { status, .. } if *status >= 500 => "http_server_error",
            Error::Http { .. } => "http_client_error",
            Error::Network { kind, .. } => match kind {
                NetworkErrorKind::Timeout => "network_timeout",
                NetworkErrorKind::Dns => "network_dns",
                NetworkErrorKind::Tls => "network_tls",
                NetworkErrorKind::Connect => "network_connect",
                NetworkErrorKind::Reset => "network_reset",
                NetworkErrorKind::Io => "network_io",
            },
            Error::Protocol(_) => "protocol_error",
            Error::UnsupportedTokenType(_) => "unsupported_token_type",
            Error::IssuerMismatch { .. } => "issuer_mismatch",
            Error::NotSupported(_) => "not_supported_by_issuer",
            Error::IdToken { reason, .. } => reason.code(),
            Error::UserInfoSubjectMismatch => "userinfo_subject_mismatch",
            Error::StateMismatch => "state_mismatch",
            Error::Cancelled => "cancelled",
            Error::Storage(_) => "storage_error",
            Error::NotSignedIn(_) => "not_signed_in",
        }
    }

    /// The catalog entry for this error's code.
    pub fn entry(&self) -> &'static CatalogEntry {
        catalog::entry_for(self.code())
    }

    /// A one-line description of what happened.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The likely causes, from the catalog.
    pub fn causes(&self) -> &'static [&'static str] {
        self.entry().causes
    }

    /// What to do about it, from the catalog.
    pub fn resolution(&self) -> &'static [&'static str] {
        self.entry().resolution
    }

    /// Whether trying the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.entry().retryable
    }

    /// Whether the user has to sign in again to recover.
    pub fn requires_reauthentication(&self) -> bool {
        self.entry().requires_reauthentication
    }

    /// The HTTP status of the answer this error came from; `None` when there was none
    /// (network failures, local checks, errors read from a redirect).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::OAuth { status, .. } => *status,
            other => other.description().and_then(Description::status),
        }
    }

    /// The issuer's explanation, for the variants that carry one.
    pub fn description(&self) -> Option<&Description> {
        match self {
            Error::InvalidRequest { description }
            | Error::InvalidClient { description }
            | Error::InvalidGrant { description }
            | Error::UnauthorizedClient { description }
            | Error::UnsupportedGrantType { description }
            | Error::InvalidScope { description }
            | Error::AccessDenied { description }
            | Error::LoginRequired { description, .. }
            | Error::RedirectUriMismatch { description }
            | Error::SocialProvider { description, .. }
            | Error::InvalidToken { description }
            | Error::InsufficientScope { description, .. }
            | Error::EmailPasswordRejected { description }
            | Error::EmailOperationFailed { description, .. }
            | Error::DeviceCodeExpired { description }
            | Error::InvalidUserCode { description }
            | Error::RateLimited { description, .. }
            | Error::ServerError { description, .. }
            | Error::OAuth { description, .. } => Some(description),
            _ => None,
        }
    }

    /// How long the issuer asked us to wait before retrying, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. }
            | Error::ServerError { retry_after, .. }
            | Error::Http { retry_after, .. } => *retry_after,
            Error::RateBudgetExhausted { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// The typed error for an OAuth `error` code and optional `error_description` received
    /// through another channel (an error page, a back-end callback handler, a log).
    pub fn from_oauth_error(error: &str, description: Option<&str>) -> Self {
        let oauth = crate::http::OAuthError {
            error: error.trim().to_owned(),
            description: description.map(str::to_owned),
            provider: None,
            scope: None,
        };
        crate::http::error_from_code(oauth, None, None)
    }

    pub(crate) fn id_token(reason: IdTokenErrorReason, detail: impl Into<String>) -> Self {
        Error::IdToken {
            reason,
            detail: detail.into(),
            userinfo: false,
        }
    }

    /// This error, an ID token error, as one of a signed userinfo response.
    pub(crate) fn in_userinfo(self) -> Self {
        match self {
            Error::IdToken { reason, detail, .. } => Error::IdToken {
                reason,
                detail,
                userinfo: true,
            },
            other => other,
        }
    }

    /// An issuer mismatch; `found` (server or redirect text) is cleaned and bounded.
    pub(crate) fn issuer_mismatch(expected: &str, found: &str) -> Self {
        Error::IssuerMismatch {
            expected: expected.to_owned(),
            found: clean_text(found, 200),
        }
    }
}

#[cfg(test)]
mod tests;
