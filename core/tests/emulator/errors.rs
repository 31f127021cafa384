//! Transport failures, sloppy server answers and rate limits over real HTTP.

use std::time::{Duration, SystemTime};

use serde_json::json;
use upbond_core::{Client, Config, Error, NetworkErrorKind};

use crate::common::{Env, start, start_with};

fn network_kind(err: &Error) -> NetworkErrorKind {
    match err {
        Error::Network { kind, .. } => *kind,
        other => panic!("expected a network error, got {other:?}"),
    }
}

#[tokio::test]
async fn html_502_becomes_a_typed_http_error() {
    let env = start().await;
    let err = env
        .token_answer(json!({"status": 502, "content_type": "text/html",
        "body": "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"}))
        .await
        .unwrap_err();
    match &err {
        Error::Http {
            status, excerpt, ..
        } => {
            assert_eq!(*status, 502);
            assert!(excerpt.contains("502 Bad Gateway"), "{excerpt}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.code(), "http_server_error");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn plain_text_429_with_retry_after_seconds_and_date() {
    let env = start().await;
    let err = env
        .token_answer(json!({"status": 429, "content_type": "text/plain",
        "body": "Too many requests", "retry_after": "3"}))
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.retry_after()),
        ("rate_limit_exceeded", Some(Duration::from_secs(3)))
    );
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    let err = env
        .token_answer(
            json!({"status": 429, "body": "{}", "content_type": "application/json",
        "retry_after": later}),
        )
        .await
        .unwrap_err();
    let wait = err.retry_after().expect("retry-after date");
    assert!((100..=121).contains(&wait.as_secs()), "{wait:?}");
}

#[tokio::test]
async fn real_rate_limit_reports_retry_after() {
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.authentication_per_min = 3;
    let env = start_with(config).await;
    let client = env.service();
    for _ in 0..3 {
        client.client_credentials(&["api:read"]).await.unwrap();
    }
    let err = client.client_credentials(&["api:read"]).await.unwrap_err();
    assert_eq!(err.code(), "rate_limit_exceeded");
    assert!(
        err.retry_after()
            .is_some_and(|d| d <= Duration::from_secs(60))
    );
    assert!(
        err.message().contains("Too many requests"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn every_sloppy_or_failing_answer_gets_its_code() {
    let env = start().await;
    let json = "application/json";
    let cases = [
        (
            200,
            json,
            r#"{"error":"invalid_grant","error_description":"Code already redeemed ✓"}"#,
            "invalid_grant",
        ),
        (
            503,
            json,
            r#"{"error":"temporarily_unavailable","error_description":null}"#,
            "server_error",
        ),
        (
            400,
            json,
            r#"{"error":{"code":7},"error_description":["x"]}"#,
            "oauth_error",
        ),
        (
            200,
            json,
            r#"{"access_token":"x","token_type":"mac"}"#,
            "unsupported_token_type",
        ),
        (200, json, r#"{"token_type":"Bearer"}"#, "protocol_error"),
        (200, "text/html", "<p>hi</p>", "protocol_error"),
        (404, "text/plain", "no route", "http_client_error"),
    ];
    for (status, content_type, body, code) in cases {
        let spec = json!({"status": status, "content_type": content_type, "body": body, "retry_after": "5"});
        let err = env.token_answer(spec).await.unwrap_err();
        assert_eq!(err.code(), code, "{status} {body}");
        if code == "invalid_grant" {
            assert!(
                err.message().contains("Code already redeemed ✓"),
                "{}",
                err.message()
            );
        }
        if code == "server_error" {
            assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
        }
    }
}

#[tokio::test]
async fn sloppy_token_responses_are_accepted() {
    let env = start().await;
    let body = json!({"access_token": "opaque", "token_type": "BEARER", "expires_in": "120",
                      "refresh_token": null, "scope": ["api:read"], "extra": {"nested": [null]}});
    let spec = json!({"status": 200, "content_type": "application/json", "body": body.to_string()});
    let tokens = env.token_answer(spec).await.unwrap();
    let expires_in = tokens.expires_in().expect("expiry known").as_secs();
    assert!((110..=120).contains(&expires_in), "{expires_in}");
    assert_eq!(tokens.refresh_token, None);
    assert_eq!(tokens.scopes, Some(vec!["api:read".to_owned()]));
}

#[tokio::test]
async fn timeout_is_its_own_kind() {
    let env = start().await;
    env.fault(
        "/.well-known/openid-configuration",
        json!({"delay_ms": 3000}),
    )
    .await;
    let config = Config {
        request_timeout: Duration::from_millis(300),
        ..env.native_config()
    };
    let err = Env::no_retry(config).discover().await.unwrap_err();
    assert_eq!(network_kind(&err), NetworkErrorKind::Timeout);
    assert_eq!(err.code(), "network_timeout");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn dropped_connection_is_a_reset() {
    let env = start().await;
    env.fault(
        "/.well-known/openid-configuration",
        json!({"drop_connection": true}),
    )
    .await;
    let err = Env::no_retry(env.native_config())
        .discover()
        .await
        .unwrap_err();
    assert_eq!(network_kind(&err), NetworkErrorKind::Reset, "{err:?}");
    assert_eq!(err.code(), "network_reset");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn refused_connection_is_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(Config::new(format!("http://127.0.0.1:{port}"), "demo-app")).unwrap();
    let err = client.discover().await.unwrap_err();
    assert_eq!(network_kind(&err), NetworkErrorKind::Connect);
    assert_eq!(err.code(), "network_connect");
}

#[tokio::test]
async fn unknown_host_is_a_dns_failure() {
    let client = Client::new(Config::new("https://upbond-core-test.invalid", "demo-app")).unwrap();
    let err = client.discover().await.unwrap_err();
    assert_eq!(network_kind(&err), NetworkErrorKind::Dns, "{err:?}");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_failure() {
    let env = start().await;
    let issuer = format!("https://{}", env.emulator.addr());
    let err = Client::new(Config::new(issuer, "demo-app"))
        .unwrap()
        .discover()
        .await
        .unwrap_err();
    assert_eq!(network_kind(&err), NetworkErrorKind::Tls, "{err:?}");
    assert!(!err.is_retryable());
}
