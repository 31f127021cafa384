//! Provider metadata (OpenID Connect Discovery / RFC 8414) and the JWKS cache.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, PublicKeyUse};
use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use crate::http::{Operation, Transport};
use crate::{Error, json};

/// Minimum time between two JWKS refetches caused by an unknown `kid`.
const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The issuer's metadata, read leniently: unknown members are ignored, `null` is absent.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// The issuer identifier; equal to the configured issuer.
    pub issuer: String,
    /// Where the browser is sent to sign in.
    pub authorization_endpoint: Option<Url>,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: Option<Url>,
    /// RFC 8628 device authorization endpoint.
    pub device_authorization_endpoint: Option<Url>,
    /// OpenID Connect userinfo endpoint.
    pub userinfo_endpoint: Option<Url>,
    /// The issuer's public keys.
    pub jwks_uri: Option<Url>,
    /// RFC 7009 revocation endpoint.
    pub revocation_endpoint: Option<Url>,
    /// RP-initiated logout endpoint.
    pub end_session_endpoint: Option<Url>,
    /// Advertised scopes.
    pub scopes_supported: Vec<String>,
    /// Advertised grant types.
    pub grant_types_supported: Vec<String>,
    /// Advertised PKCE methods.
    pub code_challenge_methods_supported: Vec<String>,
    /// Advertised ID token signing algorithms.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Whether authorization responses carry `iss` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    /// The whole document as received.
    pub raw: Value,
}

impl ProviderMetadata {
    /// Reads a discovery document and checks its issuer against `expected_issuer` as an exact
    /// string. Endpoints must be valid https URLs (http only on loopback).
    pub fn from_json(raw: Value, expected_issuer: &str) -> Result<Self, Error> {
        if !raw.is_object() {
            return Err(Error::Protocol(
                "the discovery document is not a JSON object".into(),
            ));
        }
        let issuer = json::string(&raw, "issuer")
            .ok_or_else(|| Error::Protocol("the discovery document has no issuer".into()))?;
        if issuer != expected_issuer {
            return Err(Error::issuer_mismatch(expected_issuer, &issuer));
        }
        let endpoint = |name: &str| endpoint(&raw, name);
        Ok(ProviderMetadata {
            authorization_endpoint: endpoint("authorization_endpoint")?,
            token_endpoint: endpoint("token_endpoint")?,
            device_authorization_endpoint: endpoint("device_authorization_endpoint")?,
            userinfo_endpoint: endpoint("userinfo_endpoint")?,
            jwks_uri: endpoint("jwks_uri")?,
            revocation_endpoint: endpoint("revocation_endpoint")?,
            end_session_endpoint: endpoint("end_session_endpoint")?,
            scopes_supported: json::strings(&raw, "scopes_supported"),
            grant_types_supported: json::strings(&raw, "grant_types_supported"),
            code_challenge_methods_supported: json::strings(
                &raw,
                "code_challenge_methods_supported",
            ),
            id_token_signing_alg_values_supported: json::strings(
                &raw,
                "id_token_signing_alg_values_supported",
            ),
            authorization_response_iss_parameter_supported: json::boolean(
                &raw,
                "authorization_response_iss_parameter_supported",
            )
            .unwrap_or(false),
            issuer,
            raw,
        })
    }

    /// An endpoint that must be there for a call; `what` names the feature for the error.
    pub(crate) fn require<'a>(
        endpoint: &'a Option<Url>,
        what: &'static str,
    ) -> Result<&'a Url, Error> {
        endpoint.as_ref().ok_or(Error::NotSupported(what))
    }
}

/// The longest endpoint URL accepted: real ones are well under 200 characters.
const MAX_ENDPOINT_CHARS: usize = 2048;

/// An endpoint of the discovery document: absent (or `null`) is `None`; another type, a URL
/// that is too long, not a URL, or not https (http only on loopback) is a protocol error.
fn endpoint(raw: &Value, name: &str) -> Result<Option<Url>, Error> {
    let text = match raw.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(_) => return Err(Error::Protocol(format!("{name} is not a string"))),
    };
    if text.len() > MAX_ENDPOINT_CHARS {
        return Err(Error::Protocol(format!(
            "{name} is longer than {MAX_ENDPOINT_CHARS} characters"
        )));
    }
    let shown = crate::error::clean_text(text, 200);
    let url = Url::parse(text)
        .map_err(|e| Error::Protocol(format!("{name} {shown:?} is not a valid URL: {e}")))?;
    if crate::config::is_https_or_loopback(&url) {
        Ok(Some(url))
    } else {
        Err(Error::Protocol(format!("{name} {shown:?} must use https")))
    }
}

/// Reads a JWKS leniently: keys that do not parse, are not for signatures, are not
/// asymmetric (RSA, EC, OKP) or cannot be used (a modulus that is not base64url) are skipped.
pub fn parse_jwks(raw: &Value) -> Result<JwkSet, Error> {
    let keys = raw
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::Protocol("the JWKS has no keys array".into()))?;
    let keys = keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter(|k| {
            matches!(
                k.common.public_key_use,
                None | Some(PublicKeyUse::Signature)
            )
        })
        .filter(|k| {
            matches!(
                k.algorithm,
                AlgorithmParameters::RSA(_)
                    | AlgorithmParameters::EllipticCurve(_)
                    | AlgorithmParameters::OctetKeyPair(_)
            )
        })
        .filter(|k| jsonwebtoken::DecodingKey::from_jwk(k).is_ok())
        .collect();
    Ok(JwkSet { keys })
}

/// Discovery document and JWKS, fetched once and shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct Discovery {
    issuer: String,
    metadata: Mutex<Option<Arc<ProviderMetadata>>>,
    jwks: Mutex<JwksCache>,
}

#[derive(Debug, Default)]
struct JwksCache {
    keys: Option<Arc<JwkSet>>,
    last_refetch: Option<Instant>,
}

impl Discovery {
    pub fn new(issuer: &str) -> Self {
        Discovery {
            issuer: issuer.to_owned(),
            metadata: Mutex::new(None),
            jwks: Mutex::new(JwksCache::default()),
        }
    }

    /// The cached metadata, fetched on first use (one fetch even with concurrent callers).
    pub async fn metadata(&self, transport: &Transport) -> Result<Arc<ProviderMetadata>, Error> {
        let mut cached = self.metadata.lock().await;
        if let Some(metadata) = cached.as_ref() {
            return Ok(metadata.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let url = Url::parse(&url).map_err(|e| Error::Config(format!("bad issuer URL: {e}")))?;
        let metadata = transport
            .send(transport.get(&url), Operation::Discovery)
            .await?
            .parse_json(|raw| ProviderMetadata::from_json(raw, &self.issuer))?;
        let metadata = Arc::new(metadata);
        *cached = Some(metadata.clone());
        Ok(metadata)
    }

    /// The cached key set, fetched on first use.
    pub async fn jwks(&self, transport: &Transport) -> Result<Arc<JwkSet>, Error> {
        let mut cache = self.jwks.lock().await;
        if let Some(keys) = cache.keys.as_ref() {
            return Ok(keys.clone());
        }
        let keys = self.fetch_jwks(transport).await?;
        cache.keys = Some(keys.clone());
        Ok(keys)
    }

    /// Refetches the key set after an unknown `kid`, at most once per 30 seconds.
    /// `None` means the refetch was skipped because of that limit.
    pub async fn refetch_jwks(&self, transport: &Transport) -> Result<Option<Arc<JwkSet>>, Error> {
        let mut cache = self.jwks.lock().await;
        if cache
            .last_refetch
            .is_some_and(|t| t.elapsed() < JWKS_REFETCH_INTERVAL)
        {
            return Ok(None);
        }
        cache.last_refetch = Some(Instant::now());
        let keys = self.fetch_jwks(transport).await?;
        cache.keys = Some(keys.clone());
        Ok(Some(keys))
    }

    async fn fetch_jwks(&self, transport: &Transport) -> Result<Arc<JwkSet>, Error> {
        let metadata = self.metadata(transport).await?;
        let url = ProviderMetadata::require(&metadata.jwks_uri, "a JWKS (jwks_uri)")?;
        let keys = transport
            .send(transport.get(url), Operation::Jwks)
            .await?
            .parse_json(|raw| parse_jwks(&raw))?;
        Ok(Arc::new(keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn issuer_is_compared_exactly() {
        let doc = json!({"issuer": "https://auth.example.com/"});
        let err = ProviderMetadata::from_json(doc, "https://auth.example.com").unwrap_err();
        assert_eq!(err.code(), "issuer_mismatch");
    }

    #[test]
    fn lenient_metadata_and_strict_endpoints() {
        let doc = json!({"issuer": "https://a.example", "token_endpoint": "https://a.example/t",
                         "userinfo_endpoint": null, "scopes_supported": "openid email",
                         "authorization_response_iss_parameter_supported": "true",
                         "x-unknown": {"deep": [1, 2]}});
        let m = ProviderMetadata::from_json(doc, "https://a.example").unwrap();
        assert_eq!(m.token_endpoint.unwrap().as_str(), "https://a.example/t");
        assert!(m.userinfo_endpoint.is_none());
        assert_eq!(m.scopes_supported, ["openid", "email"]);
        assert!(m.authorization_response_iss_parameter_supported);
        let long = format!("https://a.example/{}", "t".repeat(MAX_ENDPOINT_CHARS));
        for (endpoint, says) in [
            (json!(5), "token_endpoint is not a string"),
            (
                json!(["https://a.example/t"]),
                "token_endpoint is not a string",
            ),
            (json!(long), "longer than 2048"),
        ] {
            let doc = json!({"issuer": "https://a.example", "token_endpoint": endpoint});
            let err = ProviderMetadata::from_json(doc, "https://a.example").unwrap_err();
            assert_eq!(err.code(), "protocol_error");
            assert!(err.to_string().contains(says), "{err}");
        }
        let insecure =
            json!({"issuer": "https://a.example", "token_endpoint": "http://a.example/t"});
        assert_eq!(
            ProviderMetadata::from_json(insecure, "https://a.example")
                .unwrap_err()
                .code(),
            "protocol_error"
        );
        assert_eq!(
            ProviderMetadata::from_json(json!([1]), "x")
                .unwrap_err()
                .code(),
            "protocol_error"
        );
    }

    #[test]
    fn jwks_skips_unusable_keys() {
        let raw = json!({"keys": [
            {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "ec", "use": "sig"},
            {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "enc", "use": "enc"},
            {"kty": "weird"}, 42,
            {"kty": "RSA", "n": "not base64url!", "e": "AQAB", "kid": "bad-rsa"}]});
        let set = parse_jwks(&raw).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert!(set.find("ec").is_some());
        assert!(parse_jwks(&json!({"keys": null})).is_err());
    }
}
