//! The parts of an [`Error`](crate::Error): network failure kinds, ID token reasons and the
//! issuer's cleaned description.

use std::fmt;

/// What kind of network failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkErrorKind {
    /// No answer within the configured timeout.
    Timeout,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The TCP connection could not be made (refused, unreachable).
    Connect,
    /// The connection was reset or closed by the peer before the answer was complete.
    Reset,
    /// Another I/O failure while sending or receiving.
    Io,
}

impl fmt::Display for NetworkErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkErrorKind::Timeout => "timeout",
            NetworkErrorKind::Dns => "DNS",
            NetworkErrorKind::Tls => "TLS",
            NetworkErrorKind::Connect => "connect",
            NetworkErrorKind::Reset => "connection reset",
            NetworkErrorKind::Io => "I/O",
        })
    }
}

/// Which ID token check failed. Each reason has its own error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenErrorReason {
    /// Not a well-formed JWT.
    Malformed,
    /// The algorithm is not on the allowlist (`none` never is).
    UnsupportedAlgorithm,
    /// No key in the JWKS matches the token's `kid`, even after a refetch.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `iss` differs from the configured issuer.
    IssuerMismatch,
    /// `aud` does not contain the client ID.
    AudienceMismatch,
    /// `azp` is present and differs from the client ID.
    AuthorizedPartyMismatch,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    IssuedInFuture,
    /// A required claim (`sub`, `exp`, `iat`, `nonce` ...) is missing or has the wrong type.
    MissingClaim,
    /// `nonce` differs from the one sent.
    NonceMismatch,
    /// `at_hash` does not match the access token.
    AtHashMismatch,
    /// A refresh returned an ID token for another user (`sub` changed, OIDC Core 12.2).
    SubjectMismatch,
}

impl IdTokenErrorReason {
    /// The stable error code of this reason.
    pub fn code(self) -> &'static str {
        match self {
            IdTokenErrorReason::Malformed => "id_token_malformed",
            IdTokenErrorReason::UnsupportedAlgorithm => "id_token_unsupported_alg",
            IdTokenErrorReason::UnknownKey => "id_token_unknown_key",
            IdTokenErrorReason::BadSignature => "id_token_bad_signature",
            IdTokenErrorReason::IssuerMismatch => "id_token_issuer_mismatch",
            IdTokenErrorReason::AudienceMismatch => "id_token_audience_mismatch",
            IdTokenErrorReason::AuthorizedPartyMismatch => "id_token_azp_mismatch",
            IdTokenErrorReason::Expired => "id_token_expired",
            IdTokenErrorReason::NotYetValid => "id_token_not_yet_valid",
            IdTokenErrorReason::IssuedInFuture => "id_token_issued_in_future",
            IdTokenErrorReason::MissingClaim => "id_token_missing_claim",
            IdTokenErrorReason::NonceMismatch => "id_token_nonce_mismatch",
            IdTokenErrorReason::AtHashMismatch => "id_token_at_hash_mismatch",
            IdTokenErrorReason::SubjectMismatch => "id_token_subject_mismatch",
        }
    }
}

impl fmt::Display for IdTokenErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the issuer said along with an error: its explanation (`error_description`), shown
/// after the message, and the HTTP status of the answer it came in.
///
/// The explanation is cleaned like all server text in errors: control characters removed,
/// JWT-shaped values and the request's secrets shown as `[REDACTED]`, cut at 300 characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    text: Option<String>,
    status: Option<u16>,
}

impl Description {
    /// Wraps an issuer's explanation, cleaning it for display.
    pub fn new(text: Option<&str>) -> Self {
        Description {
            text: text.map(|t| clean_text(t, 300)).filter(|t| !t.is_empty()),
            status: None,
        }
    }

    /// The same explanation, from an HTTP answer with `status` (`None`: not from one).
    pub fn with_status(self, status: Option<u16>) -> Self {
        Description { status, ..self }
    }

    /// The cleaned explanation, if the issuer gave one.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The HTTP status of the answer that carried the error, when it came in one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(text) => write!(f, ": {text}"),
            None => Ok(()),
        }
    }
}

/// Cleans server text for an error message or log line: JWT-shaped values become
/// `[REDACTED]`, control characters go, whitespace runs collapse, and the result is cut at
/// `max` characters (after the redaction, so no part of a token survives the cut).
pub(crate) fn clean_text(text: &str, max: usize) -> String {
    let text = crate::telemetry::redact::jwts(text);
    let mut out = String::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
    }
}
