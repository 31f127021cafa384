//! [`UpbondError`]: core's [`Error`](upbond_core::Error) as a UniFFI error. Every variant
//! carries the same [`UpbondErrorInfo`], so foreign code reads it without matching on the
//! variant.

use std::fmt;

use upbond_core::Error;

use crate::catalog::strings;
use crate::telemetry::millis;

/// Declares [`UpbondError`], every variant with one [`UpbondErrorInfo`].
macro_rules! upbond_error {
    ($($(#[doc = $doc:literal])+ $variant:ident,)+) => {
        /// An error of upbond-login: one variant per family of the error catalog, each with
        /// the same [`UpbondErrorInfo`] (`info`).
        #[derive(uniffi::Error)]
        pub enum UpbondError {
            $(
                $(#[doc = $doc])+
                $variant {
                    /// The catalog code, advice and retry facts.
                    info: UpbondErrorInfo,
                },
            )+
        }

        impl UpbondError {
            /// What every variant carries.
            pub fn info(&self) -> &UpbondErrorInfo {
                match self {
                    $(UpbondError::$variant { info })|+ => info,
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

/// What every [`UpbondError`] carries.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct UpbondErrorInfo {
    /// The stable catalog code, e.g. `invalid_client`, `KOE101`.
    pub code: String,
    /// What happened, in one line (never a secret).
    pub detail: String,
    /// Likely causes, from the catalog.
    pub causes: Vec<String>,
    /// What to do about it, from the catalog.
    pub resolution: Vec<String>,
    /// Whether the same request may succeed when tried again later.
    pub retryable: bool,
    /// Whether the user has to sign in again to recover.
    pub reauthentication_required: bool,
    /// How long to wait before retrying (milliseconds), when the issuer said so.
    pub retry_after_ms: Option<u64>,
    /// The HTTP status of the answer, when the error came from one.
    pub status: Option<u16>,
    /// The social login provider that failed (`kakao` ...), for its codes.
    pub provider: Option<String>,
    /// The scope a resource asked for, for `insufficient_scope`.
    pub scope: Option<String>,
}

impl fmt::Display for UpbondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.info();
        write!(f, "{}: {}", info.code, info.detail)
    }
}

impl fmt::Debug for UpbondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.info(), f)
    }
}

impl std::error::Error for UpbondError {}

/// The variant of `error`, carrying `info`.
fn variant(error: &Error, info: UpbondErrorInfo) -> UpbondError {
    use UpbondError as U;
    match error {
        Error::Config(_) => U::Config { info },
        Error::InvalidRequest { .. } => U::InvalidRequest { info },
        Error::InvalidClient { .. } => U::InvalidClient { info },
        Error::InvalidGrant { .. } => U::InvalidGrant { info },
        Error::UnauthorizedClient { .. } => U::UnauthorizedClient { info },
        Error::UnsupportedGrantType { .. } => U::UnsupportedGrantType { info },
        Error::InvalidScope { .. } => U::InvalidScope { info },
        Error::AccessDenied { .. } => U::AccessDenied { info },
        Error::LoginRequired { .. } => U::LoginRequired { info },
        Error::RedirectUriMismatch { .. } => U::RedirectUriMismatch { info },
        Error::SocialProvider { .. } => U::SocialProvider { info },
        Error::InvalidToken { .. } => U::InvalidToken { info },
        Error::InsufficientScope { .. } => U::InsufficientScope { info },
        Error::EmailPasswordRejected { .. } => U::EmailPasswordRejected { info },
        Error::EmailOperationFailed { .. } => U::EmailOperationFailed { info },
        Error::DeviceCodeExpired { .. } => U::DeviceCodeExpired { info },
        Error::InvalidUserCode { .. } => U::InvalidUserCode { info },
        Error::RateLimited { .. } => U::RateLimited { info },
        Error::RateBudgetExhausted { .. } => U::RateBudgetExhausted { info },
        Error::ServerError { .. } => U::ServerError { info },
        Error::OAuth { .. } => U::OAuth { info },
        Error::Http { .. } => U::Http { info },
        Error::Network { .. } => U::Network { info },
        Error::Protocol(_) => U::Protocol { info },
        Error::UnsupportedTokenType(_) => U::UnsupportedTokenType { info },
        Error::IssuerMismatch { .. } => U::IssuerMismatch { info },
        Error::NotSupported(_) => U::NotSupported { info },
        Error::IdToken { .. } => U::IdToken { info },
        Error::UserInfoSubjectMismatch => U::UserInfoSubjectMismatch { info },
        Error::StateMismatch => U::StateMismatch { info },
        Error::Cancelled => U::Cancelled { info },
        Error::Storage(_) => U::Storage { info },
        Error::NotSignedIn(_) => U::NotSignedIn { info },
        _ => U::Other { info },
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
        let info = UpbondErrorInfo {
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
        variant(&error, info)
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
