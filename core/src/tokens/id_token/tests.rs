use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use serde_json::json;

use super::*;
use crate::http::now_unix;

const ISS: &str = "https://auth.example.com";
const CLIENT: &str = "demo-app";

struct Signer {
    ec: EcdsaKeyPair,
    ed: Ed25519KeyPair,
    jwks: JwkSet,
}

/// A compact JWS of `claims` under `header`, signed by `sign`.
fn jws(header: Value, claims: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(sign(input.as_bytes()));
    format!("{input}.{signature}")
}

impl Signer {
    fn es256_kid(&self, kid: Option<&str>, claims: &Value) -> String {
        let header = match kid {
            Some(kid) => json!({"alg": "ES256", "kid": kid}),
            None => json!({"alg": "ES256"}),
        };
        let rng = SystemRandom::new();
        jws(header, claims, |m| {
            self.ec.sign(&rng, m).unwrap().as_ref().to_vec()
        })
    }

    fn eddsa(&self, claims: &Value) -> String {
        jws(json!({"alg": "EdDSA", "kid": "ed-1"}), claims, |m| {
            self.ed.sign(m).as_ref().to_vec()
        })
    }
}

fn hs256(secret: &[u8], claims: &Value) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    jws(json!({"alg": "HS256"}), claims, |m| {
        hmac::sign(&key, m).as_ref().to_vec()
    })
}

fn signer() -> Signer {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let ec =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = ec.public_key().as_ref().to_vec();
    let ed =
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
    let jwks = json!({"keys": [
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "alg": "ES256", "use": "sig",
         "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..])},
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "x": URL_SAFE_NO_PAD.encode(ed.public_key().as_ref())},
    ]});
    Signer {
        ec,
        ed,
        jwks: crate::discovery::parse_jwks(&jwks).unwrap(),
    }
}

fn claims() -> Value {
    let now = now_unix();
    json!({"iss": ISS, "sub": "usr_1", "aud": CLIENT, "exp": now + 300, "iat": now, "nonce": "n-1"})
}

fn es256(s: &Signer, claims: &Value) -> String {
    s.es256_kid(Some("ec-1"), claims)
}

fn validator() -> IdTokenValidator {
    IdTokenValidator::new(ISS, CLIENT)
}

fn checks() -> IdTokenChecks<'static> {
    IdTokenChecks {
        nonce: Some("n-1"),
        access_token: None,
    }
}

fn reason(s: &Signer, token: &str) -> Reason {
    match validator().validate(token, &s.jwks, &checks()) {
        Err(Error::IdToken { reason, .. }) => reason,
        other => panic!("expected an ID token error, got {other:?}"),
    }
}

fn with(changes: Value) -> Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

#[test]
fn valid_tokens_pass() {
    let s = signer();
    let got = validator()
        .validate(&es256(&s, &claims()), &s.jwks, &checks())
        .unwrap();
    assert_eq!(
        (got.subject.as_str(), got.audience.as_slice()),
        ("usr_1", [CLIENT.to_owned()].as_slice())
    );
    let ed = s.eddsa(&claims());
    let v = validator().with_algorithms(vec![Algorithm::EdDSA]);
    v.validate(&ed, &s.jwks, &checks()).unwrap();
    let array_aud = with(json!({"aud": [CLIENT], "azp": CLIENT}));
    validator()
        .validate(&es256(&s, &array_aud), &s.jwks, &checks())
        .unwrap();
    let no_kid = s.es256_kid(None, &claims());
    validator().validate(&no_kid, &s.jwks, &checks()).unwrap();
}

#[test]
fn algorithm_allowlist() {
    let s = signer();
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(claims().to_string())
    );
    assert_eq!(reason(&s, &none), Reason::UnsupportedAlgorithm);
    let hs = hs256(b"shared", &claims());
    assert_eq!(reason(&s, &hs), Reason::UnsupportedAlgorithm);
    let hmac = validator().with_algorithms(vec![Algorithm::HS256]);
    let no_secret = hmac.validate(&hs, &s.jwks, &checks()).unwrap_err();
    assert_eq!(no_secret.code(), "id_token_unsupported_alg");
    let with_secret = hmac.clone().with_client_secret(Some(Secret::new("shared")));
    with_secret.validate(&hs, &s.jwks, &checks()).unwrap();
    let wrong = hmac.with_client_secret(Some(Secret::new("other")));
    assert_eq!(
        wrong.validate(&hs, &s.jwks, &checks()).unwrap_err().code(),
        "id_token_bad_signature"
    );
    let ed_only = validator().with_algorithms(vec![Algorithm::EdDSA]);
    let err = ed_only
        .validate(&es256(&s, &claims()), &s.jwks, &checks())
        .unwrap_err();
    assert_eq!(err.code(), "id_token_unsupported_alg");
}

#[test]
fn signature_and_key_failures() {
    let s = signer();
    let token = es256(&s, &claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(with(json!({"sub": "usr_evil"})).to_string());
    assert_eq!(reason(&s, &parts.join(".")), Reason::BadSignature);
    assert_eq!(
        reason(&s, &s.es256_kid(Some("rotated"), &claims())),
        Reason::UnknownKey
    );
    for bad in ["", "abc", "a.b", "a.b.c.d", "!!.e30.x", "e30.e30.e30"] {
        let r = reason(&s, bad);
        assert!(
            matches!(r, Reason::Malformed | Reason::UnsupportedAlgorithm),
            "{bad}: {r:?}"
        );
    }
    let crit = jws(
        json!({"alg": "ES256", "kid": "ec-1", "crit": ["exp"], "exp": 1}),
        &claims(),
        |m| {
            s.ec.sign(&SystemRandom::new(), m)
                .unwrap()
                .as_ref()
                .to_vec()
        },
    );
    assert_eq!(reason(&s, &crit), Reason::Malformed, "crit is refused");
    let not_object = format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","kid":"ec-1"}"#),
        URL_SAFE_NO_PAD.encode("[1]")
    );
    assert!(matches!(
        reason(&s, &not_object),
        Reason::Malformed | Reason::BadSignature
    ));
}

#[test]
fn each_claim_failure_has_its_reason() {
    let s = signer();
    let now = now_unix();
    let cases = [
        (json!({"iss": format!("{ISS}/")}), Reason::IssuerMismatch),
        (json!({"iss": null}), Reason::MissingClaim),
        (json!({"aud": "someone-else"}), Reason::AudienceMismatch),
        (json!({"aud": ["a", "b"]}), Reason::AudienceMismatch),
        (
            json!({"aud": format!("other-app {CLIENT}")}),
            Reason::AudienceMismatch,
        ),
        (json!({"aud": 5}), Reason::MissingClaim),
        // Another audience beside the client, with or without azp naming the client.
        (json!({"aud": ["other", CLIENT]}), Reason::AudienceMismatch),
        (
            json!({"aud": ["other", CLIENT], "azp": CLIENT}),
            Reason::AudienceMismatch,
        ),
        (json!({"aud": [CLIENT, 5]}), Reason::MissingClaim),
        (
            json!({"azp": "someone-else"}),
            Reason::AuthorizedPartyMismatch,
        ),
        (json!({"exp": now - 120}), Reason::Expired),
        (json!({"exp": null}), Reason::MissingClaim),
        (json!({"exp": "soon"}), Reason::MissingClaim),
        // NumericDate is a JSON number: a numeric string is refused, not read.
        (
            json!({"exp": (now + 600).to_string()}),
            Reason::MissingClaim,
        ),
        (json!({"iat": now.to_string()}), Reason::MissingClaim),
        (json!({"nbf": "0"}), Reason::MissingClaim),
        (json!({"exp": -1}), Reason::MissingClaim),
        (json!({"iat": now + 600}), Reason::IssuedInFuture),
        (json!({"iat": null}), Reason::MissingClaim),
        (json!({"nbf": now + 600}), Reason::NotYetValid),
        (json!({"sub": null}), Reason::MissingClaim),
        (json!({"sub": ""}), Reason::MissingClaim),
        (json!({"nonce": "n-2"}), Reason::NonceMismatch),
        (json!({"nonce": null}), Reason::MissingClaim),
    ];
    for (changes, expected) in cases {
        let token = es256(&s, &with(changes.clone()));
        assert_eq!(reason(&s, &token), expected, "{changes}");
    }
}

#[test]
fn leeway_applies_to_times() {
    let s = signer();
    let now = now_unix();
    let token = es256(
        &s,
        &with(json!({"exp": now - 30, "iat": now + 30, "nbf": now + 30})),
    );
    validator().validate(&token, &s.jwks, &checks()).unwrap();
    let strict = validator().with_leeway(Duration::ZERO);
    assert_eq!(
        strict
            .validate(&token, &s.jwks, &checks())
            .unwrap_err()
            .code(),
        "id_token_expired"
    );
}

#[test]
fn at_hash_is_checked_when_present() {
    let s = signer();
    let token = es256(
        &s,
        &with(json!({"at_hash": token_hash(Algorithm::ES256, "access-1")})),
    );
    let good = IdTokenChecks {
        nonce: Some("n-1"),
        access_token: Some("access-1"),
    };
    validator().validate(&token, &s.jwks, &good).unwrap();
    let bad = IdTokenChecks {
        nonce: Some("n-1"),
        access_token: Some("access-2"),
    };
    assert_eq!(
        validator()
            .validate(&token, &s.jwks, &bad)
            .unwrap_err()
            .code(),
        "id_token_at_hash_mismatch"
    );
    // OpenID Connect Core example: at_hash of "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y".
    assert_eq!(
        token_hash(
            Algorithm::RS256,
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
}

#[test]
fn rsa_pkcs1_and_pss_signatures() {
    use ring::signature::{
        RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaEncoding, RsaKeyPair, RsaPublicKeyComponents,
    };
    let pem = include_str!("../../../../emulator/keys/rsa-dev.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(key.public());
    let jwks = crate::discovery::parse_jwks(&json!({"keys": [{
        "kty": "RSA", "kid": "rsa-1",
        "n": URL_SAFE_NO_PAD.encode(&public.n),
        "e": URL_SAFE_NO_PAD.encode(&public.e),
    }]}))
    .unwrap();
    let sign = |alg: &str, encoding: &'static dyn RsaEncoding| {
        jws(json!({"alg": alg, "kid": "rsa-1"}), &claims(), |m| {
            let mut signature = vec![0; key.public().modulus_len()];
            key.sign(encoding, &SystemRandom::new(), m, &mut signature)
                .unwrap();
            signature
        })
    };
    let v = validator().with_algorithms(vec![Algorithm::RS256, Algorithm::PS256]);
    let rs256 = sign("RS256", &RSA_PKCS1_SHA256);
    let ps256 = sign("PS256", &RSA_PSS_SHA256);
    v.validate(&rs256, &jwks, &checks()).unwrap();
    v.validate(&ps256, &jwks, &checks()).unwrap();
    // A PKCS#1 signature presented as PSS (or the reverse) does not verify.
    let swapped = |token: &str, alg: &str| {
        let (_, rest) = token.split_once('.').unwrap();
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "kid": "rsa-1"}).to_string());
        format!("{header}.{rest}")
    };
    for token in [swapped(&rs256, "PS256"), swapped(&ps256, "RS256")] {
        let err = v.validate(&token, &jwks, &checks()).unwrap_err();
        assert_eq!(err.code(), "id_token_bad_signature");
    }
}
