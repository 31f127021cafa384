//! OAuth error bodies (RFC 6749 section 5.2, RFC 6750 section 3) and their mapping to [`Error`].

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use serde_json::Value;

use super::{Scrubber, retry_after};
use crate::Error;
use crate::error::Description;

/// The social provider error codes UPBOND documents, with the provider each belongs to.
const SOCIAL_CODES: &[(&str, &str)] = &[
    ("KOE101", "kakao"),
    ("WAE102", "whatsapp"),
    ("WCE102", "wechat"),
    ("TGE102", "telegram"),
];

/// An `error` member with its companions, read leniently from any JSON or parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub error: String,
    pub description: Option<String>,
    pub provider: Option<String>,
    pub scope: Option<String>,
}

impl OAuthError {
    /// Reads a JSON body; `None` when it is not JSON or has no usable `error` member.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Value>(body)
            .ok()
            .as_ref()
            .and_then(Self::from_value)
    }

    /// Reads an object with a non-null `error` member. A non-string error is kept as its JSON
    /// text; a non-string description is ignored.
    pub fn from_value(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        let error = match object.get("error")? {
            Value::Null => return None,
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        if error.is_empty() {
            return None;
        }
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(OAuthError {
            error,
            description: text("error_description").or_else(|| text("message")),
            provider: text("provider"),
            scope: text("scope"),
        })
    }

    /// Reads the `error` parameter of an authorization response (RFC 6749 section 4.1.2.1).
    pub fn from_params<'a>(
        params: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Option<Self> {
        let get = |name: &str| {
            params
                .clone()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        };
        let error = get("error").filter(|e| !e.trim().is_empty())?;
        Some(OAuthError {
            error,
            description: get("error_description"),
            provider: get("provider"),
            scope: None,
        })
    }

    /// Reads `WWW-Authenticate: Bearer error="...", scope="..."` (RFC 6750 section 3).
    pub fn from_www_authenticate(headers: &HeaderMap) -> Option<Self> {
        let header = headers.get(WWW_AUTHENTICATE)?.to_str().ok()?;
        Some(OAuthError {
            error: auth_param(header, "error")?,
            description: auth_param(header, "error_description"),
            provider: None,
            scope: auth_param(header, "scope"),
        })
    }

    /// This error with the secrets of the request it answers removed from its text.
    pub fn scrubbed(self, scrub: &Scrubber) -> Self {
        let text = |s: Option<String>| s.map(|s| scrub.text(&s));
        OAuthError {
            error: scrub.text(&self.error),
            description: text(self.description),
            provider: text(self.provider),
            scope: text(self.scope),
        }
    }

    /// The typed error for this answer. Scope and Retry-After come from the headers.
    pub fn into_error(self, status: StatusCode, headers: &HeaderMap) -> Error {
        let header = Self::from_www_authenticate(headers);
        let scope = (self.scope.clone())
            .or_else(|| header.and_then(|h| h.scope))
            .map(|s| crate::error::clean_text(&s, 300));
        let error = error_from_code(self, Some(status.as_u16()), retry_after::parse(headers));
        match error {
            Error::InsufficientScope { description, .. } => {
                Error::InsufficientScope { scope, description }
            }
            other => other,
        }
    }
}

/// Maps an error code to its variant. `status` is the HTTP status when there was one.
pub(crate) fn error_from_code(
    oauth: OAuthError,
    status: Option<u16>,
    retry_after: Option<std::time::Duration>,
) -> Error {
    let description = Description::new(oauth.description.as_deref()).with_status(status);
    let code = oauth.error.as_str();
    if let Some((code, default_provider)) = SOCIAL_CODES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
    {
        let provider = oauth.provider.map_or_else(
            || (*default_provider).to_owned(),
            |p| crate::error::clean_text(&p, 100),
        );
        return Error::SocialProvider {
            provider,
            code,
            description,
        };
    }
    match code {
        "invalid_request" if mentions_user_code(&description) => {
            Error::InvalidUserCode { description }
        }
        "invalid_request" => Error::InvalidRequest { description },
        "invalid_client" => Error::InvalidClient { description },
        "invalid_grant" => Error::InvalidGrant { description },
        "unauthorized_client" => Error::UnauthorizedClient { description },
        "unsupported_grant_type" => Error::UnsupportedGrantType { description },
        "invalid_scope" => Error::InvalidScope { description },
        "access_denied" => Error::AccessDenied { description },
        "redirect_uri_mismatch" => Error::RedirectUriMismatch { description },
        "login_required"
        | "consent_required"
        | "interaction_required"
        | "account_selection_required" => Error::LoginRequired {
            error: code.to_owned(),
            description,
        },
        "invalid_token" => Error::InvalidToken { description },
        "insufficient_scope" => Error::InsufficientScope {
            scope: oauth.scope.map(|s| crate::error::clean_text(&s, 300)),
            description,
        },
        "expired_token" => Error::DeviceCodeExpired { description },
        "invalid_user_code" => Error::InvalidUserCode { description },
        "rate_limit_exceeded" => Error::RateLimited {
            retry_after,
            description,
        },
        "server_error" | "temporarily_unavailable" => Error::ServerError {
            retry_after,
            description,
        },
        "EMAIL_007" => Error::EmailPasswordRejected { description },
        email if email.starts_with("EMAIL_") => Error::EmailOperationFailed {
            error: email.to_owned(),
            description,
        },
        _ if status == Some(429) => Error::RateLimited {
            retry_after,
            description,
        },
        other => Error::OAuth {
            error: crate::error::clean_text(other, 100),
            status,
            description,
        },
    }
}

fn mentions_user_code(description: &Description) -> bool {
    description
        .text()
        .is_some_and(|t| t.to_ascii_lowercase().contains("user code"))
}

/// The value of one auth-param of a challenge, quoted or not (RFC 9110 section 11.2).
fn auth_param(header: &str, name: &str) -> Option<String> {
    let mut rest = header;
    while let Some(pos) = find_param(rest, name) {
        let after = rest[pos + name.len()..].trim_start();
        let Some(value) = after.strip_prefix('=') else {
            rest = &rest[pos + name.len()..];
            continue;
        };
        let value = value.trim_start();
        return Some(match value.strip_prefix('"') {
            Some(quoted) => unquote(quoted),
            None => value
                .split([',', ' '])
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    None
}

/// Position of `name` at the start of a parameter (after the scheme, a space or a comma).
fn find_param(header: &str, name: &str) -> Option<usize> {
    let mut in_quotes = false;
    let bytes = header.as_bytes();
    for (i, c) in header.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        let at_boundary = i == 0 || matches!(bytes[i - 1], b' ' | b',');
        if !in_quotes && at_boundary && header[i..].starts_with(name) {
            return Some(i);
        }
    }
    None
}

fn unquote(quoted: &str) -> String {
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn reads_www_authenticate_params() {
        let h = headers(&[(
            "www-authenticate",
            r#"Bearer realm="upbond", error="insufficient_scope", scope="openid email", error_description="needs \"email\"""#,
        )]);
        let e = OAuthError::from_www_authenticate(&h).unwrap();
        assert_eq!(e.error, "insufficient_scope");
        assert_eq!(e.scope.as_deref(), Some("openid email"));
        assert_eq!(e.description.as_deref(), Some("needs \"email\""));
        let unquoted = headers(&[("www-authenticate", "Bearer error=invalid_token")]);
        assert_eq!(
            OAuthError::from_www_authenticate(&unquoted).unwrap().error,
            "invalid_token"
        );
        let basic = headers(&[("www-authenticate", r#"Basic realm="x""#)]);
        assert_eq!(OAuthError::from_www_authenticate(&basic), None);
    }

    #[test]
    fn non_string_and_null_members_do_not_crash() {
        let e = OAuthError::from_value(
            &serde_json::json!({"error": 42, "error_description": {"a": 1}}),
        )
        .unwrap();
        assert_eq!(e.error, "42");
        assert_eq!(e.description, None);
        assert_eq!(
            OAuthError::from_value(&serde_json::json!({"error": null})),
            None
        );
        assert_eq!(
            OAuthError::from_value(&serde_json::json!({"error": "  "})),
            None
        );
        assert_eq!(OAuthError::from_value(&serde_json::json!([1, 2])), None);
        let mapped = error_from_code(e, Some(400), None);
        assert_eq!(mapped.code(), "oauth_error");
    }

    #[test]
    fn maps_codes_to_variants() {
        let code = |error: &str, description: Option<&str>| {
            let oauth = OAuthError {
                error: error.into(),
                description: description.map(Into::into),
                provider: None,
                scope: None,
            };
            error_from_code(oauth, Some(400), None).code()
        };
        assert_eq!(
            code("invalid_request", Some("Invalid user code")),
            "invalid_user_code"
        );
        assert_eq!(code("invalid_request", None), "invalid_request");
        assert_eq!(code("koe101", None), "KOE101");
        assert_eq!(
            code("EMAIL_007", Some("Password verification failed")),
            "EMAIL_007"
        );
        assert_eq!(code("EMAIL_003", None), "email_operation_failed");
        assert_eq!(code("temporarily_unavailable", None), "server_error");
        assert_eq!(code("expired_token", None), "expired_token");
        assert_eq!(code("consent_required", None), "login_required");
        assert_eq!(code("something_new", None), "oauth_error");
    }

    #[test]
    fn social_code_names_the_provider() {
        let params = [
            ("error", "WCE102"),
            ("error_description", "domain"),
            ("state", "s"),
        ];
        let oauth = OAuthError::from_params(params.iter().copied()).unwrap();
        match error_from_code(oauth, None, None) {
            Error::SocialProvider { provider, code, .. } => {
                assert_eq!((provider.as_str(), code), ("wechat", "WCE102"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
