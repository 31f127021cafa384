//! The stored session: a versioned record, its byte encoding and the migration of older layouts.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, IdTokenClaims, Secret, TokenSet, json};

/// Everything a session keeps between runs. Stores see it only as opaque bytes
/// ([`SessionRecord::to_bytes`]); Debug output redacts the tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The issuer the tokens came from.
    pub issuer: String,
    /// The client the tokens were issued to.
    pub client_id: String,
    /// The current access token.
    pub access_token: Secret,
    /// The current refresh token (the newest of its rotation family).
    pub refresh_token: Option<Secret>,
    /// The raw ID token of the sign-in (kept across refreshes that return none).
    pub id_token: Option<Secret>,
    /// The validated claims of that ID token.
    pub id_token_claims: Option<IdTokenClaims>,
    /// When the access token expires, in Unix seconds on the SERVER clock.
    pub expires_at: Option<u64>,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Server clock minus local clock in seconds, as last measured.
    pub clock_offset: i64,
}

/// The layout on disk: the record plus its schema version.
#[derive(Serialize, Deserialize)]
struct Versioned {
    schema_version: u32,
    #[serde(flatten)]
    record: SessionRecord,
}

/// Schema 1: the CLI's `session.json` (`version`, `issuer`, `client_id`, `tokens`), whose
/// expiry is on the local clock and which has no clock offset.
#[derive(Deserialize)]
struct SchemaV1 {
    issuer: String,
    client_id: String,
    tokens: TokenSet,
}

impl SessionRecord {
    /// The schema version written by this library.
    pub const SCHEMA_VERSION: u32 = 2;

    /// A record for the tokens of a sign-in. `clock_offset` is server minus local seconds and
    /// `local_now` the local Unix time at which the tokens arrived.
    pub fn new(
        issuer: &str,
        client_id: &str,
        tokens: TokenSet,
        clock_offset: Option<i64>,
        local_now: u64,
    ) -> SessionRecord {
        let clock_offset = bounded(measured_offset(&tokens, clock_offset, local_now));
        SessionRecord {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            expires_at: server_expiry(&tokens, clock_offset),
            scopes: tokens.scopes.unwrap_or_default(),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            id_token_claims: tokens.id_token_claims,
            clock_offset,
        }
    }

    /// This record after a refresh answered `tokens`. What the answer leaves out (refresh
    /// token, ID token, scopes) is kept from this record.
    pub fn refreshed(&self, tokens: TokenSet, clock_offset: Option<i64>, local_now: u64) -> Self {
        let mut next = SessionRecord::new(
            &self.issuer,
            &self.client_id,
            tokens,
            clock_offset,
            local_now,
        );
        if next.refresh_token.is_none() {
            next.refresh_token = self.refresh_token.clone();
        }
        if next.id_token.is_none() {
            next.id_token = self.id_token.clone();
            next.id_token_claims = self.id_token_claims.clone();
        }
        if next.scopes.is_empty() {
            next.scopes = self.scopes.clone();
        }
        next
    }

    /// This record with the refresh token `refresh_token` (from a refused refresh answer).
    pub fn with_refresh_token(&self, refresh_token: Secret) -> Self {
        SessionRecord {
            refresh_token: Some(refresh_token),
            ..self.clone()
        }
    }

    /// Seconds the access token stays valid, on a local clock reading `local_now` corrected by
    /// `clock_offset`; `None` when the expiry is unknown. Negative when expired. Saturates
    /// instead of overflowing on absurd (tampered) times.
    pub fn seconds_left(&self, local_now: u64, clock_offset: i64) -> Option<i64> {
        let server_now = to_i64(local_now).saturating_add(bounded(clock_offset));
        Some(to_i64(self.expires_at?).saturating_sub(server_now))
    }

    /// The stored form: JSON with `schema_version`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let versioned = Versioned {
            schema_version: Self::SCHEMA_VERSION,
            record: self.clone(),
        };
        serde_json::to_vec(&versioned)
            .map_err(|_| Error::Storage("the session record could not be encoded".into()))
    }

    /// Reads a stored record, migrating older schemas. Anything unreadable is a storage error
    /// (the caller keeps the stored bytes). Messages never quote the data: it holds tokens.
    pub fn from_bytes(bytes: &[u8]) -> Result<SessionRecord, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|_| corrupt("not JSON"))?;
        match value.get("schema_version").map(Value::as_u64) {
            Some(Some(v)) if v == u64::from(Self::SCHEMA_VERSION) => {
                let mut record = serde_json::from_value::<Versioned>(value)
                    .map(|v| v.record)
                    .map_err(|_| corrupt("members are missing or malformed"))?;
                record.clock_offset = bounded(record.clock_offset);
                Ok(record)
            }
            Some(Some(v)) if v > u64::from(Self::SCHEMA_VERSION) => Err(Error::Storage(format!(
                "the stored session uses schema {v}, newer than this library understands ({}); \
                 upgrade the app",
                Self::SCHEMA_VERSION
            ))),
            Some(_) => Err(corrupt("unknown schema_version")),
            None if value.get("version").and_then(Value::as_u64) == Some(1) => {
                let v1: SchemaV1 =
                    serde_json::from_value(value).map_err(|_| corrupt("malformed schema 1"))?;
                // Schema 1 expiries are local times and no offset was measured: offset 0.
                Ok(SessionRecord::new(
                    &v1.issuer,
                    &v1.client_id,
                    v1.tokens,
                    Some(0),
                    0,
                ))
            }
            None => Err(corrupt("no schema_version")),
        }
    }
}

fn corrupt(why: &str) -> Error {
    Error::Storage(format!("the stored session is corrupt ({why})"))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The largest clock offset believed: 100 years (a device whose clock fell back to 1970 is
/// about 56 years behind). Larger ones, from a tampered record or a wild `iat`, are clamped.
const MAX_CLOCK_OFFSET: i64 = 100 * 366 * 24 * 3600;

fn bounded(clock_offset: i64) -> i64 {
    clock_offset.clamp(-MAX_CLOCK_OFFSET, MAX_CLOCK_OFFSET)
}

/// The server clock offset: the `Date` header measure when there is one, else the access
/// token's `iat` against the local arrival time, else zero.
fn measured_offset(tokens: &TokenSet, date_header: Option<i64>, local_now: u64) -> i64 {
    date_header
        .or_else(|| {
            let iat = jwt_issued_at(&tokens.access_token)?;
            Some(to_i64(iat) - to_i64(local_now))
        })
        .unwrap_or(0)
}

/// The expiry on the server clock (`TokenSet::expires_at` is local time).
fn server_expiry(tokens: &TokenSet, clock_offset: i64) -> Option<u64> {
    Some(tokens.expires_at?.saturating_add_signed(clock_offset))
}

/// The `iat` of a JWT access token, read without verification (a timing hint only).
fn jwt_issued_at(token: &Secret) -> Option<u64> {
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token.expose()).ok()?;
    json::seconds(&claims, "iat")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenType;
    use base64::Engine;

    fn tokens(access: &str, expires_at: Option<u64>) -> TokenSet {
        TokenSet {
            access_token: Secret::new(access),
            token_type: TokenType::Bearer,
            expires_at,
            refresh_token: Some(Secret::new("rt-1")),
            id_token: Some(Secret::new("idt")),
            id_token_claims: None,
            scopes: Some(vec!["openid".into()]),
        }
    }

    fn jwt(claims: Value) -> String {
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.",
            b64(br#"{"alg":"none"}"#),
            b64(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn expiry_from_expires_in_is_shifted_to_the_server_clock() {
        let r = SessionRecord::new("i", "c", tokens("opaque", Some(1_000)), Some(600), 900);
        assert_eq!((r.expires_at, r.clock_offset), (Some(1_600), 600));
        assert_eq!(r.seconds_left(900, 600), Some(100));
    }

    #[test]
    fn without_a_date_header_the_offset_comes_from_the_jwt_iat() {
        let at = jwt(serde_json::json!({"iat": 1_500, "exp": 1_620}));
        let r = SessionRecord::new("i", "c", tokens(&at, Some(1_020)), None, 900);
        assert_eq!((r.expires_at, r.clock_offset), (Some(1_620), 600));
        assert_eq!(r.seconds_left(900, 600), Some(120));
        let opaque = SessionRecord::new("i", "c", tokens("opaque", Some(1_020)), None, 900);
        assert_eq!((opaque.expires_at, opaque.clock_offset), (Some(1_020), 0));
    }

    #[test]
    fn refresh_keeps_what_the_answer_leaves_out() {
        let old = SessionRecord::new("i", "c", tokens("a1", Some(10)), Some(0), 0);
        let mut answer = tokens("a2", Some(20));
        answer.refresh_token = None;
        answer.id_token = None;
        answer.scopes = None;
        let next = old.refreshed(answer, Some(0), 0);
        assert_eq!(next.access_token.expose(), "a2");
        assert_eq!(next.refresh_token, old.refresh_token);
        assert_eq!(next.id_token, old.id_token);
        assert_eq!(next.scopes, old.scopes);
    }

    #[test]
    fn extreme_stored_times_and_offsets_neither_panic_nor_wrap() {
        let base = SessionRecord::new("i", "c", tokens("a", Some(1_000)), Some(0), 0);
        for offset in [i64::MIN, i64::MAX, -1, 0] {
            for expires_at in [None, Some(0), Some(i64::MAX as u64), Some(u64::MAX)] {
                let mut stored = serde_json::to_value(Versioned {
                    schema_version: 2,
                    record: base.clone(),
                })
                .unwrap();
                stored["clock_offset"] = offset.into();
                stored["expires_at"] = expires_at.into();
                let r = SessionRecord::from_bytes(stored.to_string().as_bytes()).unwrap();
                assert!(r.clock_offset.abs() <= MAX_CLOCK_OFFSET, "{offset}");
                for now in [0, u64::MAX] {
                    let left = r.seconds_left(now, r.clock_offset);
                    let raw = r.seconds_left(now, offset);
                    assert_eq!(
                        left.is_some(),
                        expires_at.is_some(),
                        "{offset} {expires_at:?}"
                    );
                    // A far-future expiry is never read as expired, whatever the offset.
                    if expires_at.is_some_and(|e| e >= i64::MAX as u64) && now == 0 {
                        assert!(left.unwrap() > 0 && raw.unwrap() > 0, "{offset}");
                    }
                }
            }
        }
        // A wild `iat` on a token without a Date header is clamped as well.
        let at = jwt(serde_json::json!({"iat": u64::MAX}));
        let r = SessionRecord::new("i", "c", tokens(&at, Some(5)), None, 0);
        assert_eq!(r.clock_offset, MAX_CLOCK_OFFSET);
        assert!(r.seconds_left(u64::MAX, i64::MAX).unwrap() < 0);
    }

    #[test]
    fn round_trip_and_debug_redaction() {
        let r = SessionRecord::new("i", "c", tokens("at-secret", Some(10)), Some(3), 0);
        let bytes = r.to_bytes().unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("\"schema_version\":2"));
        assert_eq!(SessionRecord::from_bytes(&bytes).unwrap(), r);
        let debug = format!("{r:?}");
        assert!(
            !debug.contains("at-secret") && !debug.contains("rt-1"),
            "{debug}"
        );
    }

    #[test]
    fn schema_1_migrates() {
        let v1 = serde_json::json!({"version": 1, "issuer": "https://i", "client_id": "c",
            "tokens": tokens("a", Some(77))});
        let r = SessionRecord::from_bytes(v1.to_string().as_bytes()).unwrap();
        assert_eq!(
            (r.issuer.as_str(), r.client_id.as_str()),
            ("https://i", "c")
        );
        assert_eq!((r.expires_at, r.clock_offset), (Some(77), 0));
        assert_eq!(r.refresh_token.unwrap().expose(), "rt-1");
    }

    #[test]
    fn unreadable_records_are_storage_errors_without_secrets() {
        let bad: &[&[u8]] = &[
            b"",
            b"\xff\x00",
            b"{\"schema_version\": 2, \"access_token\": \"leak-me\"}",
            b"{\"schema_version\": \"2\"}",
            b"{\"version\": 1, \"tokens\": 5}",
            b"[1]",
        ];
        for bytes in bad {
            let e = SessionRecord::from_bytes(bytes).unwrap_err();
            assert_eq!(e.code(), "storage_error");
            assert!(!e.message().contains("leak-me"), "{e}");
        }
        let newer = SessionRecord::from_bytes(b"{\"schema_version\": 9}").unwrap_err();
        assert!(newer.message().contains("newer"), "{newer}");
    }
}
