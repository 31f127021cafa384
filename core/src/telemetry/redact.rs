//! Redaction by construction: log lines and reports show the shape of requests and
//! responses, and only values of members known to be harmless. Everything else (tokens,
//! secrets, codes, verifiers, passwords, cookies, personal data) becomes `[REDACTED]`.
//! Free text (error descriptions, body excerpts) loses its JWT-shaped values.

use std::borrow::Cow;

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
    let media = media_type(content_type);
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

/// The values a log line hides in a form or JSON request body: the secrets it carries.
pub(crate) fn hidden_values(content_type: Option<&str>, body: &[u8]) -> Vec<String> {
    if media_type(content_type) == "application/x-www-form-urlencoded" {
        return url::form_urlencoded::parse(body)
            .filter(|(k, _)| !shown(k))
            .map(|(_, v)| v.into_owned())
            .collect();
    }
    let mut found = Vec::new();
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        collect_hidden(&value, false, &mut found);
    }
    found
}

fn collect_hidden(value: &Value, visible: bool, found: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                collect_hidden(v, shown(k), found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_hidden(v, visible, found)),
        Value::String(s) if !visible => found.push(s.clone()),
        _ => {}
    }
}

fn media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `text` with every JWT-shaped value replaced by [`REDACTED`]: a run of base64url characters
/// and dots that starts with `eyJ` (a Base64 JSON header) and has at least three segments
/// (JWS, unsecured JWT and JWE compact forms).
pub(crate) fn jwts(text: &str) -> Cow<'_, str> {
    if !text.contains("eyJ") {
        return Cow::Borrowed(text);
    }
    let in_run = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        let after = &rest[start..];
        let len = after.find(|c| !in_run(c)).unwrap_or(after.len());
        let run = &after[..len];
        let mut segments = run.split('.');
        let is_jwt = run.matches('.').count() >= 2
            && segments.next().is_some_and(|s| !s.is_empty())
            && segments.next().is_some_and(|s| !s.is_empty());
        out.push_str(&rest[..start]);
        out.push_str(if is_jwt { REDACTED } else { run });
        rest = &after[len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
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

    #[test]
    fn hidden_values_are_the_secrets_of_a_request() {
        let form = b"grant_type=refresh_token&refresh_token=rt%2B1&client_id=app";
        let content_type = Some("application/x-www-form-urlencoded");
        assert_eq!(hidden_values(content_type, form), ["rt+1"]);
        let body =
            br#"{"new_email":"a@b.example","current_password":"pw","scope":"x","n":[1,"c"]}"#;
        let mut found = hidden_values(Some("application/json"), body);
        found.sort();
        assert_eq!(found, ["a@b.example", "c", "pw"]);
        assert!(hidden_values(None, b"<html>").is_empty());
    }

    #[test]
    fn jwt_shaped_values_are_redacted() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln-_";
        let text = format!("token {jwt}, unsecured \"eyJhbGciOiJub25lIn0.e30.\" end");
        assert_eq!(
            jwts(&text),
            "token [REDACTED], unsecured \"[REDACTED]\" end"
        );
        let jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d";
        assert_eq!(jwts(jwe), REDACTED);
        for kept in [
            "login.example.com v1.2.3",
            "eyJ only",
            "eyJhbGc.single",
            "a.eyJ",
        ] {
            assert_eq!(jwts(kept), kept);
        }
    }
}
