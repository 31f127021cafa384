//! Request parameters from a query string, a form body or a JSON body, and a JSON extractor
//! whose rejections are OAuth errors.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::errors::OAuthError;

/// Flat string parameters. Empty values count as absent (RFC 6749 3.1); a repeated parameter
/// is an `invalid_request`.
#[derive(Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text.
    pub fn from_form(text: &[u8]) -> Result<Params, OAuthError> {
        let mut map = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(text) {
            if value.is_empty() {
                continue;
            }
            if map.insert(key.to_string(), value.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "Parameter {key} is repeated"
                )));
            }
        }
        Ok(Params(map))
    }

    /// Parses a JSON object whose members are strings, numbers or booleans.
    pub fn from_json(body: &[u8]) -> Result<Params, OAuthError> {
        let Members(members) = serde_json::from_slice(body)
            .map_err(|_| OAuthError::invalid_request("The body is not a JSON object"))?;
        let mut map = HashMap::new();
        for (key, value) in members {
            let text = match value {
                Value::Null => continue,
                Value::String(s) if s.is_empty() => continue,
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(OAuthError::invalid_request(format!(
                        "Parameter {key} must be a string"
                    )));
                }
            };
            if map.contains_key(&key) {
                return Err(OAuthError::invalid_request(format!(
                    "Parameter {key} is repeated"
                )));
            }
            map.insert(key, text);
        }
        Ok(Params(map))
    }

    /// Parses a body by its content type (form when none is given).
    pub fn from_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params::default());
        }
        match essence {
            "application/json" => Params::from_json(body),
            "application/x-www-form-urlencoded" => Params::from_form(body),
            "" => Params::from_form(body),
            other => Err(OAuthError::invalid_request(format!(
                "Unsupported content type {other}"
            ))),
        }
    }

    /// A parameter, if present and non-empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// A required parameter.
    pub fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key)
            .ok_or_else(|| OAuthError::invalid_request(format!("Missing parameter {key}")))
    }
}

/// The members of a JSON object in order, repeated names included (a `serde_json::Map`
/// silently keeps the last one).
struct Members(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Form or JSON body parameters.
pub struct Body(pub Params);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await?;
        Params::from_body(&headers, &bytes).map(Body)
    }
}

/// Query string parameters.
pub struct Query(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = OAuthError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Params::from_form(parts.uri.query().unwrap_or("").as_bytes()).map(Query)
    }
}

/// `axum::Json` with OAuth error rejections.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(OAuthError))]
pub struct Json<T>(pub T);

/// `axum::extract::Path` with OAuth error rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(OAuthError))]
pub struct Path<T>(pub T);

/// The `Authorization: Bearer` token, if the header has that scheme.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether the caller prefers JSON over HTML (`Accept` mentions JSON).
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}
