//! Emulator configuration: seed clients and users, lifetimes, rate limits, scripted faults.
//!
//! [`Config::default`] holds the built-in seed data; [`Config::from_path`] reads a TOML or JSON
//! file in which every section is optional (a missing section keeps its default, a present
//! list such as `clients` replaces the default list).

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::faults::FaultSpec;
use crate::keys::SigningAlg;

/// The full emulator configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Registered OAuth clients.
    pub clients: Vec<ClientConfig>,
    /// Registered end users.
    pub users: Vec<UserConfig>,
    /// Token lifetimes and signing algorithms.
    pub tokens: TokenConfig,
    /// Device authorization grant settings (RFC 8628).
    pub device: DeviceConfig,
    /// Per-client rate limits.
    pub rate_limits: RateLimitConfig,
    /// Social providers that answer their provider error (e.g. `["kakao"]`).
    pub broken_social_providers: Vec<String>,
    /// Faults queued at start-up, exactly as posted to `/_emulator/faults`.
    pub faults: Vec<FaultSpec>,
    /// Connection handling.
    pub server: ServerConfig,
}

/// Connection handling of the HTTP server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Milliseconds a connection may take to deliver a complete request head, counted from
    /// the connection's start or the end of its previous response. A connection that sends
    /// nothing, trickles its headers (slow-loris) or idles between keep-alive requests for
    /// longer is closed. A request being handled is never cut short.
    pub header_read_timeout_ms: u64,
    /// Milliseconds a request may take to deliver its whole body, counted from the end of its
    /// head. A request whose declared body does not arrive in time (stalled or trickled) is
    /// answered `408` and its connection closed.
    pub body_read_timeout_ms: u64,
}

/// One registered OAuth client.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client identifier.
    pub client_id: String,
    /// The client secret; `None` makes the client public (token endpoint auth `none`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Display name shown on the login page.
    #[serde(default)]
    pub name: String,
    /// Registered redirect URIs (exact match; loopback `http` URIs match on any port).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Registered post-logout redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Allowed grant types.
    pub grant_types: Vec<String>,
    /// Scopes this client may request.
    pub scopes: Vec<String>,
    /// Whether authorization requests must carry an S256 PKCE challenge.
    #[serde(default = "yes")]
    pub require_pkce: bool,
    /// A suspended client is refused with `invalid_client`.
    #[serde(default)]
    pub suspended: bool,
}

/// One registered end user.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Stable subject identifier (also the user id of the user API).
    pub sub: String,
    /// Email address, used as the login name.
    pub email: String,
    /// Password for the login page and the email-change check.
    pub password: String,
    /// Whether the email address is verified.
    #[serde(default)]
    pub email_verified: bool,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
}

/// Token lifetimes and signing algorithms.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// Access token lifetime in seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime in seconds.
    pub refresh_token_ttl_secs: u64,
    /// ID token lifetime in seconds.
    pub id_token_ttl_secs: u64,
    /// Authorization code lifetime in seconds.
    pub code_ttl_secs: u64,
    /// Whether a refresh replaces the refresh token (reuse of a rotated one revokes the family).
    pub refresh_rotation: bool,
    /// Whether refresh responses include a refresh token at all.
    pub refresh_returns_refresh_token: bool,
    /// Algorithm of ID tokens and signed userinfo responses.
    pub id_token_alg: SigningAlg,
    /// Algorithm of access tokens (JWTs).
    pub access_token_alg: SigningAlg,
}

/// Device authorization grant settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceConfig {
    /// Device code lifetime in seconds.
    pub code_ttl_secs: u64,
    /// Minimum polling interval in seconds.
    pub interval_secs: u64,
}

/// Per-client rate limits (requests per minute), as UPBOND publishes them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Whether limits are enforced at all.
    pub enabled: bool,
    /// Authorization, token (except refresh) and device authorization requests.
    pub authentication_per_min: u32,
    /// Refresh token grants.
    pub token_refresh_per_min: u32,
    /// User API profile requests.
    pub user_management_per_min: u32,
    /// User API email operations.
    pub email_per_min: u32,
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML / JSON for this format.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The file parsed but its content is inconsistent.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads a `.toml` or `.json` config file (chosen by extension; anything else is tried as
    /// TOML) and checks it.
    pub fn from_path(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed: Result<Config, String> = if is_json {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        } else {
            toml::from_str(&text).map_err(|e| e.to_string())
        };
        let config = parsed.map_err(|message| ConfigError::Parse {
            path: shown,
            message,
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks cross-field consistency (unique ids, known providers, valid faults).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.tokens.check().map_err(ConfigError::Invalid)?;
        self.device.check().map_err(ConfigError::Invalid)?;
        self.server.check().map_err(ConfigError::Invalid)?;
        let mut ids = std::collections::HashSet::new();
        for client in &self.clients {
            if !ids.insert(client.client_id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "duplicate client_id {}",
                    client.client_id
                )));
            }
        }
        let mut emails = std::collections::HashSet::new();
        let mut subs = std::collections::HashSet::new();
        for user in &self.users {
            if !emails.insert(user.email.to_ascii_lowercase()) || !subs.insert(user.sub.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "duplicate user {}",
                    user.email
                )));
            }
        }
        for provider in &self.broken_social_providers {
            if crate::social::Provider::parse(provider).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "unknown social provider {provider}"
                )));
            }
        }
        for fault in &self.faults {
            fault.check().map_err(ConfigError::Invalid)?;
        }
        Ok(())
    }
}

/// The longest lifetime or interval accepted anywhere (ten years), so that time arithmetic
/// never overflows.
pub const MAX_SECS: u64 = 10 * 365 * 24 * 3600;

fn check_secs(name: &str, value: u64) -> Result<(), String> {
    let min = u64::from(!name.ends_with("interval_secs"));
    if value < min || value > MAX_SECS {
        return Err(format!(
            "{name} must be between {min} and {MAX_SECS} seconds"
        ));
    }
    Ok(())
}

impl TokenConfig {
    /// Checks every lifetime is in range.
    pub fn check(&self) -> Result<(), String> {
        check_secs("access_token_ttl_secs", self.access_token_ttl_secs)?;
        check_secs("refresh_token_ttl_secs", self.refresh_token_ttl_secs)?;
        check_secs("id_token_ttl_secs", self.id_token_ttl_secs)?;
        check_secs("code_ttl_secs", self.code_ttl_secs)
    }
}

impl ServerConfig {
    /// Longest accepted read timeout (one hour).
    const MAX_TIMEOUT_MS: u64 = 3_600_000;

    /// The header read timeout.
    pub fn header_read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.header_read_timeout_ms)
    }

    /// The body read timeout.
    pub fn body_read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.body_read_timeout_ms)
    }

    /// Checks the timeouts are in range.
    pub fn check(&self) -> Result<(), String> {
        let max = Self::MAX_TIMEOUT_MS;
        for (name, value) in [
            ("header_read_timeout_ms", self.header_read_timeout_ms),
            ("body_read_timeout_ms", self.body_read_timeout_ms),
        ] {
            if !(1..=max).contains(&value) {
                return Err(format!("server {name} must be between 1 and {max}"));
            }
        }
        Ok(())
    }
}

impl DeviceConfig {
    /// Checks the lifetime and interval are in range (an interval of 0 disables slow_down).
    pub fn check(&self) -> Result<(), String> {
        check_secs("device code_ttl_secs", self.code_ttl_secs)?;
        check_secs("device interval_secs", self.interval_secs)
    }
}

fn yes() -> bool {
    true
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clients: vec![
                ClientConfig {
                    client_id: "demo-app".into(),
                    client_secret: None,
                    name: "UPBOND Demo App".into(),
                    redirect_uris: strings(&[
                        "com.upbond.demo:/callback",
                        "http://127.0.0.1/callback",
                    ]),
                    post_logout_redirect_uris: strings(&[
                        "com.upbond.demo:/signed-out",
                        "http://127.0.0.1/signed-out",
                    ]),
                    grant_types: strings(&[
                        "authorization_code",
                        "refresh_token",
                        crate::token::DEVICE_GRANT,
                    ]),
                    scopes: strings(&["openid", "profile", "email", "offline_access"]),
                    require_pkce: true,
                    suspended: false,
                },
                ClientConfig {
                    client_id: "demo-service".into(),
                    client_secret: Some("demo-service-secret".into()),
                    name: "UPBOND Demo Service".into(),
                    redirect_uris: Vec::new(),
                    post_logout_redirect_uris: Vec::new(),
                    grant_types: strings(&["client_credentials"]),
                    scopes: strings(&["api:read", "api:write"]),
                    require_pkce: true,
                    suspended: false,
                },
            ],
            users: vec![
                UserConfig {
                    sub: "usr_01DEMO0000000000000000001".into(),
                    email: "demo-user@example.com".into(),
                    password: "demo-password".into(),
                    email_verified: true,
                    name: "Demo User".into(),
                    given_name: "Demo".into(),
                    family_name: "User".into(),
                },
                UserConfig {
                    sub: "usr_01DEMO0000000000000000002".into(),
                    email: "unverified-user@example.com".into(),
                    password: "demo-password".into(),
                    email_verified: false,
                    name: "Unverified User".into(),
                    given_name: "Unverified".into(),
                    family_name: "User".into(),
                },
            ],
            tokens: TokenConfig::default(),
            device: DeviceConfig::default(),
            rate_limits: RateLimitConfig::default(),
            broken_social_providers: Vec::new(),
            faults: Vec::new(),
            server: ServerConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 10_000,
        }
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            id_token_ttl_secs: 3600,
            code_ttl_secs: 600,
            refresh_rotation: true,
            refresh_returns_refresh_token: true,
            id_token_alg: SigningAlg::RS256,
            access_token_alg: SigningAlg::RS256,
        }
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            code_ttl_secs: 1800,
            interval_secs: 5,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            authentication_per_min: 60,
            token_refresh_per_min: 30,
            user_management_per_min: 100,
            email_per_min: 10,
        }
    }
}

const REDACTED: &str = "<redacted>";

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| REDACTED),
            )
            .field("redirect_uris", &self.redirect_uris)
            .field("grant_types", &self.grant_types)
            .field("scopes", &self.scopes)
            .field("suspended", &self.suspended)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserConfig")
            .field("sub", &self.sub)
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("email_verified", &self.email_verified)
            .finish_non_exhaustive()
    }
}
