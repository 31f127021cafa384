//! Signing keys: the shipped dev RSA key, generated ES256 keys, the JWKS, rotation and signing.
//!
//! The RSA key in `keys/rsa-dev.pem` is a development key published with the source code; it
//! must never protect anything real. RSA keys created by rotation and all ES256 keys are
//! generated in memory with aws-lc-rs.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use std::sync::Arc;

/// The shipped development RSA key (PKCS#8 PEM). Dev only: it is public.
const RSA_DEV_PEM: &str = include_str!("../keys/rsa-dev.pem");

/// A JWS algorithm the emulator signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

impl SigningAlg {
    fn jwt(self) -> Algorithm {
        match self {
            SigningAlg::RS256 => Algorithm::RS256,
            SigningAlg::ES256 => Algorithm::ES256,
        }
    }
}

/// Why a key could not be made or used.
#[derive(Debug, thiserror::Error)]
#[error("key error: {0}")]
pub struct KeyError(pub String);

/// One key pair with its public JWK.
pub struct SigningKey {
    kid: String,
    alg: SigningAlg,
    jwk: Value,
    private: PrivateKey,
    decoding: DecodingKey,
}

/// A parsed private key, shared by every signature. `jsonwebtoken::encode` re-parses (and
/// re-validates) the key for each signature, which cut RS256 token throughput to a quarter
/// in the benchmark, so signing uses aws-lc-rs directly; `jsonwebtoken` verifies.
#[derive(Clone)]
enum PrivateKey {
    Rsa(Arc<RsaKeyPair>),
    Ec(Arc<EcdsaKeyPair>),
}

/// All keys: the active one per algorithm is the last of that algorithm in `keys`.
pub struct KeySet {
    keys: Vec<SigningKey>,
}

impl KeySet {
    /// The shipped RSA dev key plus a fresh ES256 key.
    pub fn new() -> Result<KeySet, KeyError> {
        let der = pem_body(RSA_DEV_PEM)?;
        let rsa = rsa_key(&der)?;
        Ok(KeySet {
            keys: vec![rsa, ec_key()?],
        })
    }

    /// The public JWKS document.
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }

    /// Makes `key` the active key of its algorithm; with `drop_old` the previous keys of that
    /// algorithm leave the JWKS (tokens they signed no longer verify). Returns the new kid.
    pub fn install(&mut self, key: SigningKey, drop_old: bool) -> String {
        if drop_old {
            self.keys.retain(|k| k.alg != key.alg);
        }
        let kid = key.kid.clone();
        self.keys.push(key);
        kid
    }

    fn active(&self, alg: SigningAlg) -> Result<&SigningKey, KeyError> {
        self.keys
            .iter()
            .rev()
            .find(|k| k.alg == alg)
            .ok_or_else(|| KeyError(format!("no {alg:?} key")))
    }

    /// The active key for `alg` as a [`Signer`] (cheap clones, so signing happens outside
    /// any lock).
    pub fn signer(&self, alg: SigningAlg) -> Result<Signer, KeyError> {
        let key = self.active(alg)?;
        Ok(Signer {
            alg,
            kid: key.kid.clone(),
            private: key.private.clone(),
        })
    }

    /// Verifies a JWT we issued (any key still in the JWKS); `exp` is not checked.
    pub fn verify<T: DeserializeOwned>(&self, token: &str, audience: Option<&str>) -> Option<T> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let kid = header.kid?;
        let key = self.keys.iter().find(|k| k.kid == kid)?;
        let mut validation = Validation::new(key.alg.jwt());
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        match audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        jsonwebtoken::decode::<T>(token, &key.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// A ready-to-use signing key.
pub struct Signer {
    alg: SigningAlg,
    kid: String,
    private: PrivateKey,
}

impl Signer {
    /// Signs `claims` as a compact JWS (RFC 7515) with header `typ` (e.g. "JWT" or "at+jwt").
    /// Tokens are verified with `jsonwebtoken` in the tests and at logout.
    pub fn sign(&self, claims: &Value, typ: &str) -> Result<String, KeyError> {
        let header = json!({ "alg": self.alg, "kid": self.kid, "typ": typ });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let failed = |_| KeyError("signing failed".into());
        let signature = match &self.private {
            PrivateKey::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                let rng = aws_lc_rs::rand::SystemRandom::new();
                pair.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut signature)
                    .map_err(failed)?;
                signature
            }
            PrivateKey::Ec(pair) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                pair.sign(&rng, input.as_bytes())
                    .map_err(failed)?
                    .as_ref()
                    .to_vec()
            }
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

fn pem_body(pem: &str) -> Result<Vec<u8>, KeyError> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD
        .decode(body.trim())
        .map_err(|_| KeyError("bad PEM".into()))
}

/// Generates a new key for `alg` (RSA generation takes a moment: call it off the runtime).
pub fn generate(alg: SigningAlg) -> Result<SigningKey, KeyError> {
    match alg {
        SigningAlg::RS256 => {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048)
                .map_err(|_| KeyError("RSA key generation failed".into()))?;
            let der = pair
                .as_der()
                .map_err(|_| KeyError("RSA key export failed".into()))?;
            rsa_key(der.as_ref())
        }
        SigningAlg::ES256 => ec_key(),
    }
}

/// Builds an RSA signing key from PKCS#8 DER.
fn rsa_key(pkcs8: &[u8]) -> Result<SigningKey, KeyError> {
    let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| KeyError(format!("bad RSA key: {e}")))?;
    let public = pair.public_key();
    let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
    let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
    let decoding = DecodingKey::from_rsa_components(&n, &e)
        .map_err(|e| KeyError(format!("bad RSA key: {e}")))?;
    let thumb = thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#));
    let kid = format!("rs256-{thumb}");
    let jwk = json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": n, "e": e});
    let private = PrivateKey::Rsa(Arc::new(pair));
    Ok(SigningKey {
        kid,
        alg: SigningAlg::RS256,
        jwk,
        private,
        decoding,
    })
}

/// Generates a fresh P-256 signing key.
fn ec_key() -> Result<SigningKey, KeyError> {
    let alg = &ECDSA_P256_SHA256_FIXED_SIGNING;
    let pair = EcdsaKeyPair::generate(alg).map_err(|_| KeyError("EC keygen failed".into()))?;
    // Uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
    let point = pair.public_key().as_ref();
    let (x, y) = match point {
        [0x04, rest @ ..] if rest.len() == 64 => rest.split_at(32),
        _ => return Err(KeyError("unexpected EC public key encoding".into())),
    };
    let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
    let decoding = DecodingKey::from_ec_components(&x, &y)
        .map_err(|e| KeyError(format!("bad EC key: {e}")))?;
    let thumb = thumbprint(&format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#
    ));
    let kid = format!("es256-{thumb}");
    let jwk = json!({"kty": "EC", "kid": kid, "alg": "ES256", "use": "sig", "crv": "P-256",
        "x": x, "y": y});
    let private = PrivateKey::Ec(Arc::new(pair));
    Ok(SigningKey {
        kid,
        alg: SigningAlg::ES256,
        jwk,
        private,
        decoding,
    })
}

/// RFC 7638 JWK thumbprint (first 16 characters) of the canonical member JSON.
fn thumbprint(canonical: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())[..16].to_string()
}

/// `at_hash` / `c_hash`: base64url of the left half of SHA-256 of `value` (all our algs use
/// SHA-256).
pub fn half_hash(value: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}
