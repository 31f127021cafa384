//! [`UpbondError`]: core's [`Error`](upbond_core::Error) as a UniFFI error. Every variant
//! carries the same fields, so foreign code can read them without matching on the variant.

use std::fmt;

use upbond_core::Error;

use crate::catalog::strings;
use crate::telemetry::millis;

/// Declares [`UpbondError`] with the shared fields on every variant, and [`Kind`], its
/// field-less twin used to pick a variant.
macro_rules! upbond_error {
    ($($(#[doc = $doc:literal])+ $variant:ident,)+) => {
        /// An error of upbond-login. Every variant has the catalog `code`, a one-line
        /// `detail` (never a secret), the catalog's `causes` and `resolution`, whether a retry
        /// may succeed (`retryable`), whether the user must sign in again
        /// (`reauthentication_required`), the wait the issuer asked for (`retry_after_ms`), and
        /// where they apply the HTTP `status`, social `provider` and missing `scope`.
        // The fields are described once, above: repeated on every variant, their docs would
        // add some 20 KB of metadata to the shipped library.
        #[derive(uniffi::Error)]
        pub enum UpbondError {
            $(
                $(#[doc = $doc])+
                $variant {
                    code: String,
                    detail: String,
                    causes: Vec<String>,
                    resolution: Vec<String>,
                    retryable: bool,
                    reauthentication_required: bool,
                    retry_after_ms: Option<u64>,
                    status: Option<u16>,
                    provider: Option<String>,
                    scope: Option<String>,
                },
            )+
        }

        #[derive(Clone, Copy)]
        enum Kind {
            $($variant,)+
        }

        impl UpbondError {
            fn build(kind: Kind, f: Fields) -> Self {
                match kind {
                    $(Kind::$variant => UpbondError::$variant {
                        code: f.code,
                        detail: f.detail,
                        causes: f.causes,
                        resolution: f.resolution,
                        retryable: f.retryable,
                        reauthentication_required: f.reauthentication_required,
                        retry_after_ms: f.retry_after_ms,
                        status: f.status,
                        provider: f.provider,
                        scope: f.scope,
                    },)+
                }
            }

            /// The fields every variant shares, for Rust callers and tests.
            pub fn summary(&self) -> Summary<'_> {
                match self {
                    $(UpbondError::$variant {
                        code, detail, retryable, reauthentication_required, retry_after_ms,
                        status, ..
                    })|+ => Summary {
                        code,
                        detail,
                        retryable: *retryable,
                        reauthentication_required: *reauthentication_required,
                        retry_after_ms: *retry_after_ms,
                        status: *status,
                    },
                }
            }
        }
    };
}

upbond_error! {
    /// The configuration breaks a platform rule (`invalid_config`).
    Config,
    /// The issuer rejected the request as malformed (`invalid_request`).
    InvalidRequest,
    /// Client authentication failed (`invalid_client`).
    InvalidClient,
    /// The code, refresh token or device code is invalid, expired or revoked (`invalid_grant`).
    InvalidGrant,
    /// The client may not use this grant (`unauthorized_client`).
    UnauthorizedClient,
    /// The issuer does not know the grant type (`unsupported_grant_type`).
    UnsupportedGrantType,
    /// A requested scope is invalid (`invalid_scope`).
    InvalidScope,
    /// The authorization was denied (`access_denied`).
    AccessDenied,
    /// The user has to sign in interactively (`login_required`).
    LoginRequired,
    /// The redirect URI is not registered (`redirect_uri_mismatch`).
    RedirectUriMismatch,
    /// A social login provider failed (`KOE101`, `WAE102`, `WCE102`, `TGE102`).
    SocialProvider,
    /// The access token is invalid or expired (`invalid_token`).
    InvalidToken,
    /// The access token lacks a scope (`insufficient_scope`).
    InsufficientScope,
    /// The current password was rejected during an email change (`EMAIL_007`).
    EmailPasswordRejected,
    /// An email verification or change failed (`email_operation_failed`).
    EmailOperationFailed,
    /// The device code expired (`expired_token`).
    DeviceCodeExpired,
    /// The user code is not valid (`invalid_user_code`).
    InvalidUserCode,
    /// The issuer's rate limit was hit (`rate_limit_exceeded`).
    RateLimited,
    /// The client-side rate budget is spent (`rate_budget_exhausted`).
    RateBudgetExhausted,
    /// The issuer reported a server failure (`server_error`).
    ServerError,
    /// The issuer returned an unknown OAuth error (`oauth_error`).
    OAuth,
    /// An HTTP error without an OAuth body (`http_server_error`, `http_client_error`).
    Http,
    /// No HTTP answer (`network_timeout`, `network_dns`, `network_tls`, `network_connect`,
    /// `network_reset`, `network_io`).
    Network,
    /// The issuer's answer broke the protocol (`protocol_error`).
    Protocol,
    /// The token type is not supported (`unsupported_token_type`).
    UnsupportedTokenType,
    /// An issuer identifier did not match (`issuer_mismatch`).
    IssuerMismatch,
    /// The issuer lacks a needed feature (`not_supported_by_issuer`).
    NotSupported,
    /// The ID token failed validation (`id_token_*`).
    IdToken,
    /// The userinfo subject differs from the ID token's (`userinfo_subject_mismatch`).
    UserInfoSubjectMismatch,
    /// The callback state differs from the pending request's (`state_mismatch`).
    StateMismatch,
    /// The call was cancelled (`cancelled`).
    Cancelled,
    /// Reading or writing stored state failed (`storage_error`).
    Storage,
    /// The session has no usable tokens: sign the user in (`not_signed_in`).
    NotSignedIn,
    /// Any other failure: a newer core error kind, a panic, or an exception thrown by a
    /// foreign callback.
    Other,
}

/// The main shared fields of an [`UpbondError`], borrowed.
#[derive(Debug, PartialEq, Eq)]
pub struct Summary<'a> {
    /// The catalog code.
    pub code: &'a str,
    /// What happened, in one line.
    pub detail: &'a str,
    /// Whether a retry may succeed.
    pub retryable: bool,
    /// Whether the user has to sign in again.
    pub reauthentication_required: bool,
    /// How long to wait before retrying (ms), when known.
    pub retry_after_ms: Option<u64>,
    /// The HTTP status, when the error came from an answer.
    pub status: Option<u16>,
}

/// The shared fields of every variant.
struct Fields {
    code: String,
    detail: String,
    causes: Vec<String>,
    resolution: Vec<String>,
    retryable: bool,
    reauthentication_required: bool,
    retry_after_ms: Option<u64>,
    status: Option<u16>,
    provider: Option<String>,
    scope: Option<String>,
}

impl fmt::Display for UpbondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Summary { code, detail, .. } = self.summary();
        write!(f, "{code}: {detail}")
    }
}

impl fmt::Debug for UpbondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.summary(), f)
    }
}

impl std::error::Error for UpbondError {}

fn kind(error: &Error) -> Kind {
    match error {
        Error::Config(_) => Kind::Config,
        Error::InvalidRequest { .. } => Kind::InvalidRequest,
        Error::InvalidClient { .. } => Kind::InvalidClient,
        Error::InvalidGrant { .. } => Kind::InvalidGrant,
        Error::UnauthorizedClient { .. } => Kind::UnauthorizedClient,
        Error::UnsupportedGrantType { .. } => Kind::UnsupportedGrantType,
        Error::InvalidScope { .. } => Kind::InvalidScope,
        Error::AccessDenied { .. } => Kind::AccessDenied,
        Error::LoginRequired { .. } => Kind::LoginRequired,
        Error::RedirectUriMismatch { .. } => Kind::RedirectUriMismatch,
        Error::SocialProvider { .. } => Kind::SocialProvider,
        Error::InvalidToken { .. } => Kind::InvalidToken,
        Error::InsufficientScope { .. } => Kind::InsufficientScope,
        Error::EmailPasswordRejected { .. } => Kind::EmailPasswordRejected,
        Error::EmailOperationFailed { .. } => Kind::EmailOperationFailed,
        Error::DeviceCodeExpired { .. } => Kind::DeviceCodeExpired,
        Error::InvalidUserCode { .. } => Kind::InvalidUserCode,
        Error::RateLimited { .. } => Kind::RateLimited,
        Error::RateBudgetExhausted { .. } => Kind::RateBudgetExhausted,
        Error::ServerError { .. } => Kind::ServerError,
        Error::OAuth { .. } => Kind::OAuth,
        Error::Http { .. } => Kind::Http,
        Error::Network { .. } => Kind::Network,
        Error::Protocol(_) => Kind::Protocol,
        Error::UnsupportedTokenType(_) => Kind::UnsupportedTokenType,
        Error::IssuerMismatch { .. } => Kind::IssuerMismatch,
        Error::NotSupported(_) => Kind::NotSupported,
        Error::IdToken { .. } => Kind::IdToken,
        Error::UserInfoSubjectMismatch => Kind::UserInfoSubjectMismatch,
        Error::StateMismatch => Kind::StateMismatch,
        Error::Cancelled => Kind::Cancelled,
        Error::Storage(_) => Kind::Storage,
        Error::NotSignedIn(_) => Kind::NotSignedIn,
        _ => Kind::Other,
    }
}

impl From<Error> for UpbondError {
    fn from(error: Error) -> Self {
        let provider = match &error {
            Error::SocialProvider { provider, .. } => Some(provider.clone()),
            _ => None,
        };
        let scope = match &error {
            Error::InsufficientScope { scope, .. } => scope.clone(),
            _ => None,
        };
        let fields = Fields {
            code: error.code().to_owned(),
            detail: error.message(),
            causes: strings(error.causes()),
            resolution: strings(error.resolution()),
            retryable: error.is_retryable(),
            reauthentication_required: error.requires_reauthentication(),
            retry_after_ms: error.retry_after().map(millis),
            status: error.status(),
            provider,
            scope,
        };
        UpbondError::build(kind(&error), fields)
    }
}

/// What a callback of the app (token store, session listener, logger, metrics observer,
/// platform info) reports when it fails. Any exception it throws arrives as this error, so a
/// callback may throw whatever it likes.
#[derive(Debug, uniffi::Error)]
pub enum CallbackError {
    /// The callback failed; `reason` says why, in the app's words.
    Failed {
        /// Why the callback failed.
        reason: String,
    },
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CallbackError::Failed { reason } = self;
        f.write_str(reason)
    }
}

impl std::error::Error for CallbackError {}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    /// An exception the callback threw (or a panic on its side).
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        let reason = format!("the app's callback raised {}", e.reason);
        CallbackError::Failed { reason }
    }
}

impl CallbackError {
    /// The failure of `what` (e.g. "the token store's load") as a core storage error, the
    /// error a caller sees when an app callback it needed failed.
    pub(crate) fn into_storage(self, what: &str) -> Error {
        let CallbackError::Failed { reason } = self;
        Error::Storage(format!("{what} failed: {reason}"))
    }
}
