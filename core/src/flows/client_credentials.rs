//! Client credentials grant (RFC 6749 section 4.4).

use crate::config::ClientKind;
use crate::{Client, Error, TokenSet};

impl Client {
    /// Gets a token for the client itself. Needs a confidential client with a secret;
    /// empty `scopes` means the configured ones.
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<TokenSet, Error> {
        let config = self.config();
        if config.kind != ClientKind::Confidential || config.client_secret.is_none() {
            return Err(Error::Config(
                "client_credentials needs a confidential client with a client_secret".into(),
            ));
        }
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        let scope = self.scope_param(scopes);
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        let response = self.token_endpoint(form).await?;
        self.token_set(response, None).await
    }
}
