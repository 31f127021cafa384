//! [`Scrubber`]: the secrets one request carries, removed from whatever the server says back
//! before that text becomes part of an error or a log line.
//!
//! A misbehaving server (or proxy) may echo the request in its error: the client secret, the
//! authorization code, the PKCE verifier, a refresh or access token, the `Authorization`
//! header. Every error built from an answer reads the server's text through the scrubber of
//! the request that answer belongs to.

use std::cmp::Reverse;
use std::fmt;
use std::sync::Arc;

use reqwest::Request;
use reqwest::header::AUTHORIZATION;
use url::form_urlencoded::byte_serialize;

use crate::telemetry::redact::{self, REDACTED};
use crate::{Error, Secret};

/// Shorter values are not searched for: they would match ordinary words and numbers. A
/// secret of fewer characters (which no real token, code or client secret is) is therefore
/// not removed from server text.
const MIN_SECRET_CHARS: usize = 6;
/// Segments of a JWT-shaped secret at least this long are searched for on their own: a
/// server may echo only the signature of a token.
const MIN_SEGMENT_CHARS: usize = 16;

/// The secrets of one request. Cheap to clone; `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Every spelling of every secret, longest first, so that a secret containing another is
    /// replaced whole.
    secrets: Arc<[String]>,
}

impl Scrubber {
    /// The secrets `request` carries: the values logs hide in its form or JSON body (codes,
    /// verifiers, tokens, passwords, a posted client secret), the credentials of its
    /// `Authorization` header (whatever the scheme), and the configured `client_secret`.
    /// Each is searched for in every [spelling](spellings) an echo may use, and a JWT also by
    /// its long segments.
    pub fn for_request(request: &Request, client_secret: Option<&Secret>) -> Self {
        let (content_type, body) = super::request_body(request);
        let credentials = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.trim()
                    .split_once(' ')
                    .map_or(v, |(_, c)| c)
                    .trim()
                    .to_owned()
            });
        let plain = redact::hidden_values(content_type, body)
            .into_iter()
            .chain(credentials)
            .chain(client_secret.map(|s| s.expose().to_owned()));
        let mut secrets: Vec<String> = plain
            .flat_map(|s| {
                let segments = if is_jwt(&s) {
                    s.split('.')
                        .filter(|p| p.len() >= MIN_SEGMENT_CHARS)
                        .map(str::to_owned)
                        .collect()
                } else {
                    Vec::new()
                };
                segments.into_iter().chain([s])
            })
            .flat_map(|s| spellings(&s))
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
            .collect();
        secrets.sort_by(|a, b| Reverse(a.len()).cmp(&Reverse(b.len())).then(a.cmp(b)));
        secrets.dedup();
        Scrubber {
            secrets: secrets.into(),
        }
    }

    /// `text` without the request's secrets and without JWT-shaped values. When `text` was
    /// cut short (an `…`), a secret's beginning just before the cut goes too.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        if let Some(cut) = out.rfind('…') {
            let head = &out[..cut];
            let start = self.secrets.iter().filter_map(|secret| {
                (MIN_SECRET_CHARS..secret.len())
                    .rev()
                    .filter(|&n| secret.is_char_boundary(n))
                    .find(|&n| head.ends_with(&secret[..n]))
                    .map(|n| cut - n)
            });
            if let Some(start) = start.min() {
                out = format!("{}{REDACTED}{}", &out[..start], &out[cut..]);
            }
        }
        redact::jwts(&out).into_owned()
    }

    /// `error` with the request's secrets removed from the server text it quotes (a protocol
    /// complaint, an issuer, a token type, an ID token detail).
    pub fn error(&self, error: Error) -> Error {
        match error {
            Error::Protocol(message) => Error::Protocol(self.text(&message)),
            Error::UnsupportedTokenType(found) => Error::UnsupportedTokenType(self.text(&found)),
            Error::IssuerMismatch { expected, found } => Error::IssuerMismatch {
                expected,
                found: self.text(&found),
            },
            Error::IdToken {
                reason,
                detail,
                userinfo,
            } => Error::IdToken {
                reason,
                detail: self.text(&detail),
                userinfo,
            },
            other => other,
        }
    }
}

/// Whether `value` has the shape of a JWT (a base64 JSON header and at least three parts).
fn is_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.matches('.').count() >= 2
}

/// The spellings under which `secret` may be echoed: as sent, percent-encoded (`+` or `%20`
/// for a space, upper- or lower-case hex) and JSON-escaped (`/` as is or as `\/`).
fn spellings(secret: &str) -> Vec<String> {
    let form: String = byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    let json = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    let mut all = vec![secret.to_owned(), json.to_owned(), json.replace('/', "\\/")];
    for encoded in [form, percent] {
        all.push(lower_hex(&encoded));
        all.push(encoded);
    }
    all
}

/// `encoded` with the hex digits of its `%XX` escapes in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut digits = 0;
    encoded
        .chars()
        .map(|c| {
            if c == '%' {
                digits = 2;
                c
            } else if digits > 0 {
                digits -= 1;
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
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
        let echoed = "code/with+signs code%2Fwith%2Bsigns code%2fwith%2bsigns code\\/with+signs \
                      verifier-123 bearer-token-1 client-secret-9 my-app-id short \
                      authorization_code";
        assert_eq!(
            scrubber.text(echoed),
            "[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] \
             my-app-id short authorization_code"
        );
        // The code in four spellings (plain, upper- and lower-case percent-encoded, JSON with
        // an escaped slash), the three others in one each.
        assert_eq!(format!("{scrubber:?}"), "Scrubber(7 secrets)");
    }

    #[test]
    fn a_jwt_signature_alone_and_a_secret_cut_short_are_removed() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
        let request = reqwest::Client::new()
            .post("https://a.example/token")
            .form(&[("refresh_token", jwt)])
            .build()
            .unwrap();
        let scrubber = Scrubber::for_request(&request, Some(&Secret::from("client-secret-9")));
        let signature = jwt.rsplit('.').next().unwrap();
        assert_eq!(
            scrubber.text(&format!("bad signature {signature}")),
            "bad signature [REDACTED]"
        );
        // An excerpt cut in the middle of the secret loses the part before the cut.
        assert_eq!(scrubber.text("sent client-secr…"), "sent [REDACTED]…");
        assert_eq!(scrubber.text("sent client…"), "sent [REDACTED]…");
        // Fewer than 6 characters before the cut: ordinary text stays.
        assert_eq!(scrubber.text("sent clien…"), "sent clien…");
    }
}
