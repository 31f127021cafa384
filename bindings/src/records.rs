//! Records and enums that cross the boundary, with their conversions to and from core types.
//! Secrets cross as plain strings: the foreign side owns them from there (the language
//! packages redact them in their own `repr`/`toString`).

use std::time::Duration;

use upbond_core as core;
use upbond_core::Secret;

use crate::UpbondError;

/// What kind of application the client is.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum ClientKind {
    /// A mobile or desktop app (public client).
    Native,
    /// A browser single-page app (public client).
    SinglePage,
    /// A server-side client that keeps a secret.
    Confidential,
}

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum ClientAuthMethod {
    /// HTTP Basic (the default with a secret).
    ClientSecretBasic,
    /// Id and secret in the form body.
    ClientSecretPost,
    /// Public client: only the client ID (the default without a secret). Not `None`, which
    /// would clash with Swift's `Optional.none`.
    NoClientAuth,
}

/// The client configuration; unset fields take core's defaults.
#[derive(uniffi::Record)]
pub struct ClientConfig {
    /// The issuer URL, compared exactly.
    pub issuer: String,
    /// The registered client ID.
    pub client_id: String,
    /// The client secret (confidential clients only).
    #[uniffi(default = None)]
    pub client_secret: Option<String>,
    /// The application kind; unset: confidential with a secret, native without.
    #[uniffi(default = None)]
    pub kind: Option<ClientKind>,
    /// Client authentication; unset: Basic with a secret, none without.
    #[uniffi(default = None)]
    pub auth_method: Option<ClientAuthMethod>,
    /// The redirect URI of the authorization code flow.
    #[uniffi(default = None)]
    pub redirect_uri: Option<String>,
    /// Where the browser returns after logout.
    #[uniffi(default = None)]
    pub post_logout_redirect_uri: Option<String>,
    /// Scopes asked for when a call names none; unset: core's default for the kind.
    #[uniffi(default = None)]
    pub scopes: Option<Vec<String>>,
    /// Time allowed to connect (ms); unset: 10 s.
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<u64>,
    /// Time allowed for a whole request (ms); unset: 30 s.
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<u64>,
    /// Clock difference tolerated in ID token checks (s); unset: 60 s.
    #[uniffi(default = None)]
    pub clock_leeway_secs: Option<u64>,
    /// Attempts per request including retries; unset: 3. `1` turns retries off.
    #[uniffi(default = None)]
    pub max_attempts: Option<u32>,
    /// Whether the client-side rate budgets apply; unset: on.
    #[uniffi(default = None)]
    pub rate_budgets: Option<bool>,
}

impl From<ClientConfig> for core::Config {
    fn from(c: ClientConfig) -> Self {
        let mut config = match c.client_secret {
            Some(secret) => core::Config::confidential(c.issuer, c.client_id, secret),
            None => core::Config::new(c.issuer, c.client_id),
        };
        if let Some(kind) = c.kind {
            config.kind = match kind {
                ClientKind::Native => core::ClientKind::Native,
                ClientKind::SinglePage => core::ClientKind::SinglePage,
                ClientKind::Confidential => core::ClientKind::Confidential,
            };
        }
        config.auth_method = c.auth_method.map(|m| match m {
            ClientAuthMethod::ClientSecretBasic => core::ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost => core::ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::NoClientAuth => core::ClientAuthMethod::None,
        });
        config.redirect_uri = c.redirect_uri;
        config.post_logout_redirect_uri = c.post_logout_redirect_uri;
        if let Some(scopes) = c.scopes {
            config.scopes = scopes;
        }
        if let Some(ms) = c.connect_timeout_ms {
            config.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = c.request_timeout_ms {
            config.request_timeout = Duration::from_millis(ms);
        }
        if let Some(secs) = c.clock_leeway_secs {
            config.clock_leeway = Duration::from_secs(secs);
        }
        if let Some(attempts) = c.max_attempts {
            config.retry.max_attempts = attempts;
        }
        if let Some(enabled) = c.rate_budgets {
            config.rate_budgets.enabled = enabled;
        }
        config
    }
}

/// Claims of a validated ID token.
#[derive(uniffi::Record)]
pub struct IdTokenClaims {
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud`.
    pub audience: Vec<String>,
    /// `exp` (Unix seconds).
    pub expires_at: u64,
    /// `iat` (Unix seconds).
    pub issued_at: u64,
    /// `auth_time` (Unix seconds), when present.
    pub auth_time: Option<u64>,
    /// `nonce`, when present.
    pub nonce: Option<String>,
    /// Every claim as received, as a JSON object.
    pub claims_json: String,
}

impl From<core::IdTokenClaims> for IdTokenClaims {
    fn from(c: core::IdTokenClaims) -> Self {
        IdTokenClaims {
            claims_json: json_object(c.claims),
            issuer: c.issuer,
            subject: c.subject,
            audience: c.audience,
            expires_at: c.expires_at,
            issued_at: c.issued_at,
            auth_time: c.auth_time,
            nonce: c.nonce,
        }
    }
}

impl TryFrom<IdTokenClaims> for core::IdTokenClaims {
    type Error = UpbondError;

    fn try_from(c: IdTokenClaims) -> Result<Self, UpbondError> {
        let claims = serde_json::from_str(&c.claims_json)
            .map_err(|e| core::Error::Config(format!("claims_json is not a JSON object: {e}")))?;
        Ok(core::IdTokenClaims {
            issuer: c.issuer,
            subject: c.subject,
            audience: c.audience,
            expires_at: c.expires_at,
            issued_at: c.issued_at,
            auth_time: c.auth_time,
            nonce: c.nonce,
            claims,
        })
    }
}

fn json_object(map: serde_json::Map<String, serde_json::Value>) -> String {
    serde_json::Value::Object(map).to_string()
}

/// The tokens of one successful grant (token type Bearer).
#[derive(uniffi::Record)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// When the access token expires (Unix seconds), if known.
    pub expires_at: Option<u64>,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// The raw ID token, if any.
    pub id_token: Option<String>,
    /// The validated ID token claims, if there was an ID token.
    pub id_token_claims: Option<IdTokenClaims>,
    /// Granted scopes, when the issuer listed them.
    pub scopes: Option<Vec<String>>,
}

impl From<core::TokenSet> for TokenSet {
    fn from(t: core::TokenSet) -> Self {
        TokenSet {
            access_token: t.access_token.expose().to_owned(),
            expires_at: t.expires_at,
            refresh_token: t.refresh_token.map(reveal),
            id_token: t.id_token.map(reveal),
            id_token_claims: t.id_token_claims.map(IdTokenClaims::from),
            scopes: t.scopes,
        }
    }
}

impl TryFrom<TokenSet> for core::TokenSet {
    type Error = UpbondError;

    fn try_from(t: TokenSet) -> Result<Self, UpbondError> {
        Ok(core::TokenSet {
            access_token: Secret::from(t.access_token),
            token_type: core::TokenType::Bearer,
            expires_at: t.expires_at,
            refresh_token: t.refresh_token.map(Secret::from),
            id_token: t.id_token.map(Secret::from),
            id_token_claims: t.id_token_claims.map(TryInto::try_into).transpose()?,
            scopes: t.scopes,
        })
    }
}

fn reveal(secret: Secret) -> String {
    secret.expose().to_owned()
}

/// A social login provider to go straight to.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum SocialProvider {
    /// Kakao.
    Kakao,
    /// WhatsApp.
    Whatsapp,
    /// WeChat.
    Wechat,
    /// Telegram.
    Telegram,
    /// LINE.
    Line,
    /// Google.
    Google,
}

impl From<SocialProvider> for core::SocialProvider {
    fn from(p: SocialProvider) -> Self {
        match p {
            SocialProvider::Kakao => core::SocialProvider::Kakao,
            SocialProvider::Whatsapp => core::SocialProvider::Whatsapp,
            SocialProvider::Wechat => core::SocialProvider::Wechat,
            SocialProvider::Telegram => core::SocialProvider::Telegram,
            SocialProvider::Line => core::SocialProvider::Line,
            SocialProvider::Google => core::SocialProvider::Google,
        }
    }
}

/// Options of one authorization request.
#[derive(uniffi::Record)]
pub struct AuthorizationOptions {
    /// Scopes; empty: the configured ones.
    #[uniffi(default = [])]
    pub scopes: Vec<String>,
    /// Go straight to this social provider.
    #[uniffi(default = None)]
    pub provider: Option<SocialProvider>,
    /// Pre-fill the user's identifier.
    #[uniffi(default = None)]
    pub login_hint: Option<String>,
    /// `prompt`: `login`, `consent`, `none`, `select_account`.
    #[uniffi(default = None)]
    pub prompt: Option<String>,
    /// More query parameters (they may not replace the ones the library sets).
    #[uniffi(default = [])]
    pub extra_params: Vec<Vec<String>>,
}

impl TryFrom<AuthorizationOptions> for core::AuthorizationOptions {
    type Error = UpbondError;

    fn try_from(o: AuthorizationOptions) -> Result<Self, UpbondError> {
        let extra_params = o
            .extra_params
            .into_iter()
            .map(|pair| match <[String; 2]>::try_from(pair) {
                Ok([name, value]) => Ok((name, value)),
                Err(_) => Err(core::Error::Config(
                    "each extra parameter must be a [name, value] pair".into(),
                )),
            })
            .collect::<Result<_, _>>()?;
        Ok(core::AuthorizationOptions {
            scopes: o.scopes,
            provider: o.provider.map(Into::into),
            login_hint: o.login_hint,
            prompt: o.prompt,
            extra_params,
        })
    }
}

/// The state of an authorization between the browser and the callback. It holds the PKCE
/// verifier: store it privately (see [`pending_authorization_to_json`]).
#[derive(uniffi::Record)]
pub struct PendingAuthorization {
    /// The `state` sent.
    pub state: String,
    /// The `nonce` sent.
    pub nonce: String,
    /// The PKCE code verifier.
    pub code_verifier: String,
    /// The redirect URI used.
    pub redirect_uri: String,
    /// The issuer the request went to.
    pub issuer: String,
    /// The client that made it.
    pub client_id: String,
}

impl From<core::PendingAuthorization> for PendingAuthorization {
    fn from(p: core::PendingAuthorization) -> Self {
        PendingAuthorization {
            code_verifier: reveal(p.code_verifier),
            state: p.state,
            nonce: p.nonce,
            redirect_uri: p.redirect_uri,
            issuer: p.issuer,
            client_id: p.client_id,
        }
    }
}

impl From<PendingAuthorization> for core::PendingAuthorization {
    fn from(p: PendingAuthorization) -> Self {
        core::PendingAuthorization {
            code_verifier: Secret::from(p.code_verifier),
            state: p.state,
            nonce: p.nonce,
            redirect_uri: p.redirect_uri,
            issuer: p.issuer,
            client_id: p.client_id,
        }
    }
}

/// The pending authorization as JSON (core's format, the same in every language), to keep
/// across process death.
#[uniffi::export]
pub fn pending_authorization_to_json(pending: PendingAuthorization) -> String {
    // A struct of strings always serialises.
    serde_json::to_string(&core::PendingAuthorization::from(pending)).unwrap_or_default()
}

/// Reads a pending authorization written by [`pending_authorization_to_json`].
#[uniffi::export]
pub fn pending_authorization_from_json(json: String) -> Result<PendingAuthorization, UpbondError> {
    Ok(core::PendingAuthorization::from_json(&json)?.into())
}

/// A started device authorization.
#[derive(uniffi::Record)]
pub struct DeviceAuthorization {
    /// The device code.
    pub device_code: String,
    /// The code the user types.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
    /// A URI that already contains the code, when offered.
    pub verification_uri_complete: Option<String>,
    /// When the device code expires (Unix seconds).
    pub expires_at: u64,
    /// The initial polling interval (seconds).
    pub interval_secs: u64,
}

impl From<core::DeviceAuthorization> for DeviceAuthorization {
    fn from(d: core::DeviceAuthorization) -> Self {
        DeviceAuthorization {
            device_code: reveal(d.device_code),
            user_code: d.user_code,
            verification_uri: d.verification_uri,
            verification_uri_complete: d.verification_uri_complete,
            expires_at: d.expires_at,
            interval_secs: d.interval.as_secs(),
        }
    }
}

impl From<DeviceAuthorization> for core::DeviceAuthorization {
    fn from(d: DeviceAuthorization) -> Self {
        core::DeviceAuthorization {
            device_code: Secret::from(d.device_code),
            user_code: d.user_code,
            verification_uri: d.verification_uri,
            verification_uri_complete: d.verification_uri_complete,
            expires_at: d.expires_at,
            interval: Duration::from_secs(d.interval_secs),
        }
    }
}

/// Normalises a user-typed code: `" abcd efgh"` becomes `"ABCD-EFGH"`.
#[uniffi::export]
pub fn normalize_user_code(input: String) -> Result<String, UpbondError> {
    Ok(core::normalize_user_code(&input)?)
}

/// Claims about the signed-in user.
#[derive(uniffi::Record)]
pub struct UserInfo {
    /// `sub`.
    pub subject: String,
    /// `email`, when released.
    pub email: Option<String>,
    /// `email_verified`, when released.
    pub email_verified: Option<bool>,
    /// `name`, when released.
    pub name: Option<String>,
    /// Every claim as received, as a JSON object.
    pub claims_json: String,
}

impl From<core::UserInfo> for UserInfo {
    fn from(u: core::UserInfo) -> Self {
        UserInfo {
            claims_json: json_object(u.claims),
            subject: u.subject,
            email: u.email,
            email_verified: u.email_verified,
            name: u.name,
        }
    }
}

/// Which token a revocation names.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

impl From<TokenTypeHint> for core::TokenTypeHint {
    fn from(h: TokenTypeHint) -> Self {
        match h {
            TokenTypeHint::AccessToken => core::TokenTypeHint::AccessToken,
            TokenTypeHint::RefreshToken => core::TokenTypeHint::RefreshToken,
        }
    }
}

/// Options of a logout URL.
#[derive(uniffi::Record)]
pub struct LogoutOptions {
    /// The ID token of the session being ended (recommended).
    #[uniffi(default = None)]
    pub id_token_hint: Option<String>,
    /// Where to return; overrides the configured one.
    #[uniffi(default = None)]
    pub post_logout_redirect_uri: Option<String>,
    /// Opaque value returned to the post-logout redirect.
    #[uniffi(default = None)]
    pub state: Option<String>,
}

impl From<LogoutOptions> for core::LogoutOptions {
    fn from(o: LogoutOptions) -> Self {
        core::LogoutOptions {
            id_token_hint: o.id_token_hint.map(Secret::from),
            post_logout_redirect_uri: o.post_logout_redirect_uri,
            state: o.state,
        }
    }
}
