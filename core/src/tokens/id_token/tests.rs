use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use super::*;
use crate::http::now_unix;

const ISS: &str = "https://auth.example.com";
const CLIENT: &str = "demo-app";

struct Signer {
    ec: EncodingKey,
    ed: EncodingKey,
    jwks: JwkSet,
}

fn signer() -> Signer {
    let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let point = ec.public_key().as_ref().to_vec();
    let ed = Ed25519KeyPair::generate().unwrap();
    let jwks = json!({"keys": [
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "alg": "ES256", "use": "sig",
         "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..])},
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "x": URL_SAFE_NO_PAD.encode(ed.public_key().as_ref())},
    ]});
    Signer {
        ec: EncodingKey::from_ec_der(ec.to_pkcs8v1().unwrap().as_ref()),
        ed: EncodingKey::from_ed_der(ed.to_pkcs8().unwrap().as_ref()),
        jwks: crate::discovery::parse_jwks(&jwks).unwrap(),
    }
}

fn claims() -> Value {
    let now = now_unix();
    json!({"iss": ISS, "sub": "usr_1", "aud": CLIENT, "exp": now + 300, "iat": now, "nonce": "n-1"})
}

fn es256(s: &Signer, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("ec-1".into());
    encode(&header, claims, &s.ec).unwrap()
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
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("ed-1".into());
    let ed = encode(&header, &claims(), &s.ed).unwrap();
    let v = validator().with_algorithms(vec![Algorithm::EdDSA]);
    v.validate(&ed, &s.jwks, &checks()).unwrap();
    let array_aud = with(json!({"aud": ["other", CLIENT], "azp": CLIENT}));
    validator()
        .validate(&es256(&s, &array_aud), &s.jwks, &checks())
        .unwrap();
    let no_kid = encode(&Header::new(Algorithm::ES256), &claims(), &s.ec).unwrap();
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
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(b"shared").unwrap(),
    )
    .unwrap();
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
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("rotated".into());
    assert_eq!(
        reason(&s, &encode(&header, &claims(), &s.ec).unwrap()),
        Reason::UnknownKey
    );
    for bad in ["", "abc", "a.b", "a.b.c.d", "!!.e30.x", "e30.e30.e30"] {
        let r = reason(&s, bad);
        assert!(
            matches!(r, Reason::Malformed | Reason::UnsupportedAlgorithm),
            "{bad}: {r:?}"
        );
    }
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
        (
            json!({"azp": "someone-else"}),
            Reason::AuthorizedPartyMismatch,
        ),
        (json!({"exp": now - 120}), Reason::Expired),
        (json!({"exp": null}), Reason::MissingClaim),
        (json!({"exp": "soon"}), Reason::MissingClaim),
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
