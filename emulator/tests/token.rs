//! /oauth/token: all four grants, client authentication, body formats and errors.

mod common;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use upbond_emulator::{ClientConfig, Config};

fn verify_with_jwks(jwt: &str, jwks: &Value, aud: &str) -> Value {
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let kid = jwt_header(jwt)["kid"].as_str().unwrap().to_string();
    let jwk = set.find(&kid).expect("kid in JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let alg: jsonwebtoken::Algorithm = jwt_header(jwt)["alg"].as_str().unwrap().parse().unwrap();
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.set_audience(&[aud]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .expect("signature verifies")
        .claims
}

#[tokio::test]
async fn authorization_code_grant_issues_verified_tokens() {
    let env = start().await;
    let tokens = env.login().await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "openid profile email offline_access");
    assert!(tokens["refresh_token"].as_str().unwrap().starts_with("rt_"));
    let jwks: Value = env
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let id = verify_with_jwks(tokens["id_token"].as_str().unwrap(), &jwks, "demo-app");
    assert_eq!(id["iss"], env.issuer);
    assert_eq!(id["sub"], DEMO_SUB);
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["email"], DEMO_USER);
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Demo User");
    assert!(id["at_hash"].is_string() && id["auth_time"].is_i64());
    let access = verify_with_jwks(tokens["access_token"].as_str().unwrap(), &jwks, &env.issuer);
    assert_eq!(access["client_id"], "demo-app");
    assert_eq!(
        jwt_header(tokens["access_token"].as_str().unwrap())["typ"],
        "at+jwt"
    );
}

#[tokio::test]
async fn authorization_code_is_single_use_and_replay_revokes_its_tokens() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let query = env
        .approve(
            &env.authorize_url("openid offline_access", &challenge, &[]),
            DEMO_USER,
        )
        .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "demo-app"),
        ("code", query["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    let (status, tokens) = env.token(&form).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = env.token(&form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (_, body) = env.refresh(refresh).await;
    assert_eq!(body["error"], "invalid_grant");
    let response = env.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Other sign-ins are untouched.
    let other = env.login().await;
    assert_eq!(
        env.userinfo(other["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn code_exchange_checks_pkce_redirect_uri_and_client() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let wrong_verifier = "w".repeat(43);
    let cases: [(&str, &str, &str); 4] = [
        ("demo-app", REDIRECT, wrong_verifier.as_str()),
        ("demo-app", "http://127.0.0.1:9/callback", verifier.as_str()),
        ("demo-app", REDIRECT, "short"),
        ("demo-app", REDIRECT, ""),
    ];
    for (client, redirect, verifier_sent) in cases {
        let query = env
            .approve(&env.authorize_url("openid", &challenge, &[]), DEMO_USER)
            .await;
        let (status, body) = env
            .token(&[
                ("grant_type", "authorization_code"),
                ("client_id", client),
                ("code", &query["code"]),
                ("redirect_uri", redirect),
                ("code_verifier", verifier_sent),
            ])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{redirect} {verifier_sent}"
        );
    }
    let (status, body) = env.exchange("ac_bogus", &verifier).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn expired_code_is_rejected() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let query = env
        .approve(&env.authorize_url("openid", &challenge, &[]), DEMO_USER)
        .await;
    env.hook("/clock", json!({ "offset_secs": 601 })).await;
    let (_, body) = env.exchange(&query["code"], &verifier).await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let env = start().await;
    let tokens = env.login().await;
    let first = tokens["refresh_token"].as_str().unwrap();
    let (status, second) = env.refresh(first).await;
    assert_eq!(status, StatusCode::OK);
    let second_rt = second["refresh_token"].as_str().unwrap();
    assert_ne!(second_rt, first);
    assert!(second["id_token"].is_string());
    // Reusing the rotated token revokes the whole family, including the newest tokens.
    let (status, body) = env.refresh(first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (_, body) = env.refresh(second_rt).await;
    assert_eq!(body["error"], "invalid_grant");
    let userinfo = env.userinfo(second["access_token"].as_str().unwrap()).await;
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_settings_rotation_off_and_no_refresh_token() {
    let env = start().await;
    let tokens = env.login().await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    env.hook("/settings", json!({ "refresh_rotation": false }))
        .await;
    let (_, body) = env.refresh(rt).await;
    assert_eq!(body["refresh_token"], rt);
    let (status, _) = env.refresh(rt).await;
    assert_eq!(status, StatusCode::OK);
    env.hook(
        "/settings",
        json!({ "refresh_rotation": true, "refresh_returns_refresh_token": false }),
    )
    .await;
    let (_, body) = env.refresh(rt).await;
    assert!(body.get("refresh_token").is_none() && body["access_token"].is_string());
    let (status, _) = env.refresh(rt).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the old token stays valid when none is returned"
    );
}

#[tokio::test]
async fn refresh_scope_narrowing_expiry_and_client_binding() {
    let env = start().await;
    let tokens = env.login().await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (_, body) = env
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "demo-app"),
            ("refresh_token", rt),
            ("scope", "openid admin"),
        ])
        .await;
    assert_eq!(body["error"], "invalid_scope");
    let (status, body) = env
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "demo-app"),
            ("refresh_token", rt),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["scope"], "openid");
    let rt2 = body["refresh_token"].as_str().unwrap().to_string();
    env.hook("/clock", json!({ "offset_secs": 31 * 24 * 3600 }))
        .await;
    let (_, body) = env.refresh(&rt2).await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn access_token_ttl_setting_applies() {
    let env = start().await;
    env.hook("/settings", json!({ "access_token_ttl_secs": 5 }))
        .await;
    let (_, body) = env.service_token().await;
    assert_eq!(body["expires_in"], 5);
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 5);
}

#[tokio::test]
async fn client_credentials_with_basic_post_and_json() {
    let env = start().await;
    let (status, body) = env.service_token().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["scope"], "api:read api:write");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["sub"], "demo-service");

    let (status, body) = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-service"),
            ("client_secret", "demo-service-secret"),
            ("scope", "api:read"),
        ])
        .await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (StatusCode::OK, Some("api:read"))
    );

    let response = env
        .http
        .post(env.url("/oauth/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": "demo-service", "client_secret": "demo-service-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].is_string());

    let (_, body) = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-service"),
            ("client_secret", "demo-service-secret"),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded_before_base64() {
    let mut config = Config::default();
    config.clients.push(ClientConfig {
        client_id: "svc:one".into(),
        client_secret: Some("p@ss w%rd+&=".into()),
        name: String::new(),
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: vec!["client_credentials".into()],
        scopes: vec!["api:read".into()],
        require_pkce: true,
        suspended: false,
    });
    let env = start_with(config).await;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let send = |user: String, pass: String| {
        let value = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        env.http
            .post(env.url("/oauth/token"))
            .header("authorization", format!("Basic {value}"))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    let (status, body) = json_of(send(enc("svc:one"), enc("p@ss w%rd+&=")).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = send("svc:one".into(), "p@ss w%rd+&=".into()).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_client_answers_401_with_basic_challenge() {
    let env = start().await;
    let response = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth("demo-service", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let (_, body) = json_of(response).await;
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "Client authentication failed"})
    );

    for form in [
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "demo-service"),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "ghost"),
            ("client_secret", "x"),
        ],
        vec![("grant_type", "client_credentials")],
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", "demo-app"),
            ("client_secret", "x"),
            ("code", "c"),
        ],
    ] {
        let (status, body) = env.token(&form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{form:?}"
        );
    }
    env.hook("/clients/demo-service", json!({ "suspended": true }))
        .await;
    let (status, body) = env.service_token().await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, _) = env
        .hook("/clients/ghost", json!({ "suspended": true }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn grant_and_request_errors() {
    let env = start().await;
    let (status, body) = env
        .token(&[("grant_type", "password"), ("client_id", "demo-app")])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (_, body) = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-app"),
        ])
        .await;
    assert_eq!(body["error"], "unauthorized_client");
    let (_, body) = env.token(&[("client_id", "demo-app")]).await;
    assert_eq!(body["error"], "invalid_request");
    let (_, body) = env
        .token(&[("grant_type", "refresh_token"), ("client_id", "demo-app")])
        .await;
    assert_eq!(body["error"], "invalid_request");
    let (_, body) = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
            ("client_id", "demo-app"),
        ])
        .await;
    assert_eq!(body["error"], "invalid_request");
    let both = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth("demo-service", Some("demo-service-secret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_secret", "demo-service-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(both).await.1["error"], "invalid_request");
    for (content_type, body) in [
        ("application/json", "{not json"),
        ("application/json", "[1]"),
        ("text/xml", "<a/>"),
        ("application/json", r#"{"grant_type": ["a"]}"#),
        // A repeated member is refused like a repeated form parameter, not "last one wins".
        (
            "application/json",
            r#"{"grant_type": "client_credentials", "client_id": "demo-app",
                "client_id": "demo-service", "client_secret": "demo-service-secret"}"#,
        ),
    ] {
        let response = env
            .http
            .post(env.url("/oauth/token"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, json) = json_of(response).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
    }
    let response = env.http.get(env.url("/oauth/token")).send().await.unwrap();
    let (status, json) = json_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json["error"], "invalid_request");
}

#[tokio::test]
async fn es256_tokens_via_settings() {
    let env = start().await;
    env.hook(
        "/settings",
        json!({ "id_token_alg": "ES256", "access_token_alg": "ES256" }),
    )
    .await;
    let tokens = env.login().await;
    let jwks: Value = env
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    for jwt in [
        tokens["id_token"].as_str().unwrap(),
        tokens["access_token"].as_str().unwrap(),
    ] {
        assert_eq!(jwt_header(jwt)["alg"], "ES256");
    }
    verify_with_jwks(tokens["id_token"].as_str().unwrap(), &jwks, "demo-app");
    let (status, body) = env
        .hook("/settings", json!({ "id_token_alg": "HS256" }))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}
