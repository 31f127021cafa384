//! Strict ID token validation (OpenID Connect Core section 3.1.3.7), usable on its own.

use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use ring::digest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::jws;
use crate::IdTokenErrorReason as Reason;
use crate::{Error, Secret, json};

/// Claims of a validated ID token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// `iss`: the issuer.
    pub issuer: String,
    /// `sub`: the user's stable identifier.
    pub subject: String,
    /// `aud`: the audiences (always contains the client ID).
    pub audience: Vec<String>,
    /// `exp` in Unix seconds.
    pub expires_at: u64,
    /// `iat` in Unix seconds.
    pub issued_at: u64,
    /// `auth_time` in Unix seconds, when present.
    pub auth_time: Option<u64>,
    /// `nonce`, when present.
    pub nonce: Option<String>,
    /// Every claim as received (email, name, ...).
    pub claims: Map<String, Value>,
}

/// Extra inputs of one validation: what was sent and what came along.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdTokenChecks<'a> {
    /// The nonce sent in the authorization request; then the token must carry it.
    pub nonce: Option<&'a str>,
    /// The access token issued with the ID token, for the `at_hash` check.
    pub access_token: Option<&'a str>,
}

/// Validates ID tokens: signature with an algorithm allowlist (never `none`; HMAC only with
/// a confidential client's secret) and no `crit` header, `iss`, `aud` (the client and no
/// other audience), `azp`, `exp`/`iat`/`nbf` (JSON numbers) with leeway, `nonce` and
/// `at_hash`. Every failure is its own [`IdTokenErrorReason`](crate::IdTokenErrorReason).
#[derive(Clone, Debug)]
pub struct IdTokenValidator {
    issuer: String,
    client_id: String,
    client_secret: Option<Secret>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
}

impl IdTokenValidator {
    /// A validator for `issuer` and `client_id` accepting RS256 and ES256, leeway 60 s.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        IdTokenValidator {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            algorithms: vec![Algorithm::RS256, Algorithm::ES256],
            leeway: Duration::from_secs(60),
        }
    }

    /// Sets the accepted algorithms.
    pub fn with_algorithms(mut self, algorithms: Vec<Algorithm>) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Sets the client secret, the key for HS256/384/512 tokens (if allowed).
    pub fn with_client_secret(mut self, secret: Option<Secret>) -> Self {
        self.client_secret = secret;
        self
    }

    /// Sets the tolerated clock difference.
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Validates `id_token` against `jwks` at the current time.
    pub fn validate(
        &self,
        id_token: &str,
        jwks: &JwkSet,
        checks: &IdTokenChecks<'_>,
    ) -> Result<IdTokenClaims, Error> {
        self.validate_at(id_token, jwks, checks, crate::http::now_unix())
    }

    /// Validates `id_token` with `now` (Unix seconds) as the current time, e.g. the
    /// server's time corrected for clock skew.
    pub(crate) fn validate_at(
        &self,
        id_token: &str,
        jwks: &JwkSet,
        checks: &IdTokenChecks<'_>,
        now: u64,
    ) -> Result<IdTokenClaims, Error> {
        let (alg, claims) = self.verify_signature(id_token, jwks)?;
        self.check_claims(alg, claims, checks, now)
    }

    /// Checks header and signature; returns the algorithm and the (unchecked) claims.
    pub(crate) fn verify_signature(
        &self,
        token: &str,
        jwks: &JwkSet,
    ) -> Result<(Algorithm, Value), Error> {
        let (alg, kid) = read_header(token)?;
        if !self.algorithms.contains(&alg) {
            return Err(Error::id_token(
                Reason::UnsupportedAlgorithm,
                format!("{alg:?} not allowed"),
            ));
        }
        let keys = self.candidate_keys(alg, kid.as_deref(), jwks)?;
        let malformed = |detail: &str| Error::id_token(Reason::Malformed, detail);
        // read_header checked that there are three parts.
        let (message, signature) = token.rsplit_once('.').unwrap_or_default();
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| malformed("signature is not base64url"))?;
        let verifies = |key: &DecodingKey| jws::verify(alg, key, message.as_bytes(), &signature);
        if !keys.iter().any(verifies) {
            return Err(Error::id_token(Reason::BadSignature, ""));
        }
        match jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token) {
            Ok(claims @ Value::Object(_)) => Ok((alg, claims)),
            _ => Err(malformed("payload is not a JSON object in base64url")),
        }
    }

    fn candidate_keys(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        jwks: &JwkSet,
    ) -> Result<Vec<DecodingKey>, Error> {
        if alg.family() == AlgorithmFamily::Hmac {
            let secret = self.client_secret.as_ref().ok_or_else(|| {
                Error::id_token(Reason::UnsupportedAlgorithm, "HMAC needs a client secret")
            })?;
            let key = DecodingKey::from_secret(secret.expose().as_bytes())
                .map_err(|_| Error::id_token(Reason::UnknownKey, "unusable client secret"))?;
            return Ok(vec![key]);
        }
        let keys: Vec<DecodingKey> = jwks
            .keys
            .iter()
            .filter(|k| kid.is_none() || k.common.key_id.as_deref() == kid)
            .filter(|k| {
                k.common
                    .key_algorithm
                    .is_none_or(|a| a == KeyAlgorithm::from(alg))
            })
            .filter(|k| family_of(&k.algorithm) == Some(alg.family()))
            .filter_map(|k| DecodingKey::from_jwk(k).ok())
            .collect();
        if keys.is_empty() {
            let detail = match kid {
                Some(kid) => format!("kid {:?}", crate::error::clean_text(kid, 60)),
                None => format!("no {alg:?} key"),
            };
            return Err(Error::id_token(Reason::UnknownKey, detail));
        }
        Ok(keys)
    }

    pub(crate) fn check_claims(
        &self,
        alg: Algorithm,
        claims: Value,
        checks: &IdTokenChecks<'_>,
        now: u64,
    ) -> Result<IdTokenClaims, Error> {
        let missing = |name: &str| Error::id_token(Reason::MissingClaim, name);
        let issuer = json::string(&claims, "iss").ok_or_else(|| missing("iss"))?;
        if issuer != self.issuer {
            return Err(Error::id_token(
                Reason::IssuerMismatch,
                format!("iss {:?}", crate::error::clean_text(&issuer, 200)),
            ));
        }
        let subject = json::string(&claims, "sub").filter(|s| !s.is_empty());
        let subject = subject.ok_or_else(|| missing("sub"))?;
        let audience = audiences(&claims).ok_or_else(|| missing("aud"))?;
        if !audience.contains(&self.client_id) {
            return Err(Error::id_token(Reason::AudienceMismatch, ""));
        }
        // OIDC Core 3.1.3.7: another audience is one this client has no reason to trust.
        if audience.iter().any(|aud| *aud != self.client_id) {
            return Err(Error::id_token(
                Reason::AudienceMismatch,
                "the token is also issued to other audiences",
            ));
        }
        if let Some(azp) = claims.get("azp").filter(|v| !v.is_null())
            && azp.as_str() != Some(self.client_id.as_str())
        {
            return Err(Error::id_token(Reason::AuthorizedPartyMismatch, ""));
        }
        let leeway = self.leeway.as_secs();
        let date = |name: &str| json::numeric_date(&claims, name).map_err(|()| missing(name));
        let expires_at = date("exp")?.ok_or_else(|| missing("exp"))?;
        if now > expires_at.saturating_add(leeway) {
            return Err(Error::id_token(
                Reason::Expired,
                format!("{} s ago", now - expires_at),
            ));
        }
        let issued_at = date("iat")?.ok_or_else(|| missing("iat"))?;
        if issued_at > now.saturating_add(leeway) {
            return Err(Error::id_token(
                Reason::IssuedInFuture,
                format!("{} s ahead", issued_at - now),
            ));
        }
        if let Some(nbf) = date("nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(Error::id_token(
                Reason::NotYetValid,
                format!("{} s ahead", nbf - now),
            ));
        }
        let nonce = json::string(&claims, "nonce");
        if let Some(expected) = checks.nonce {
            let found = nonce.as_deref().ok_or_else(|| missing("nonce"))?;
            if !bool::from(found.as_bytes().ct_eq(expected.as_bytes())) {
                return Err(Error::id_token(Reason::NonceMismatch, ""));
            }
        }
        if let (Some(at_hash), Some(access_token)) = (claims.get("at_hash"), checks.access_token) {
            let expected = token_hash(alg, access_token);
            if at_hash
                .as_str()
                .is_none_or(|h| !bool::from(h.as_bytes().ct_eq(expected.as_bytes())))
            {
                return Err(Error::id_token(Reason::AtHashMismatch, ""));
            }
        }
        let auth_time = date("auth_time")?;
        let Value::Object(claims) = claims else {
            return Err(missing("claims object"));
        };
        Ok(IdTokenClaims {
            issuer,
            subject,
            audience,
            expires_at,
            issued_at,
            auth_time,
            nonce,
            claims,
        })
    }

    /// The configured issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The configured client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

/// The `aud` claim (RFC 7519 section 4.1.3): a string is one audience, never a
/// space-separated list ("other-app my-app" was not issued to "my-app"); an array lists
/// several. `None` when absent, of another type, or an array holding anything but strings.
pub(crate) fn audiences(claims: &Value) -> Option<Vec<String>> {
    match claims.get("aud")? {
        Value::String(aud) => Some(vec![aud.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|a| a.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// Reads `alg` and `kid` from the JOSE header; `none` and unknown algorithms are refused.
fn read_header(token: &str) -> Result<(Algorithm, Option<String>), Error> {
    let malformed = |detail: &str| Error::id_token(Reason::Malformed, detail);
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not three dot-separated parts"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed("header is not base64url"))?;
    let header: Value =
        serde_json::from_slice(&bytes).map_err(|_| malformed("header is not JSON"))?;
    // RFC 7515 section 4.1.11: no extension is understood here, so none may be critical.
    if header.get("crit").is_some() {
        return Err(malformed("header lists critical extensions (crit)"));
    }
    let alg = json::string(&header, "alg").ok_or_else(|| malformed("header has no alg"))?;
    let alg = Algorithm::from_str(&alg).map_err(|_| {
        Error::id_token(
            Reason::UnsupportedAlgorithm,
            format!("alg {:?}", crate::error::clean_text(&alg, 20)),
        )
    })?;
    Ok((alg, json::string(&header, "kid")))
}

fn family_of(params: &AlgorithmParameters) -> Option<AlgorithmFamily> {
    match params {
        AlgorithmParameters::RSA(_) => Some(AlgorithmFamily::Rsa),
        AlgorithmParameters::EllipticCurve(_) => Some(AlgorithmFamily::Ec),
        AlgorithmParameters::OctetKeyPair(_) => Some(AlgorithmFamily::Ed),
        _ => None,
    }
}

/// The left half of the hash of `value`, base64url-encoded (`at_hash`, `c_hash`).
pub(crate) fn token_hash(alg: Algorithm, value: &str) -> String {
    let hash = match alg {
        Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            &digest::SHA384
        }
        Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            &digest::SHA512
        }
        _ => &digest::SHA256,
    };
    let digest = digest::digest(hash, value.as_bytes());
    let bytes = digest.as_ref();
    URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

#[cfg(test)]
mod tests;
