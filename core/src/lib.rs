//! upbond-core: the UPBOND Login 3.0 client core.
//!
//! Start with [`Config`] and [`Client`]. Every failure is an [`Error`] with a stable
//! [`code`](Error::code), causes and resolution from the built-in [`catalog`].

#![warn(missing_docs)]

mod client;
mod config;
mod discovery;
mod error;
mod flows;
mod http;
mod json;
mod secret;
pub mod session;
mod telemetry;
mod tokens;
mod user_api;

#[cfg(test)]
mod proptests;

pub use client::Client;
pub use config::{ClientAuthMethod, ClientKind, Config};
pub use discovery::{ProviderMetadata, parse_jwks};
pub use error::{
    CatalogEntry, Description, Error, IdTokenErrorReason, NetworkErrorKind, catalog, explain,
    troubleshooting_markdown,
};
pub use flows::authorization_code::{AuthorizationOptions, PendingAuthorization, SocialProvider};
pub use flows::device::{DeviceAuthorization, normalize_user_code};
pub use flows::logout::LogoutOptions;
pub use flows::revocation::TokenTypeHint;
pub use http::{BudgetExhausted, RateBudgets, RateCategory, RetryPolicy};
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::JwkSet;
pub use secret::Secret;
pub use session::{
    DEFAULT_MIN_TTL, FileStore, MemoryStore, Session, SessionEvent, SessionListener, SessionRecord,
    SignOut, StoreLock, TokenStore, bearer_error,
};
pub use telemetry::{
    AuthOutcome, CheckStatus, DoctorCheck, DoctorReport, EndpointStats, ExchangeSummary,
    HttpExchange, LogLevel, Logger, MetricsObserver, MetricsSnapshot, OperationSummary,
    ReportedError, SupportReport, doctor, is_debug, set_debug, set_logger,
};
pub use tokens::id_token::{IdTokenChecks, IdTokenClaims, IdTokenValidator};
pub use tokens::response::{TokenSet, TokenType};
pub use tokens::userinfo::UserInfo;
pub use user_api::{UserApi, UserProfile};
