//! Device authorization grant (RFC 8628) against the emulator.

use std::time::{Duration, Instant};

use serde_json::json;
use upbond_core::{Error, normalize_user_code};

use crate::common::{USER, USER_SUB, assert_hidden, start};

fn never() -> std::future::Pending<()> {
    std::future::pending()
}

#[tokio::test]
async fn approved_device_gets_tokens() {
    let env = start().await;
    let client = env.native();
    let device = client.start_device_authorization(&[]).await.unwrap();
    assert_hidden(&format!("{device:?}"), &[&device.device_code]);
    assert!(device.verification_uri.starts_with(env.issuer()));
    assert!(
        device
            .verification_uri_complete
            .as_deref()
            .is_some_and(|u| u.contains("user_code"))
    );
    assert_eq!(device.interval, Duration::from_secs(1));
    // The user types the code sloppily; both the server and our normaliser accept it.
    let typed = device.user_code.to_lowercase().replace('-', " ");
    assert_eq!(normalize_user_code(&typed).unwrap(), device.user_code);
    env.post("device", json!({"user_code": typed, "email": USER}))
        .await;
    let tokens = client
        .poll_device_authorization(&device, never())
        .await
        .unwrap();
    assert_eq!(tokens.id_token_claims.unwrap().subject, USER_SUB);
}

/// An interval under a second (or none) means RFC 8628's 5 s, never a busy loop.
#[tokio::test]
async fn an_interval_under_a_second_is_the_default() {
    let env = start().await;
    let client = env.native();
    for interval in [json!(0), json!(-3), json!(0.5), json!("0"), json!(null)] {
        let mut answer = json!({"device_code": "dc-1", "user_code": "ABCD-EFGH",
            "verification_uri": format!("{}/device", env.issuer()), "expires_in": 60});
        if !interval.is_null() {
            answer["interval"] = interval.clone();
        }
        env.fault(
            "/oauth/device/code",
            json!({"status": 200, "body": answer.to_string()}),
        )
        .await;
        let device = client.start_device_authorization(&[]).await.unwrap();
        assert_eq!(device.interval, Duration::from_secs(5), "{interval}");
    }
    // A caller's own interval of zero still waits a second between polls.
    let mut device = client.start_device_authorization(&[]).await.unwrap();
    device.interval = Duration::ZERO;
    let before = env.requests("/oauth/token").await;
    let polling =
        client.poll_device_authorization(&device, tokio::time::sleep(Duration::from_millis(2500)));
    assert!(matches!(polling.await, Err(Error::Cancelled)));
    let polls = env.requests("/oauth/token").await - before;
    assert!((1..=3).contains(&polls), "{polls} polls in 2.5 s");
}

#[tokio::test]
async fn polling_waits_while_pending_then_succeeds() {
    let env = start().await;
    let client = env.native();
    let device = client
        .start_device_authorization(&["openid"])
        .await
        .unwrap();
    let approve = async {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        env.post(
            "device",
            json!({"user_code": device.user_code, "email": USER}),
        )
        .await;
    };
    let (tokens, ()) = tokio::join!(client.poll_device_authorization(&device, never()), approve);
    tokens.unwrap();
    assert!(
        env.requests("/oauth/token").await >= 2,
        "at least one authorization_pending poll"
    );
}

#[tokio::test]
async fn denied_device_is_access_denied() {
    let env = start().await;
    let client = env.native();
    let device = client.start_device_authorization(&[]).await.unwrap();
    env.post(
        "device",
        json!({"user_code": device.user_code, "email": USER, "deny": true}),
    )
    .await;
    let err = client
        .poll_device_authorization(&device, never())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "access_denied");
}

#[tokio::test]
async fn expired_device_code_is_reported() {
    let env = start().await;
    let client = env.native();
    let device = client.start_device_authorization(&[]).await.unwrap();
    env.post("device/expire-all", json!({})).await;
    let err = client
        .poll_device_authorization(&device, never())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeviceCodeExpired { .. }), "{err:?}");
    assert_eq!(err.code(), "expired_token");
    assert!(err.requires_reauthentication());
}

#[tokio::test]
async fn slow_down_adds_five_seconds_to_the_interval() {
    let env = start().await;
    let client = env.native();
    let device = client.start_device_authorization(&[]).await.unwrap();
    env.fault(
        "/oauth/token",
        json!({"status": 400, "body": r#"{"error":"slow_down"}"#,
                                     "content_type": "application/json"}),
    )
    .await;
    env.post(
        "device",
        json!({"user_code": device.user_code, "email": USER}),
    )
    .await;
    let started = Instant::now();
    client
        .poll_device_authorization(&device, never())
        .await
        .unwrap();
    // 1 s before the slowed-down poll, then 1 + 5 s before the next one.
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(env.requests("/oauth/token").await, 2);
}

#[tokio::test]
async fn cancellation_stops_polling() {
    let env = start().await;
    let client = env.native();
    let device = client.start_device_authorization(&[]).await.unwrap();
    let cancel = tokio::time::sleep(Duration::from_millis(1500));
    let err = client
        .poll_device_authorization(&device, cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unknown_user_code_is_invalid_user_code() {
    let env = start().await;
    let (status, body) = env
        .hook(
            reqwest::Method::POST,
            "device",
            json!({"user_code": "ZZZZ-ZZZZ", "email": USER}),
        )
        .await;
    assert_eq!(status, 400);
    let err = Error::from_oauth_error(
        body["error"].as_str().unwrap(),
        body["error_description"].as_str(),
    );
    assert_eq!(err.code(), "invalid_user_code");
}

#[tokio::test]
async fn client_without_device_grant_is_unauthorized() {
    let env = start().await;
    let err = env
        .service()
        .start_device_authorization(&["api:read"])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unauthorized_client");
}
