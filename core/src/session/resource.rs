//! Reading a resource server's refusal of an access token (RFC 6750 section 3).

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};

use crate::http::OAuthError;
use crate::{Description, Error};

/// The typed error for a resource server's answer, from its HTTP status and its
/// `WWW-Authenticate` header: [`Error::InvalidToken`] (any 401), [`Error::InsufficientScope`]
/// with the needed `scope`, or another OAuth error named by the challenge. `None` when the
/// answer is no token refusal. Use it inside [`Session::authorized_request`](super::Session)
/// closures.
pub fn bearer_error(status: u16, www_authenticate: Option<&str>) -> Option<Error> {
    let status = StatusCode::from_u16(status).ok()?;
    if status.is_success() {
        return None;
    }
    let mut headers = HeaderMap::new();
    if let Some(value) = www_authenticate.and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(WWW_AUTHENTICATE, value);
    }
    match OAuthError::from_www_authenticate(&headers) {
        Some(challenge) => Some(challenge.into_error(status, &headers)),
        None if status == StatusCode::UNAUTHORIZED => Some(Error::InvalidToken {
            description: Description::default(),
        }),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_challenges() {
        let scope = bearer_error(
            403,
            Some(r#"Bearer error="insufficient_scope", scope="email:write""#),
        );
        assert!(matches!(
            scope,
            Some(Error::InsufficientScope { scope: Some(s), .. }) if s == "email:write"
        ));
        let invalid = bearer_error(401, Some(r#"Bearer error="invalid_token""#));
        assert_eq!(invalid.unwrap().code(), "invalid_token");
        assert_eq!(bearer_error(401, None).unwrap().code(), "invalid_token");
        assert_eq!(
            bearer_error(401, Some("Basic realm=\"x\"")).unwrap().code(),
            "invalid_token"
        );
        assert!(bearer_error(200, None).is_none());
        assert!(bearer_error(500, None).is_none());
        assert!(bearer_error(1000, None).is_none());
    }
}
