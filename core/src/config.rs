//! [`Config`] and its validation, which enforces the native-app (RFC 8252) and SPA guidance.

use std::net::IpAddr;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use url::{Host, Url};

use crate::{Error, RateBudgets, RetryPolicy, Secret};

/// What kind of application the client is; decides which settings are safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClientKind {
    /// A mobile or desktop app (public client: no secret, PKCE, custom-scheme or loopback
    /// redirects).
    #[default]
    Native,
    /// A browser single-page app (public client: no secret, https or loopback redirects).
    SinglePage,
    /// A server-side client that keeps a secret (web back end, service, CLI on a server).
    Confidential,
}

/// How the client authenticates at the token, device and revocation endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (the default with a secret).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// Public client: only `client_id` is sent (the default without a secret).
    None,
}

/// Everything a [`Client`](crate::Client) needs. Build with [`Config::new`] or
/// [`Config::confidential`], adjust the public fields, and call [`Config::validate`]
/// (the client does it too).
#[derive(Clone, Debug)]
pub struct Config {
    /// The issuer identifier, compared as an exact string (no trailing-slash normalisation).
    pub issuer: String,
    /// The client ID registered with UPBOND.
    pub client_id: String,
    /// The client secret; only for [`ClientKind::Confidential`].
    pub client_secret: Option<Secret>,
    /// What kind of application this is.
    pub kind: ClientKind,
    /// Client authentication; `None` picks Basic with a secret and none without.
    pub auth_method: Option<ClientAuthMethod>,
    /// Where the browser returns after sign-in (needed for the authorization code flow).
    pub redirect_uri: Option<String>,
    /// Where the browser returns after logout.
    pub post_logout_redirect_uri: Option<String>,
    /// Scopes requested when a call does not name its own.
    pub scopes: Vec<String>,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request.
    pub request_timeout: Duration,
    /// Clock difference tolerated when checking `exp`, `iat` and `nbf`.
    pub clock_leeway: Duration,
    /// ID token signature algorithms accepted. HMAC ones only work for confidential clients.
    pub id_token_algorithms: Vec<Algorithm>,
    /// When and how failed requests are retried (3 attempts, backoff from 250 ms,
    /// `Retry-After` honoured up to 10 s, 30 s in all).
    pub retry: RetryPolicy,
    /// Client-side request budgets per UPBOND rate limit category (UPBOND's published
    /// limits; fail fast when spent).
    pub rate_budgets: RateBudgets,
}

impl Config {
    /// A public native-app configuration with scopes `openid profile email offline_access`.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Config {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            kind: ClientKind::Native,
            auth_method: None,
            redirect_uri: None,
            post_logout_redirect_uri: None,
            scopes: ["openid", "profile", "email", "offline_access"]
                .map(String::from)
                .to_vec(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            clock_leeway: Duration::from_secs(60),
            id_token_algorithms: vec![
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
            ],
            retry: RetryPolicy::default(),
            rate_budgets: RateBudgets::default(),
        }
    }

    /// A confidential client with a secret and no default scopes.
    pub fn confidential(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        Config {
            client_secret: Some(client_secret.into()),
            kind: ClientKind::Confidential,
            scopes: Vec::new(),
            ..Config::new(issuer, client_id)
        }
    }

    /// The client authentication method in effect.
    pub fn auth_method(&self) -> ClientAuthMethod {
        match (self.auth_method, &self.client_secret) {
            (Some(method), _) => method,
            (None, Some(_)) => ClientAuthMethod::ClientSecretBasic,
            (None, None) => ClientAuthMethod::None,
        }
    }

    /// Checks the configuration against the platform guidance; the error names the rule.
    pub fn validate(&self) -> Result<(), Error> {
        let issuer = parse_url("issuer", &self.issuer)?;
        // Checked first so that no later message echoes a password; reqwest would also send
        // the credentials as Basic auth with every request to the issuer.
        if !issuer.username().is_empty() || issuer.password().is_some() {
            return Err(config(
                "the issuer must not contain a user name or password (user:password@host)",
            ));
        }
        if !is_https_or_loopback(&issuer) {
            return Err(config(format!(
                "issuer {:?} must use https (plain http is allowed only for loopback hosts)",
                self.issuer
            )));
        }
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(config("the issuer must not have a query or fragment"));
        }
        if self.client_id.trim().is_empty() {
            return Err(config("client_id is empty"));
        }
        self.validate_secret()?;
        for (name, uri) in [
            ("redirect_uri", &self.redirect_uri),
            ("post_logout_redirect_uri", &self.post_logout_redirect_uri),
        ] {
            if let Some(uri) = uri {
                self.validate_redirect(name, uri)?;
            }
        }
        if let Some(scope) = self.scopes.iter().find(|s| !is_scope_token(s)) {
            return Err(config(format!(
                "scope {scope:?} is empty or contains invalid characters"
            )));
        }
        if self.connect_timeout.is_zero() || self.request_timeout.is_zero() {
            return Err(config("timeouts must be greater than zero"));
        }
        if self.retry.max_attempts == 0 {
            return Err(config("retry.max_attempts must be at least 1"));
        }
        if self.rate_budgets.enabled && self.rate_budgets.window.is_zero() {
            return Err(config("rate_budgets.window must be greater than zero"));
        }
        if self.id_token_algorithms.is_empty() {
            return Err(config("id_token_algorithms is empty"));
        }
        let hmac = self.id_token_algorithms.iter().any(|a| is_hmac(*a));
        if hmac && (self.kind != ClientKind::Confidential || self.client_secret.is_none()) {
            return Err(config(
                "HS256/384/512 ID tokens are only allowed for confidential clients",
            ));
        }
        Ok(())
    }

    fn validate_secret(&self) -> Result<(), Error> {
        let has_secret = self.client_secret.as_ref().is_some_and(|s| !s.is_empty());
        match (self.kind, has_secret) {
            (ClientKind::Native | ClientKind::SinglePage, true) => Err(config(
                "a public (native or single-page) client must not carry a client secret: \
                 anyone can extract it from the app; use PKCE instead",
            )),
            (ClientKind::Confidential, false) => Err(config(
                "a confidential client needs a non-empty client_secret",
            )),
            (_, has_secret) => {
                let needs_secret = self.auth_method() != ClientAuthMethod::None;
                if needs_secret != has_secret {
                    return Err(config(
                        "auth_method does not fit the presence of a client secret",
                    ));
                }
                Ok(())
            }
        }
    }

    pub(crate) fn validate_redirect(&self, name: &str, uri: &str) -> Result<(), Error> {
        let url = parse_url(name, uri)?;
        if url.fragment().is_some() || uri.contains('#') {
            return Err(config(format!("{name} must not contain a fragment (#)")));
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if is_loopback(&url) => Ok(()),
            "http" => Err(config(format!(
                "{name} uses plain http on a non-loopback host; use https, or http://127.0.0.1 \
                 for native apps (RFC 8252 section 7.3)"
            ))),
            scheme if self.kind == ClientKind::Native => {
                if is_reverse_dns(scheme) {
                    Ok(())
                } else {
                    Err(config(format!(
                        "{name} scheme {scheme:?} must be a reverse domain name you control, \
                         e.g. com.example.app (RFC 8252 section 7.1)"
                    )))
                }
            }
            scheme => Err(config(format!(
                "{name} uses the custom scheme {scheme:?}; only native apps may use custom schemes"
            ))),
        }
    }
}

fn config(message: impl Into<String>) -> Error {
    Error::Config(message.into())
}

fn parse_url(name: &str, value: &str) -> Result<Url, Error> {
    Url::parse(value).map_err(|e| config(format!("{name} {value:?} is not a valid URL: {e}")))
}

/// Whether `url` is `https`, or plain `http` on a loopback host (a local issuer such as the
/// emulator): the rule for the issuer, its endpoints and the pages shown to the user.
pub(crate) fn is_https_or_loopback(url: &Url) -> bool {
    url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url))
}

/// Loopback hosts: 127.0.0.0/8, ::1 and `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn is_reverse_dns(scheme: &str) -> bool {
    let labels: Vec<&str> = scheme.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// RFC 6749 section 3.3 scope-token characters.
fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

pub(crate) fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

#[cfg(test)]
mod tests;
