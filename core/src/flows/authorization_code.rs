//! Authorization code flow with PKCE (RFC 6749 section 4.1, RFC 7636, RFC 9207).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use super::pkce;
use crate::discovery::ProviderMetadata;
use crate::http::{OAuthError, error_from_code};
use crate::{Client, Error, Secret, TokenSet};

/// Parameters the library sets itself; extra parameters may not override them.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "provider",
    "login_hint",
    "prompt",
];

/// A social login provider UPBOND can send the user to directly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

impl SocialProvider {
    /// The value of the `provider` parameter.
    pub fn as_str(&self) -> &'static str {
        match self {
            SocialProvider::Kakao => "kakao",
            SocialProvider::Whatsapp => "whatsapp",
            SocialProvider::Wechat => "wechat",
            SocialProvider::Telegram => "telegram",
            SocialProvider::Line => "line",
            SocialProvider::Google => "google",
        }
    }
}

impl fmt::Display for SocialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SocialProvider {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let all = [
            Self::Kakao,
            Self::Whatsapp,
            Self::Wechat,
            Self::Telegram,
            Self::Line,
            Self::Google,
        ];
        all.into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::Config(format!("unknown social provider {s:?}")))
    }
}

/// Options of one authorization request. `Default` asks for the configured scopes.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationOptions {
    /// Scopes for this request; empty means the configured ones.
    pub scopes: Vec<String>,
    /// Go straight to this social provider.
    pub provider: Option<SocialProvider>,
    /// Pre-fill the user's identifier (email or phone).
    pub login_hint: Option<String>,
    /// `prompt`: `login`, `consent`, `none`, `select_account`.
    pub prompt: Option<String>,
    /// More query parameters; they may not replace the ones the library sets.
    pub extra_params: Vec<(String, String)>,
}

/// The state of an authorization between the browser and the callback. Serialise it to
/// survive process death; it contains the PKCE verifier, so store it privately.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// The `state` sent; the callback must return it.
    pub state: String,
    /// The `nonce` sent, empty when the scope lacks `openid` (an OAuth-only request). When
    /// set, the token response must carry an ID token with this nonce.
    pub nonce: String,
    /// The PKCE code verifier (redacted in `Debug`).
    pub code_verifier: Secret,
    /// The redirect URI used.
    pub redirect_uri: String,
    /// The issuer the request went to.
    pub issuer: String,
    /// The client that made it.
    pub client_id: String,
}

impl PendingAuthorization {
    /// Reads a request serialised with serde (as JSON). A malformed text is an
    /// [`Error::Storage`] naming the field and position; it never repeats the text's values.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        crate::json::from_text(text, "pending authorization")
    }
}

impl Client {
    /// Builds the authorization URL to open in the browser, and the pending request to keep
    /// until the callback arrives.
    pub async fn begin_authorization(
        &self,
        options: AuthorizationOptions,
    ) -> Result<(Url, PendingAuthorization), Error> {
        let config = self.config();
        let redirect_uri = config.redirect_uri.clone().ok_or_else(|| {
            Error::Config("the authorization code flow needs a redirect_uri".into())
        })?;
        if let Some((name, _)) = options
            .extra_params
            .iter()
            .find(|(k, _)| RESERVED.contains(&k.as_str()))
        {
            return Err(Error::Config(format!(
                "extra parameter {name:?} is set by the library"
            )));
        }
        let metadata = self.discover().await?;
        let methods = &metadata.code_challenge_methods_supported;
        if !methods.is_empty() && !methods.iter().any(|m| m == "S256") {
            return Err(Error::NotSupported("PKCE with S256"));
        }
        let endpoint = ProviderMetadata::require(
            &metadata.authorization_endpoint,
            "an authorization endpoint",
        )?;
        let scopes: Vec<&str> = options.scopes.iter().map(String::as_str).collect();
        let scope = self.scope_param(&scopes);
        let openid = scope.split(' ').any(|s| s == "openid");
        let pending = PendingAuthorization {
            state: pkce::random_value()?,
            nonce: if openid {
                pkce::random_value()?
            } else {
                String::new()
            },
            code_verifier: pkce::verifier()?,
            redirect_uri,
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
        };
        let mut url = endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &config.client_id)
                .append_pair("redirect_uri", &pending.redirect_uri)
                .append_pair("scope", &scope)
                .append_pair("state", &pending.state);
            if openid {
                query.append_pair("nonce", &pending.nonce);
            }
            query
                .append_pair("code_challenge", &pkce::challenge(&pending.code_verifier))
                .append_pair("code_challenge_method", "S256");
            let optional = [
                (
                    "provider",
                    options.provider.as_ref().map(SocialProvider::as_str),
                ),
                ("login_hint", options.login_hint.as_deref()),
                ("prompt", options.prompt.as_deref()),
            ];
            for (name, value) in optional {
                if let Some(value) = value {
                    query.append_pair(name, value);
                }
            }
            for (name, value) in &options.extra_params {
                query.append_pair(name, value);
            }
        }
        Ok((url, pending))
    }

    /// Completes the flow with the URL the browser was redirected to: checks `state` (in
    /// constant time) and `iss` (RFC 9207), maps error redirects, exchanges the code and
    /// validates the ID token.
    pub async fn complete_authorization(
        &self,
        pending: &PendingAuthorization,
        callback_url: &str,
    ) -> Result<TokenSet, Error> {
        let config = self.config();
        if pending.issuer != config.issuer || pending.client_id != config.client_id {
            return Err(Error::Config(
                "the pending authorization belongs to another issuer or client".into(),
            ));
        }
        let callback = Url::parse(callback_url)
            .map_err(|e| Error::Protocol(format!("the callback URL is not a valid URL: {e}")))?;
        let params: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
        // RFC 6749 section 3.1: no parameter may appear twice; a second `state`, `code` or
        // `iss` is an injection attempt, so none of them is picked.
        for name in ["state", "code", "iss", "error"] {
            if params.iter().filter(|(k, _)| k == name).count() > 1 {
                return Err(Error::Protocol(format!(
                    "the callback repeats the {name} parameter"
                )));
            }
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let state = param("state").unwrap_or_default();
        if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
            return Err(Error::StateMismatch);
        }
        let metadata = self.discover().await?;
        match param("iss") {
            Some(iss) if iss != metadata.issuer => {
                return Err(Error::issuer_mismatch(&metadata.issuer, iss));
            }
            None if metadata.authorization_response_iss_parameter_supported => {
                return Err(Error::Protocol(
                    "the callback lacks the iss parameter the issuer promised".into(),
                ));
            }
            _ => {}
        }
        let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        if let Some(error) = OAuthError::from_params(pairs) {
            return Err(error_from_code(error, None, None));
        }
        let code = param("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::Protocol("the callback has neither code nor error".into()))?;
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", pending.redirect_uri.clone()),
            ("code_verifier", pending.code_verifier.expose().to_owned()),
        ];
        let response = self.token_endpoint(form).await?;
        let nonce = Some(pending.nonce.as_str()).filter(|n| !n.is_empty());
        let tokens = self.token_set(response, nonce).await?;
        if nonce.is_some() && tokens.id_token.is_none() {
            // OIDC Core 3.1.3.3: without it, nothing says who signed in.
            return Err(Error::Protocol(
                "the token response has no ID token, although the openid scope was requested"
                    .into(),
            ));
        }
        Ok(tokens)
    }
}
