//! [`Scrubber`]: the secrets one request carries, removed from whatever the server says back
//! before that text becomes part of an error or a log line.
//!
//! A misbehaving server (or proxy) may echo the request in its error: the client secret, the
//! authorization code, the PKCE verifier, a refresh or access token. Every error built from an
//! answer reads the server's text through the scrubber of the request that answer belongs to.

use std::cmp::Reverse;
use std::fmt;
use std::sync::Arc;

use reqwest::Request;
use reqwest::header::AUTHORIZATION;
use url::form_urlencoded::byte_serialize;

use crate::Secret;
use crate::telemetry::redact::{self, REDACTED};

/// Shorter values are not searched for: they would match ordinary words and numbers.
const MIN_SECRET_CHARS: usize = 6;

/// The secrets of one request. Cheap to clone; `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Longest first, so that a secret containing another is replaced whole.
    secrets: Arc<[String]>,
}

impl Scrubber {
    /// The secrets `request` carries: the values logs hide in its form or JSON body (codes,
    /// verifiers, tokens, passwords, a posted client secret), its Bearer token, and the
    /// configured `client_secret` (also sent inside Basic credentials). Each is also searched
    /// for in its form-encoded spelling, as an echoed request body shows it.
    pub fn for_request(request: &Request, client_secret: Option<&Secret>) -> Self {
        let (content_type, body) = super::request_body(request);
        let bearer = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let plain = redact::hidden_values(content_type, body)
            .into_iter()
            .chain(bearer)
            .chain(client_secret.map(|s| s.expose().to_owned()));
        let mut secrets: Vec<String> = plain
            .flat_map(|s| [byte_serialize(s.as_bytes()).collect::<String>(), s])
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
            .collect();
        secrets.sort_by(|a, b| Reverse(a.len()).cmp(&Reverse(b.len())).then(a.cmp(b)));
        secrets.dedup();
        Scrubber {
            secrets: secrets.into(),
        }
    }

    /// `text` without the request's secrets and without JWT-shaped values.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        redact::jwts(&out).into_owned()
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} secrets)", self.secrets.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_body_bearer_and_client_secrets_in_plain_and_encoded_form() {
        let request = reqwest::Client::new()
            .post("https://a.example/token")
            .bearer_auth("bearer-token-1")
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", "code/with+signs"),
                ("code_verifier", "verifier-123"),
                ("client_id", "my-app-id"),
                ("x", "short"),
            ])
            .build()
            .unwrap();
        let scrubber = Scrubber::for_request(&request, Some(&Secret::from("client-secret-9")));
        let echoed = "code/with+signs code%2Fwith%2Bsigns verifier-123 bearer-token-1 \
                      client-secret-9 my-app-id short authorization_code";
        assert_eq!(
            scrubber.text(echoed),
            "[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] my-app-id short \
             authorization_code"
        );
        assert_eq!(format!("{scrubber:?}"), "Scrubber(5 secrets)");
    }
}
