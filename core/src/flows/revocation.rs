//! Token revocation (RFC 7009).

use crate::discovery::ProviderMetadata;
use crate::http::Operation;
use crate::{Client, Error, Secret};

/// Which kind of token is being revoked (a hint for the issuer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token (revoking it usually ends the whole grant).
    RefreshToken,
}

impl Client {
    /// Revokes a token. Unknown or already invalid tokens count as success (RFC 7009
    /// section 2.2).
    pub async fn revoke(&self, token: &Secret, hint: Option<TokenTypeHint>) -> Result<(), Error> {
        let metadata = self.discover().await?;
        let url = ProviderMetadata::require(&metadata.revocation_endpoint, "token revocation")?;
        let mut form = vec![("token", token.expose().to_owned())];
        if let Some(hint) = hint {
            let hint = match hint {
                TokenTypeHint::AccessToken => "access_token",
                TokenTypeHint::RefreshToken => "refresh_token",
            };
            form.push(("token_type_hint", hint.to_owned()));
        }
        self.post_form(url, form, Operation::Revocation)
            .await?
            .into_empty()
    }
}
