//! Per-client rate limits: 429 rate_limit_exceeded with Retry-After, configurable, switchable.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use upbond_emulator::Config;

#[tokio::test]
async fn authentication_limit_is_60_per_minute_per_client() {
    let env = start().await;
    for _ in 0..60 {
        assert_eq!(env.service_token().await.0, StatusCode::OK);
    }
    let response = env
        .http
        .post(env.url("/oauth/token"))
        .basic_auth("demo-service", Some("demo-service-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let (_, body) = json_of(response).await;
    assert_eq!(
        body,
        json!({"error": "rate_limit_exceeded", "error_description": "Too many requests. Please try again later."})
    );
    // Another client is not affected.
    let (_, challenge) = pkce();
    let query = env
        .approve(&env.authorize_url("openid", &challenge, &[]), DEMO_USER)
        .await;
    assert!(query.contains_key("code"));
    // Switching limits off at run time.
    env.hook("/settings", json!({ "rate_limits": false })).await;
    assert_eq!(env.service_token().await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_limit_is_30_per_minute() {
    let env = start().await;
    env.hook("/settings", json!({ "refresh_rotation": false }))
        .await;
    let tokens = env.login().await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", "demo-app"),
        ("refresh_token", rt),
    ];
    for _ in 0..30 {
        assert_eq!(env.token(&form).await.0, StatusCode::OK);
    }
    let (status, body) = env.token(&form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded"))
    );
}

#[tokio::test]
async fn email_limit_is_10_and_user_management_100() {
    let env = start().await;
    let tokens = env.login().await;
    let at = tokens["access_token"].as_str().unwrap();
    let resend = format!(
        "{}/api/v1/users/{DEMO_SUB}/email/resend-verification",
        env.issuer
    );
    for _ in 0..10 {
        assert_eq!(
            env.http
                .post(&resend)
                .bearer_auth(at)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    let response = env.http.post(&resend).bearer_auth(at).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let profile = format!("{}/api/v1/users/{DEMO_SUB}", env.issuer);
    for _ in 0..100 {
        assert_eq!(
            env.http
                .get(&profile)
                .bearer_auth(at)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        env.http
            .get(&profile)
            .bearer_auth(at)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn limits_are_configurable_and_can_be_off() {
    let mut config = Config::default();
    config.rate_limits.authentication_per_min = 2;
    let env = start_with(config).await;
    assert_eq!(env.service_token().await.0, StatusCode::OK);
    assert_eq!(env.service_token().await.0, StatusCode::OK);
    assert_eq!(env.service_token().await.0, StatusCode::TOO_MANY_REQUESTS);
    // Authorization requests count as authentication too; the limit answers JSON, not a redirect.
    let (_, challenge) = pkce();
    let url = env.authorize_url("openid", &challenge, &[]);
    env.hook("/authorize", json!({ "url": url })).await;
    env.hook("/authorize", json!({ "url": url })).await;
    let (status, body) = env.hook("/authorize", json!({ "url": url })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded"))
    );

    let mut config = Config::default();
    config.rate_limits.enabled = false;
    let env = start_with(config).await;
    for _ in 0..70 {
        assert_eq!(env.service_token().await.0, StatusCode::OK);
    }
}
