//! upbond-bindings: the UniFFI export layer of upbond-core for Kotlin, Swift and Python.
//!
//! Exports only: every type and call is forwarded to [`upbond_core`]; no behaviour lives here.
//! Async exports run on this process's tokio runtime (a forked child starts its own, see
//! `runtime`); dropping a foreign future (a cancelled coroutine or task) drops the Rust future
//! and stops the call.
//!
//! - [`Client`]: the flows, userinfo, revocation, logout URL, the UPBOND user API (profile,
//!   email verification and change), metrics, support report, doctor.
//! - [`Session`]: one signed-in user with single-flight refresh, over a [`TokenStore`].
//! - [`UpbondError`]: the error catalog, every variant with one [`UpbondErrorInfo`] (code,
//!   detail, causes, resolution, retryable, re-authentication, retry-after, status ...).
//! - Foreign traits: [`TokenStore`], [`Logger`], [`MetricsObserver`], [`SessionListener`],
//!   [`PlatformInfo`].

// `UpbondError` carries the catalog fields on every variant by design (foreign code reads them
// without matching); it crosses the FFI serialised, so its size in Rust does not matter.
#![allow(clippy::result_large_err)]

mod cancel;
mod catalog;
mod client;
mod error;
mod records;
mod runtime;
mod session;
mod telemetry;
mod user_api;

pub use cancel::CancelToken;
pub use catalog::{CatalogEntry, catalog, explain};
pub use client::{AuthorizationRequest, Client};
pub use error::{CallbackError, UpbondError, UpbondErrorInfo};
pub use records::{
    AuthorizationOptions, ClientAuthMethod, ClientConfig, ClientKind, DeviceAuthorization,
    IdTokenClaims, LogoutOptions, PendingAuthorization, SocialProvider, TokenSet, TokenTypeHint,
    UserInfo, normalize_user_code, pending_authorization_from_json, pending_authorization_to_json,
};
pub use session::{Session, SessionEvent, SessionListener, SessionRecord, SignOut, TokenStore};
pub use telemetry::{
    AuthOutcome, CheckStatus, DoctorCheck, DoctorReport, EndpointStats, HttpExchange, LogLevel,
    Logger, MetricsObserver, MetricsSnapshot, PlatformInfo, is_debug, set_debug, set_logger,
};
pub use user_api::UserProfile;

uniffi::setup_scaffolding!("upbond_ffi");
