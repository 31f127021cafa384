//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

use url::Url;

use crate::discovery::ProviderMetadata;
use crate::{Client, Error, Secret};

/// Options of a logout URL. `Default` uses the configured post-logout redirect.
#[derive(Clone, Debug, Default)]
pub struct LogoutOptions {
    /// The ID token of the session being ended (recommended).
    pub id_token_hint: Option<Secret>,
    /// Where to return; overrides the configured `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: Option<String>,
    /// Opaque value returned to the post-logout redirect.
    pub state: Option<String>,
}

impl Client {
    /// The URL to open in the browser to end the session at the issuer.
    pub async fn logout_url(&self, options: LogoutOptions) -> Result<Url, Error> {
        let metadata = self.discover().await?;
        let endpoint =
            ProviderMetadata::require(&metadata.end_session_endpoint, "RP-initiated logout")?;
        if let Some(uri) = &options.post_logout_redirect_uri {
            self.config()
                .validate_redirect("post_logout_redirect_uri", uri)?;
        }
        let redirect = options
            .post_logout_redirect_uri
            .or_else(|| self.config().post_logout_redirect_uri.clone());
        let mut url = endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.config().client_id);
            if let Some(hint) = &options.id_token_hint {
                query.append_pair("id_token_hint", hint.expose());
            }
            if let Some(redirect) = &redirect {
                query.append_pair("post_logout_redirect_uri", redirect);
            }
            if let Some(state) = &options.state {
                query.append_pair("state", state);
            }
        }
        Ok(url)
    }
}
