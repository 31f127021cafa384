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
        }
    }
}

impl fmt::Display for IdTokenErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An optional explanation from the issuer (`error_description`), shown after the message.
///
/// Control characters are removed and the text is cut at 300 characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description(Option<String>);

impl Description {
    /// Wraps an issuer's explanation, cleaning it for display.
    pub fn new(text: Option<&str>) -> Self {
        Description(text.map(|t| clean_text(t, 300)).filter(|t| !t.is_empty()))
    }

    /// The cleaned explanation, if the issuer gave one.
    pub fn text(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(text) => write!(f, ": {text}"),
            None => Ok(()),
        }
    }
}

/// Removes control characters, collapses whitespace runs and cuts at `max` characters.
pub(crate) fn clean_text(text: &str, max: usize) -> String {
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
