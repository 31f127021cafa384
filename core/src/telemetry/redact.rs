//! Redaction by construction: log lines and reports show the shape of requests and
//! responses, and only values of members known to be harmless. Everything else (tokens,
//! secrets, codes, verifiers, passwords, cookies, personal data) becomes `[REDACTED]`.

use serde_json::{Map, Value};

/// Shown in place of a hidden value.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Members whose values are shown: protocol metadata that is never secret.
const SHOWN: &[&str] = &[
    "error",
    "error_description",
    "error_uri",
    "token_type",
    "token_type_hint",
    "expires_in",
    "refresh_expires_in",
    "interval",
    "scope",
    "grant_type",
    "client_id",
    "redirect_uri",
    "response_type",
    "code_challenge_method",
    "issuer",
    "iss",
    "kid",
    "kty",
    "alg",
    "use",
    "crv",
    "sent",
    "email_verified",
];

fn shown(key: &str) -> bool {
    SHOWN.contains(&key)
        || key.ends_with("_endpoint")
        || key.ends_with("_supported")
        || key == "jwks_uri"
}

/// A copy of `value` with every string and number outside [`SHOWN`] members replaced.
pub(crate) fn json(value: &Value) -> Value {
    redact_value(value, false)
}

fn redact_value(value: &Value, visible: bool) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), redact_value(v, shown(k))))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_value(v, visible)).collect())
        }
        Value::String(_) | Value::Number(_) if !visible => Value::String(REDACTED.into()),
        other => other.clone(),
    }
}

/// A form body as `name=value` pairs with hidden values redacted.
pub(crate) fn form(body: &[u8]) -> String {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| {
            let v = if shown(&k) {
                v.into_owned()
            } else {
                REDACTED.into()
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A one-line summary of a body: redacted JSON or form, else only its size and type.
pub(crate) fn body(content_type: Option<&str>, body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".into();
    }
    let media = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media == "application/x-www-form-urlencoded" {
        return form(body);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => crate::error::clean_text(&json(&value).to_string(), 2000),
        Err(_) => format!(
            "({} bytes of {})",
            body.len(),
            if media.is_empty() {
                "unknown type"
            } else {
                &media
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_harmless_members_keep_their_values() {
        let token = json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
            "refresh_token": "rt-1", "id_token": "it-1", "scope": "openid",
            "nested": {"code": 123456, "password": "pw", "error": "x"}, "list": ["a", 1, true]});
        let shown = json(&token).to_string();
        for secret in ["at-1", "rt-1", "it-1", "123456", "pw", "\"a\""] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for kept in ["Bearer", "3600", "openid", "\"error\":\"x\"", "true"] {
            assert!(shown.contains(kept), "{kept} missing from {shown}");
        }
    }

    #[test]
    fn forms_and_other_bodies() {
        let f = form(b"grant_type=refresh_token&refresh_token=rt%2B1&client_id=app");
        assert_eq!(
            f,
            "grant_type=refresh_token&refresh_token=[REDACTED]&client_id=app"
        );
        assert_eq!(
            body(Some("text/html; charset=utf-8"), b"<p>code=abc</p>"),
            "(15 bytes of text/html)"
        );
        assert_eq!(
            body(
                Some("application/x-www-form-urlencoded"),
                b"code=c1&code_verifier=v1"
            ),
            "code=[REDACTED]&code_verifier=[REDACTED]"
        );
        assert_eq!(body(None, b""), "(empty)");
    }
}
