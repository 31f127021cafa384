//! Refresh token grant (RFC 6749 section 6).

use crate::{Client, Error, IdTokenErrorReason, Secret, TokenSet};

/// A refresh whose answer was refused, with the refresh token that answer carried: the
/// issuer may have rotated (spent) the one sent, so a session keeps this one.
pub(crate) struct RefusedRefresh {
    pub error: Error,
    pub refresh_token: Option<Secret>,
}

impl Client {
    /// Exchanges a refresh token for new tokens. When the answer carries no (or an empty)
    /// refresh token, the old one is kept in the result.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, Error> {
        self.refresh_for(refresh_token, None)
            .await
            .map_err(|refused| refused.error)
    }

    /// [`Client::refresh`] for a session signed in as `subject`: an ID token naming another
    /// user is refused (OIDC Core 12.2). A refused answer's refresh token is handed back,
    /// except with another user's ID token.
    pub(crate) async fn refresh_for(
        &self,
        refresh_token: &Secret,
        subject: Option<&str>,
    ) -> Result<TokenSet, RefusedRefresh> {
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose().to_owned()),
        ];
        let refused = |error, refresh_token| RefusedRefresh {
            error,
            refresh_token,
        };
        let response = self
            .token_endpoint(form)
            .await
            .map_err(|e| refused(e, None))?;
        let issued = response.refresh_token();
        let mut tokens = self
            .token_set(response, None)
            .await
            .map_err(|e| refused(e, issued))?;
        let claims = tokens.id_token_claims.as_ref();
        if let (Some(expected), Some(claims)) = (subject, claims)
            && claims.subject != expected
        {
            let mismatch = Error::id_token(IdTokenErrorReason::SubjectMismatch, "");
            return Err(refused(mismatch, None));
        }
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }
}
