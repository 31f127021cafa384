//! [`Client`]: the flows of upbond-core's client, forwarded.

use std::collections::BTreeMap;
use std::sync::Arc;

use upbond_core as core;
use upbond_core::Secret;

use crate::cancel::CancelToken;
use crate::records::{
    AuthorizationOptions, ClientConfig, DeviceAuthorization, LogoutOptions, PendingAuthorization,
    TokenSet, TokenTypeHint, UserInfo,
};
use crate::telemetry::{
    DoctorReport, MetricsObserver, MetricsSnapshot, ObserverAdapter, PlatformInfo,
};
use crate::{UpbondError, runtime};

/// The authorization URL to open in the browser and the pending request to keep.
#[derive(uniffi::Record)]
pub struct AuthorizationRequest {
    /// The URL to open.
    pub url: String,
    /// The state to keep until the callback arrives.
    pub pending: PendingAuthorization,
}

/// An UPBOND Login client: discovery and JWKS cache, the sign-in flows, userinfo,
/// revocation and logout. Share one per issuer and client ID; it is thread-safe.
#[derive(uniffi::Object)]
pub struct Client {
    pub(crate) inner: core::Client,
}

fn scope_refs(scopes: &[String]) -> Vec<&str> {
    scopes.iter().map(String::as_str).collect()
}

#[uniffi::export]
impl Client {
    /// A client for `config` (validated; no network yet).
    #[uniffi::constructor]
    pub fn new(config: ClientConfig) -> Result<Arc<Self>, UpbondError> {
        Ok(Arc::new(Client {
            inner: core::Client::new(config.into())?,
        }))
    }

    /// The configured issuer.
    pub fn issuer(&self) -> String {
        self.inner.config().issuer.clone()
    }

    /// The configured client ID.
    pub fn client_id(&self) -> String {
        self.inner.config().client_id.clone()
    }

    /// The server clock minus the local clock (seconds), once measured.
    pub fn clock_skew_secs(&self) -> Option<i64> {
        self.inner.clock_skew()
    }

    /// This client's metrics since it was created.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics().into()
    }

    /// Sets (or with `None` removes) the observer told of every request and sign-in.
    pub fn set_metrics_observer(&self, observer: Option<Arc<dyn MetricsObserver>>) {
        self.inner.set_metrics_observer(
            observer.map(|o| Arc::new(ObserverAdapter(o)) as Arc<dyn core::MetricsObserver>),
        );
    }

    /// Reads the platform details (OS, app version ...) for the support report, once, now.
    pub fn set_platform_info(&self, platform: Arc<dyn PlatformInfo>) -> Result<(), UpbondError> {
        let info: BTreeMap<String, String> = platform
            .info()
            .map_err(|e| e.into_storage("the app's platform info"))?
            .into_iter()
            .collect();
        self.inner.set_platform_info(info);
        Ok(())
    }

    /// A redacted report of this client's recent activity, as JSON, for support requests.
    pub fn support_report(&self) -> String {
        self.inner.support_report().to_json()
    }
}

#[uniffi::export]
impl Client {
    /// The issuer's discovery document as JSON (fetched once, then cached).
    pub async fn discover(&self) -> Result<String, UpbondError> {
        runtime::run(async { Ok(self.inner.discover().await?.raw.to_string()) }).await
    }

    /// Builds the authorization URL (PKCE S256, state, nonce) and the pending request.
    pub async fn begin_authorization(
        &self,
        options: AuthorizationOptions,
    ) -> Result<AuthorizationRequest, UpbondError> {
        runtime::run(async {
            let (url, pending) = self.inner.begin_authorization(options.try_into()?).await?;
            Ok(AuthorizationRequest {
                url: url.into(),
                pending: pending.into(),
            })
        })
        .await
    }

    /// Checks the callback URL against the pending request and exchanges the code.
    pub async fn complete_authorization(
        &self,
        pending: PendingAuthorization,
        callback_url: String,
    ) -> Result<TokenSet, UpbondError> {
        runtime::run(async {
            let pending = core::PendingAuthorization::from(pending);
            let tokens = self
                .inner
                .complete_authorization(&pending, &callback_url)
                .await?;
            Ok(tokens.into())
        })
        .await
    }

    /// Starts a device authorization (RFC 8628); empty `scopes`: the configured ones.
    pub async fn start_device_authorization(
        &self,
        scopes: Vec<String>,
    ) -> Result<DeviceAuthorization, UpbondError> {
        runtime::run(async {
            let device = self
                .inner
                .start_device_authorization(&scope_refs(&scopes))
                .await?;
            Ok(device.into())
        })
        .await
    }

    /// Polls until the user approves or denies, the code expires, or `cancel` is cancelled
    /// (or the foreign task is cancelled): then the error is `cancelled`.
    pub async fn poll_device_authorization(
        &self,
        device: DeviceAuthorization,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<TokenSet, UpbondError> {
        runtime::run(async {
            let device = core::DeviceAuthorization::from(device);
            let cancelled = async move {
                match cancel {
                    Some(token) => token.cancelled().await,
                    None => std::future::pending().await,
                }
            };
            let tokens = self
                .inner
                .poll_device_authorization(&device, cancelled)
                .await?;
            Ok(tokens.into())
        })
        .await
    }

    /// Client credentials grant (confidential clients); empty `scopes`: the configured ones.
    pub async fn client_credentials(&self, scopes: Vec<String>) -> Result<TokenSet, UpbondError> {
        runtime::run(async {
            Ok(self
                .inner
                .client_credentials(&scope_refs(&scopes))
                .await?
                .into())
        })
        .await
    }

    /// Refreshes; keeps the old refresh token when the issuer returns none.
    pub async fn refresh(&self, refresh_token: String) -> Result<TokenSet, UpbondError> {
        runtime::run(async {
            Ok(self
                .inner
                .refresh(&Secret::from(refresh_token))
                .await?
                .into())
        })
        .await
    }

    /// Revokes a token (RFC 7009).
    pub async fn revoke(
        &self,
        token: String,
        hint: Option<TokenTypeHint>,
    ) -> Result<(), UpbondError> {
        runtime::run(async {
            let token = Secret::from(token);
            Ok(self.inner.revoke(&token, hint.map(Into::into)).await?)
        })
        .await
    }

    /// The URL that ends the session at the issuer (RP-initiated logout).
    pub async fn logout_url(&self, options: LogoutOptions) -> Result<String, UpbondError> {
        runtime::run(async { Ok(self.inner.logout_url(options.into()).await?.into()) }).await
    }

    /// The userinfo claims; with `expected_subject`, a different `sub` is an error. `jwt`
    /// asks for a signed JWT answer (`Accept: application/jwt`), validated like an ID token.
    #[uniffi::method(default(expected_subject = None, jwt = false))]
    pub async fn userinfo(
        &self,
        access_token: String,
        expected_subject: Option<String>,
        jwt: bool,
    ) -> Result<UserInfo, UpbondError> {
        runtime::run(async {
            let token = Secret::from(access_token);
            let expected = expected_subject.as_deref();
            let info = if jwt {
                self.inner.userinfo_jwt(&token, expected).await?
            } else {
                self.inner.userinfo(&token, expected).await?
            };
            Ok(info.into())
        })
        .await
    }

    /// Diagnoses the issuer: DNS, TCP, TLS, discovery, JWKS, clock skew, response time.
    pub async fn doctor(&self) -> DoctorReport {
        let report = runtime::run(async { Ok(self.inner.doctor().await) }).await;
        report
            .unwrap_or_else(|error| core::DoctorReport {
                issuer: self.issuer(),
                checks: vec![core::DoctorCheck {
                    name: "runtime".into(),
                    status: core::CheckStatus::Fail,
                    detail: error.to_string(),
                    fix: None,
                }],
            })
            .into()
    }
}
