//! Token endpoint responses, read leniently (RFC 6749 section 5.1).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tokens::id_token::IdTokenClaims;
use crate::{Error, Secret, json};

/// How the access token is presented. Only Bearer (RFC 6750) is supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    /// `Authorization: Bearer <token>`.
    Bearer,
}

/// The tokens of one successful grant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// Its type.
    pub token_type: TokenType,
    /// When the access token expires (Unix seconds), if known from `expires_in` or its `exp`.
    pub expires_at: Option<u64>,
    /// The refresh token, if any.
    pub refresh_token: Option<Secret>,
    /// The raw ID token, if any.
    pub id_token: Option<Secret>,
    /// The validated claims of the ID token.
    pub id_token_claims: Option<IdTokenClaims>,
    /// Granted scopes, when the issuer listed them.
    pub scopes: Option<Vec<String>>,
}

impl TokenSet {
    /// Time left until the access token expires (zero when expired), if known.
    pub fn expires_in(&self) -> Option<Duration> {
        let now = crate::http::now_unix();
        self.expires_at
            .map(|at| Duration::from_secs(at.saturating_sub(now)))
    }

    /// Reads a token response. `now` is the current local Unix time and `skew` the server
    /// clock minus the local one (seconds), used to turn a JWT `exp` into local time. The ID
    /// token is not validated here; the client does that next.
    pub(crate) fn from_json(value: &Value, now: u64, skew: i64) -> Result<TokenSet, Error> {
        if !value.is_object() {
            return Err(Error::Protocol(
                "the token response is not a JSON object".into(),
            ));
        }
        let access_token = json::string(value, "access_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::Protocol("the token response has no access_token".into()))?;
        let token_type = match value.get("token_type") {
            None | Some(Value::Null) => TokenType::Bearer,
            Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => TokenType::Bearer,
            Some(other) => {
                let shown = other
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| other.to_string());
                return Err(Error::UnsupportedTokenType(crate::error::clean_text(
                    &shown, 40,
                )));
            }
        };
        let expires_at = json::seconds(value, "expires_in")
            .map(|s| now.saturating_add(s))
            .or_else(|| jwt_exp(&access_token).map(|exp| exp.saturating_add_signed(-skew)));
        let present = |name| {
            json::string(value, name)
                .filter(|t| !t.is_empty())
                .map(Secret::new)
        };
        let scopes = match value.get("scope") {
            Some(Value::String(_) | Value::Array(_)) => Some(json::strings(value, "scope")),
            _ => None,
        };
        Ok(TokenSet {
            access_token: Secret::new(access_token),
            token_type,
            expires_at,
            refresh_token: present("refresh_token"),
            id_token: present("id_token"),
            id_token_claims: None,
            scopes,
        })
    }
}

/// The `exp` of a JWT access token, read without verification: only an expiry hint.
fn jwt_exp(token: &str) -> Option<u64> {
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
    json::seconds(&claims, "exp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_700_000_000;

    fn parse(value: Value) -> Result<TokenSet, Error> {
        TokenSet::from_json(&value, NOW, 0)
    }

    #[test]
    fn expires_in_as_number_string_or_missing() {
        let t =
            parse(json!({"access_token": "a", "token_type": "Bearer", "expires_in": 60})).unwrap();
        assert_eq!(t.expires_at, Some(NOW + 60));
        let t = parse(json!({"access_token": "a", "token_type": "bearer", "expires_in": "90"}))
            .unwrap();
        assert_eq!(t.expires_at, Some(NOW + 90));
        let t = parse(json!({"access_token": "a", "token_type": "BEARER", "expires_in": null}))
            .unwrap();
        assert_eq!(t.expires_at, None);
        let t = parse(json!({"access_token": "a", "expires_in": {"x": 1}})).unwrap();
        assert_eq!((t.expires_at, t.token_type), (None, TokenType::Bearer));
    }

    #[test]
    fn missing_expires_in_falls_back_to_jwt_exp() {
        // header {"alg":"none"} . payload {"exp":1700000500} . no signature
        let jwt = "eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDA1MDB9.";
        let t = parse(json!({"access_token": jwt, "token_type": "Bearer"})).unwrap();
        assert_eq!(t.expires_at, Some(1_700_000_500));
        // A server clock 100 s ahead: its exp is 100 s earlier on the local clock.
        let t = TokenSet::from_json(&json!({"access_token": jwt}), NOW, 100).unwrap();
        assert_eq!(t.expires_at, Some(1_700_000_400));
    }

    #[test]
    fn unknown_token_type_is_a_clear_error() {
        let e = parse(json!({"access_token": "a", "token_type": "DPoP"})).unwrap_err();
        assert_eq!(e.code(), "unsupported_token_type");
        assert!(e.message().contains("DPoP"));
        let e = parse(json!({"access_token": "a", "token_type": 7})).unwrap_err();
        assert_eq!(e.code(), "unsupported_token_type");
    }

    #[test]
    fn nulls_empties_and_unknown_members() {
        let t = parse(
            json!({"access_token": "a", "token_type": "Bearer", "refresh_token": "",
                             "id_token": null, "scope": "openid email", "x": [1, {"y": null}]}),
        )
        .unwrap();
        assert_eq!(t.refresh_token, None);
        assert_eq!(t.id_token, None);
        assert_eq!(t.scopes, Some(vec!["openid".into(), "email".into()]));
        assert_eq!(
            parse(json!({"token_type": "Bearer"})).unwrap_err().code(),
            "protocol_error"
        );
        assert_eq!(
            parse(json!({"access_token": 5})).unwrap_err().code(),
            "protocol_error"
        );
        assert_eq!(parse(json!("str")).unwrap_err().code(), "protocol_error");
    }

    #[test]
    fn token_sets_survive_storage() {
        let t = parse(json!({"access_token": "a", "refresh_token": "r", "expires_in": 5})).unwrap();
        let stored = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<TokenSet>(&stored).unwrap(), t);
    }

    #[test]
    fn debug_output_hides_tokens() {
        let t = parse(
            json!({"access_token": "at-secret", "refresh_token": "rt-secret",
                             "id_token": "it-secret"}),
        )
        .unwrap();
        let debug = format!("{t:?}");
        assert!(!debug.contains("secret"), "{debug}");
    }
}
