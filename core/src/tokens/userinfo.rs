//! The userinfo response (OpenID Connect Core section 5.3), as JSON or a signed JWT.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Error, json};

/// Claims about the signed-in user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// `sub`: the user's stable identifier.
    pub subject: String,
    /// `email`, when released.
    pub email: Option<String>,
    /// `email_verified`, when released (also read from "true"/"false" strings).
    pub email_verified: Option<bool>,
    /// `name`, when released.
    pub name: Option<String>,
    /// Every claim as received.
    pub claims: Map<String, Value>,
}

impl UserInfo {
    /// Reads the claims; `sub` must be a non-empty string and, when `expected_subject` is
    /// given, equal to it.
    pub(crate) fn from_claims(
        claims: Value,
        expected_subject: Option<&str>,
    ) -> Result<Self, Error> {
        let subject = json::string(&claims, "sub")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Protocol("the userinfo response has no sub".into()))?;
        if expected_subject.is_some_and(|expected| expected != subject) {
            return Err(Error::UserInfoSubjectMismatch);
        }
        let Value::Object(map) = &claims else {
            return Err(Error::Protocol(
                "the userinfo response is not an object".into(),
            ));
        };
        Ok(UserInfo {
            email: json::string(&claims, "email"),
            email_verified: json::boolean(&claims, "email_verified"),
            name: json::string(&claims, "name"),
            claims: map.clone(),
            subject,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subject_checked_and_members_lenient() {
        let claims = json!({"sub": "usr_1", "email_verified": "true", "name": null, "x": [1]});
        let info = UserInfo::from_claims(claims.clone(), Some("usr_1")).unwrap();
        assert_eq!(info.email_verified, Some(true));
        assert_eq!(info.name, None);
        let err = UserInfo::from_claims(claims, Some("usr_2")).unwrap_err();
        assert_eq!(err.code(), "userinfo_subject_mismatch");
        assert_eq!(
            UserInfo::from_claims(json!({"sub": 1}), None)
                .unwrap_err()
                .code(),
            "protocol_error"
        );
    }
}
