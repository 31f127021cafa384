//! [`Client`]: the entry point. Owns the HTTP transport and the discovery/JWKS cache.

use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use serde_json::Value;

use crate::discovery::{Discovery, ProviderMetadata};
use crate::http::{ExchangeMeta, HttpResponse, Operation, Transport};
use crate::telemetry::{AuthOutcome, MetricsObserver, MetricsSnapshot, Telemetry};
use crate::tokens::id_token::{IdTokenChecks, IdTokenClaims, IdTokenValidator};
use crate::tokens::response::TokenSet;
use crate::tokens::userinfo::UserInfo;
use crate::{Config, Error, IdTokenErrorReason, Secret};

/// An UPBOND client. Cheap to clone: clones share the connection pool and the caches.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    transport: Transport,
    discovery: Discovery,
    validator: IdTokenValidator,
}

impl Client {
    /// Validates `config` and builds the client. No network access happens here.
    pub fn new(config: Config) -> Result<Client, Error> {
        config.validate()?;
        let transport = Transport::new(&config)?;
        let validator = IdTokenValidator::new(&config.issuer, &config.client_id)
            .with_algorithms(config.id_token_algorithms.clone())
            .with_client_secret(config.client_secret.clone())
            .with_leeway(config.clock_leeway);
        let discovery = Discovery::new(&config.issuer);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                transport,
                discovery,
                validator,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The ID token validator configured for this client.
    pub fn id_token_validator(&self) -> &IdTokenValidator {
        &self.inner.validator
    }

    /// The issuer's metadata, fetched once and cached for the life of the client.
    pub async fn discover(&self) -> Result<Arc<ProviderMetadata>, Error> {
        self.inner.discovery.metadata(&self.inner.transport).await
    }

    /// The issuer's key set, fetched once and refetched when an unknown `kid` shows up.
    pub async fn jwks(&self) -> Result<Arc<JwkSet>, Error> {
        self.inner.discovery.jwks(&self.inner.transport).await
    }

    /// Server clock minus local clock in seconds, from the last `Date` header seen. ID token
    /// `exp`/`iat`/`nbf` checks and JWT access token expiry use it.
    pub fn clock_skew(&self) -> Option<i64> {
        self.inner.transport.clock_skew()
    }

    /// The current Unix time on the issuer's clock: local time corrected by
    /// [`Client::clock_skew`] (plain local time until a server answer was seen).
    pub fn server_time(&self) -> u64 {
        self.inner.transport.server_now()
    }

    /// Installs (or with `None` removes) the observer that receives one event per HTTP
    /// attempt and per sign-in or refresh outcome.
    pub fn set_metrics_observer(&self, observer: Option<Arc<dyn MetricsObserver>>) {
        self.telemetry().set_observer(observer);
    }

    /// The aggregate metrics of this client (and its clones) since it was created.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.telemetry().snapshot()
    }

    /// Validates an ID token of this issuer; an unknown `kid` triggers one JWKS refetch
    /// (at most every 30 seconds).
    pub async fn validate_id_token(
        &self,
        id_token: &str,
        checks: &IdTokenChecks<'_>,
    ) -> Result<IdTokenClaims, Error> {
        let validator = &self.inner.validator;
        self.with_jwks(|jwks| validator.validate_at(id_token, jwks, checks, self.server_time()))
            .await
    }

    /// Runs `verify` with the cached key set; after an unknown `kid`, once more with a
    /// refetched one (at most every 30 seconds).
    async fn with_jwks<T>(&self, verify: impl Fn(&JwkSet) -> Result<T, Error>) -> Result<T, Error> {
        let keys = self.jwks().await?;
        let result = verify(&keys);
        match result {
            Err(Error::IdToken {
                reason: IdTokenErrorReason::UnknownKey,
                ..
            }) => {
                match self
                    .inner
                    .discovery
                    .refetch_jwks(&self.inner.transport)
                    .await?
                {
                    Some(fresh) => verify(&fresh),
                    None => result,
                }
            }
            other => other,
        }
    }

    /// Fetches the user's claims (JSON or `application/jwt`). When `expected_subject` is
    /// given (the ID token's `sub`), a different `sub` is refused.
    pub async fn userinfo(
        &self,
        access_token: &Secret,
        expected_subject: Option<&str>,
    ) -> Result<UserInfo, Error> {
        self.userinfo_as(access_token, expected_subject, "application/json")
            .await
    }

    /// Like [`Client::userinfo`] but asks for a signed JWT (`Accept: application/jwt`),
    /// whose signature, `iss` and `aud` are verified.
    pub async fn userinfo_jwt(
        &self,
        access_token: &Secret,
        expected_subject: Option<&str>,
    ) -> Result<UserInfo, Error> {
        self.userinfo_as(access_token, expected_subject, "application/jwt")
            .await
    }

    async fn userinfo_as(
        &self,
        access_token: &Secret,
        expected_subject: Option<&str>,
        accept: &'static str,
    ) -> Result<UserInfo, Error> {
        let metadata = self.discover().await?;
        let url = ProviderMetadata::require(&metadata.userinfo_endpoint, "a userinfo endpoint")?;
        let request = self
            .transport()
            .get_with(url, access_token)?
            .header(reqwest::header::ACCEPT, accept);
        let response = self.transport().send(request, Operation::UserInfo).await?;
        let is_jwt = response
            .content_type()
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/jwt"));
        if !(is_jwt && response.status.is_success()) {
            return response.parse_json(|claims| UserInfo::from_claims(claims, expected_subject));
        }
        let scrub = response.scrubber();
        self.signed_userinfo_claims(&response)
            .await
            .map_err(Error::in_userinfo)
            .and_then(|claims| UserInfo::from_claims(claims, expected_subject))
            .map_err(|e| scrub.error(e))
    }

    /// Verifies a signed userinfo JWT: signature, and `iss`/`aud` when present. Its
    /// failures are ID token errors (the caller marks them as the userinfo's).
    async fn signed_userinfo_claims(&self, response: &HttpResponse) -> Result<Value, Error> {
        let token = std::str::from_utf8(&response.body)
            .map_err(|_| Error::Protocol("the userinfo JWT is not UTF-8".into()))?
            .trim();
        let validator = &self.inner.validator;
        let (_, claims) = self
            .with_jwks(|jwks| validator.verify_signature(token, jwks))
            .await?;
        if claims
            .get("iss")
            .is_some_and(|iss| iss.as_str() != Some(validator.issuer()))
        {
            return Err(Error::id_token(IdTokenErrorReason::IssuerMismatch, ""));
        }
        if claims.get("aud").is_some()
            && !crate::tokens::id_token::audiences(&claims)
                .unwrap_or_default()
                .iter()
                .any(|a| a == validator.client_id())
        {
            return Err(Error::id_token(IdTokenErrorReason::AudienceMismatch, ""));
        }
        Ok(claims)
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn telemetry(&self) -> &Telemetry {
        self.inner.transport.telemetry()
    }

    /// Scopes as a space-separated string; an empty list means the configured default.
    pub(crate) fn scope_param(&self, scopes: &[&str]) -> String {
        if scopes.is_empty() {
            self.config().scopes.join(" ")
        } else {
            scopes.join(" ")
        }
    }

    /// POSTs a form to an endpoint with client authentication.
    pub(crate) async fn post_form(
        &self,
        url: &url::Url,
        form: Vec<(&'static str, String)>,
        operation: Operation,
    ) -> Result<HttpResponse, Error> {
        let request = crate::http::authenticate(self.transport().post(url), self.config(), form);
        self.transport().send(request, operation).await
    }

    /// Calls the token endpoint; the form's `grant_type` decides the retry rules and budget.
    pub(crate) async fn token_endpoint(
        &self,
        form: Vec<(&'static str, String)>,
    ) -> Result<HttpResponse, Error> {
        let grant = form
            .iter()
            .find(|(name, _)| *name == "grant_type")
            .map_or("", |(_, value)| value.as_str());
        let operation = Operation::for_grant(grant);
        let started = std::time::Instant::now();
        let metadata = self.discover().await?;
        let url = ProviderMetadata::require(&metadata.token_endpoint, "a token endpoint")?;
        let result = self.post_form(url, form, operation).await;
        if let Err(error) = &result {
            let meta = ExchangeMeta {
                operation,
                started,
                attempts: 0,
            };
            self.record_outcome(meta, None, Some(error));
        }
        result
    }

    /// Reports the end of a sign-in or refresh to the metrics.
    fn record_outcome(&self, meta: ExchangeMeta, status: Option<u16>, error: Option<&Error>) {
        if let Some(grant) = meta.operation.grant() {
            self.telemetry().outcome(AuthOutcome {
                grant: grant.to_owned(),
                success: error.is_none(),
                error_code: error.map(|e| e.code().to_owned()),
                status,
                duration: meta.started.elapsed(),
                attempts: meta.attempts,
            });
        }
    }

    /// Reads a token response and validates its ID token (with `nonce` when one was sent);
    /// reports the outcome to the metrics.
    pub(crate) async fn token_set(
        &self,
        response: HttpResponse,
        nonce: Option<&str>,
    ) -> Result<TokenSet, Error> {
        let (meta, status) = (response.meta, response.status);
        let journaled = response.failure().is_some();
        let result = self.read_token_set(response, nonce).await;
        if let Err(error) = &result
            && !journaled
        {
            // Failures after a good HTTP answer (validation) are not in the journal yet.
            self.telemetry().error(meta.operation.name(), error);
        }
        self.record_outcome(meta, Some(status.as_u16()), result.as_ref().err());
        result
    }

    async fn read_token_set(
        &self,
        response: HttpResponse,
        nonce: Option<&str>,
    ) -> Result<TokenSet, Error> {
        let scrub = response.scrubber();
        let skew = self.clock_skew().unwrap_or(0);
        let mut tokens = response
            .parse_json(|value| TokenSet::from_json(&value, crate::http::now_unix(), skew))?;
        if let Some(id_token) = &tokens.id_token {
            let checks = IdTokenChecks {
                nonce,
                access_token: Some(tokens.access_token.expose()),
            };
            let claims = self.validate_id_token(id_token.expose(), &checks).await;
            tokens.id_token_claims = Some(claims.map_err(|e| scrub.error(e))?);
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuthorizationOptions, DeviceAuthorization, LogoutOptions, PendingAuthorization};

    fn send<T: Send>(_: T) {}

    fn send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn client_errors_and_futures_cross_threads() {
        send_sync::<Client>();
        send_sync::<Error>();
        let client = Client::new(Config::new("https://a.example", "app")).unwrap();
        let token = Secret::new("t");
        let pending: PendingAuthorization = serde_json::from_value(serde_json::json!({
            "state": "s", "nonce": "n", "code_verifier": "v", "redirect_uri": "https://a/cb",
            "issuer": "https://a.example", "client_id": "app"}))
        .unwrap();
        let device: DeviceAuthorization = serde_json::from_value(serde_json::json!({
            "device_code": "d", "user_code": "U", "verification_uri": "https://a/device",
            "verification_uri_complete": null, "expires_at": 0, "interval": {"secs": 5, "nanos": 0}}))
        .unwrap();
        // Futures are lazy: nothing is sent, only their types are checked.
        send(client.discover());
        send(client.begin_authorization(AuthorizationOptions::default()));
        send(client.complete_authorization(&pending, "https://a/cb?code=c&state=s"));
        send(client.start_device_authorization(&[]));
        send(client.poll_device_authorization(&device, std::future::pending()));
        send(client.client_credentials(&[]));
        send(client.refresh(&token));
        send(client.revoke(&token, None));
        send(client.logout_url(LogoutOptions::default()));
        send(client.userinfo(&token, None));
        send(client.user_api().profile(&token, "u"));
    }
}
