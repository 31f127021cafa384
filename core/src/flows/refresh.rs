//! Refresh token grant (RFC 6749 section 6).

use crate::{Client, Error, Secret, TokenSet};

impl Client {
    /// Exchanges a refresh token for new tokens. When the answer carries no (or an empty)
    /// refresh token, the old one is kept in the result.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, Error> {
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose().to_owned()),
        ];
        let response = self.token_endpoint(form).await?;
        let mut tokens = self.token_set(response, None).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }
}
