//! Property tests: no server input, however odd, makes a parser panic.

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::discovery::{ProviderMetadata, parse_jwks};
use crate::http::{HttpResponse, OAuthError, error_from_code};
use crate::tokens::id_token::{IdTokenChecks, IdTokenValidator};
use crate::tokens::response::TokenSet;
use crate::tokens::userinfo::UserInfo;

const MEMBERS: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "id_token",
    "scope",
    "error",
    "error_description",
    "provider",
    "issuer",
    "token_endpoint",
    "jwks_uri",
    "keys",
    "kty",
    "crv",
    "x",
    "y",
    "n",
    "e",
    "kid",
    "alg",
    "use",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "azp",
    "at_hash",
    "email_verified",
    "scopes_supported",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => prop::sample::select(MEMBERS).prop_map(str::to_owned), 1 => ".{0,12}"]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "[0-9. -]{0,8}".prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop::sample::select(vec![
            "Bearer",
            "bearer",
            "DPoP",
            "",
            "https://x.example",
            "RS256",
            "none"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(key(), json_value(), 0..10)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let value = prop_oneof![
        "[ -~]{0,40}",
        Just("Bearer error=\"invalid_token\", scope=\"a b\"".to_owned()),
        Just("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()),
        "[0-9]{0,25}",
    ];
    let name = prop::sample::select(vec![
        "retry-after",
        "www-authenticate",
        "date",
        "content-type",
    ]);
    prop::collection::vec((name, value), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v.parse().ok()?)))
            .collect()
    })
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_responses_never_panic(value in json_value(), obj in object(), now in any::<u64>()) {
        let _ = TokenSet::from_json(&value, now, 0);
        if let Ok(tokens) = TokenSet::from_json(&obj, now, 0) {
            prop_assert!(!tokens.access_token.is_empty());
        }
    }

    #[test]
    fn error_bodies_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..200),
        obj in object(),
        status in 100u16..600,
        headers in headers(),
    ) {
        let status = StatusCode::from_u16(status).unwrap();
        for body in [body, obj.to_string().into_bytes()] {
            let response = HttpResponse::new(status, headers.clone(), body);
            if let Err(e) = response.into_json() {
                let _ = (e.code(), e.message(), e.causes(), e.is_retryable(), e.retry_after());
            }
        }
        if let Some(oauth) = OAuthError::from_value(&obj) {
            let _ = error_from_code(oauth, Some(status.as_u16()), None).message();
        }
    }

    #[test]
    fn discovery_and_jwks_never_panic(value in json_value(), obj in object(), issuer in ".{0,20}") {
        let _ = ProviderMetadata::from_json(value.clone(), &issuer);
        let _ = ProviderMetadata::from_json(obj.clone(), &issuer);
        let _ = parse_jwks(&value);
        let _ = parse_jwks(&json!({"keys": [obj, value]}));
    }

    #[test]
    fn id_tokens_and_userinfo_never_panic(
        header in object(),
        payload in json_value(),
        raw in ".{0,80}",
        sig in "[A-Za-z0-9_-]{0,20}",
    ) {
        let validator = IdTokenValidator::new("https://a.example", "demo-app");
        let jwks = parse_jwks(&json!({"keys": []})).unwrap();
        let checks = IdTokenChecks { nonce: Some("n"), access_token: Some("a") };
        let token = format!("{}.{}.{sig}", b64(&header), b64(&payload));
        let _ = validator.validate(&token, &jwks, &checks);
        let _ = validator.validate(&raw, &jwks, &checks);
        let _ = validator.check_claims(jsonwebtoken::Algorithm::ES256, payload.clone(), &checks, 1_700_000_000);
        let _ = UserInfo::from_claims(payload, Some("usr"));
    }

    #[test]
    fn user_codes_never_panic(input in ".{0,30}") {
        if let Ok(code) = crate::normalize_user_code(&input) {
            prop_assert_eq!(crate::normalize_user_code(&code).ok(), Some(code));
        }
    }
}
