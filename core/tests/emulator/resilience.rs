//! Retries, Retry-After, rate budgets and timeouts against the emulator's fault injection.
//! Request counts come from /_emulator/stats; waits are small and only bounded from below.

use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use upbond_core::{BudgetExhausted, Client, Config, Error, RateBudgets, RetryPolicy};

use crate::common::{Env, USER_SUB, start};

const DISCOVERY: &str = "/.well-known/openid-configuration";
const TOKEN: &str = "/oauth/token";

/// Retries with tiny backoffs so tests stay quick.
fn quick(config: Config) -> Config {
    Config {
        retry: RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
            ..RetryPolicy::default()
        },
        ..config
    }
}

fn client(config: Config) -> Client {
    Client::new(quick(config)).expect("valid config")
}

#[tokio::test]
async fn idempotent_calls_retry_5xx_and_dropped_connections() {
    let env = start().await;
    env.fault(DISCOVERY, json!({"status": 503, "times": 1}))
        .await;
    env.fault(DISCOVERY, json!({"drop_connection": true})).await;
    let client = client(env.native_config());
    client.discover().await.expect("third attempt succeeds");
    assert_eq!(env.requests(DISCOVERY).await, 3);
    let attempts: Vec<u32> = client
        .support_report()
        .recent_requests
        .iter()
        .map(|r| r.attempt)
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
}

#[tokio::test]
async fn retries_stop_at_max_attempts_with_the_last_error() {
    let env = start().await;
    env.fault(
        DISCOVERY,
        json!({"status": 502, "times": 5, "content_type": "text/html", "body": "<p>down</p>"}),
    )
    .await;
    let err = client(env.native_config()).discover().await.unwrap_err();
    assert_eq!(err.code(), "http_server_error");
    assert_eq!(env.requests(DISCOVERY).await, 3);
}

#[tokio::test]
async fn timeouts_are_retried_only_for_idempotent_calls() {
    let env = start().await;
    env.fault(DISCOVERY, json!({"delay_ms": 1500})).await;
    let config = Config {
        request_timeout: Duration::from_millis(300),
        ..env.service_config()
    };
    let service = client(config);
    service.discover().await.expect("retried after the timeout");
    assert_eq!(env.requests(DISCOVERY).await, 2);
    // A token request that timed out may have been processed: not sent again.
    env.fault(TOKEN, json!({"delay_ms": 1500})).await;
    let err = service.client_credentials(&["api:read"]).await.unwrap_err();
    assert_eq!(err.code(), "network_timeout");
    assert_eq!(env.requests(TOKEN).await, 1);
}

#[tokio::test]
async fn an_authorization_code_is_never_replayed_once_the_server_may_have_seen_it() {
    let env = start().await;
    let client = client(env.native_config());
    for (fault, code) in [
        (
            json!({"status": 503, "retry_after": "0"}),
            "http_server_error",
        ),
        (
            json!({"status": 500, "body": r#"{"error":"server_error"}"#, "content_type": "application/json"}),
            "server_error",
        ),
        (json!({"drop_connection": true}), "network_reset"),
    ] {
        let (pending, callback) = env.authorize(&client, Default::default(), false).await;
        let before = env.requests(TOKEN).await;
        env.fault(TOKEN, fault).await;
        let err = client
            .complete_authorization(&pending, &callback)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(
            env.requests(TOKEN).await,
            before + 1,
            "{code}: not replayed"
        );
    }
}

#[tokio::test]
async fn a_refresh_is_never_replayed_once_the_server_may_have_seen_it() {
    let env = start().await;
    let client = client(env.native_config());
    let tokens = env.login(&client).await;
    let refresh_token = tokens.refresh_token.expect("refresh token");
    for (fault, code) in [
        (json!({"status": 502}), "http_server_error"),
        (json!({"drop_connection": true}), "network_reset"),
    ] {
        let before = env.requests(TOKEN).await;
        env.fault(TOKEN, fault).await;
        let err = client.refresh(&refresh_token).await.unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(
            env.requests(TOKEN).await,
            before + 1,
            "{code}: not replayed"
        );
    }
    // A 429 means "not processed": that one is safe to send again.
    let before = env.requests(TOKEN).await;
    env.fault(TOKEN, json!({"status": 429, "retry_after": "0"}))
        .await;
    client
        .refresh(&refresh_token)
        .await
        .expect("retried after 429");
    assert_eq!(env.requests(TOKEN).await, before + 2);
}

#[tokio::test]
async fn failures_to_connect_are_retried_even_for_single_use_grants() {
    let env = start().await;
    let client = client(env.native_config());
    client.discover().await.unwrap();
    env.emulator.shutdown().await;
    let err = client.refresh(&"rt-never-sent".into()).await.unwrap_err();
    assert_eq!(err.code(), "network_connect");
    let metrics = client.metrics();
    let refresh = metrics
        .endpoints
        .iter()
        .find(|e| e.endpoint == "token.refresh_token")
        .expect("refresh attempts");
    assert_eq!((refresh.requests, refresh.errors), (3, 3));
    assert_eq!(metrics.errors_by_code.get("network_connect"), Some(&1));
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_for() {
    let env = start().await;
    env.fault(DISCOVERY, json!({"status": 503, "retry_after": "1"}))
        .await;
    let started = Instant::now();
    client(env.native_config()).discover().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(env.requests(DISCOVERY).await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_future_or_past() {
    let env = start().await;
    let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    env.fault(DISCOVERY, json!({"status": 429, "retry_after": soon}))
        .await;
    let started = Instant::now();
    client(env.native_config()).discover().await.unwrap();
    // The date has one-second resolution: at least one second is left of the two.
    assert!(started.elapsed() >= Duration::from_millis(900));
    let past = "Sun, 06 Nov 1994 08:49:37 GMT";
    env.fault(DISCOVERY, json!({"status": 503, "retry_after": past}))
        .await;
    client(env.native_config()).discover().await.unwrap();
    assert_eq!(env.requests(DISCOVERY).await, 4);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_ends_the_call_and_is_exposed() {
    let env = start().await;
    env.fault(DISCOVERY, json!({"status": 503, "retry_after": "120"}))
        .await;
    let err = client(env.native_config()).discover().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(env.requests(DISCOVERY).await, 1);
}

#[tokio::test]
async fn disabled_retries_send_once() {
    let env = start().await;
    env.fault(DISCOVERY, json!({"status": 503})).await;
    let err = Env::no_retry(env.native_config())
        .discover()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "http_server_error");
    assert_eq!(env.requests(DISCOVERY).await, 1);
}

/// One request allowed per category: the second fails locally and never reaches the server.
#[tokio::test]
async fn each_category_has_its_own_budget() {
    let env = start().await;
    let budgets = RateBudgets {
        authentication: 1,
        token_refresh: 1,
        user_management: 1,
        email_operations: 1,
        ..RateBudgets::default()
    };
    let config = Config {
        rate_budgets: budgets,
        ..env.native_config()
    };
    let client = client(config);
    let tokens = env.login(&client).await;
    let token = tokens.access_token.clone();
    let refresh_token = tokens.refresh_token.clone().unwrap();
    let refreshed = client.refresh(&refresh_token).await.unwrap();
    let api = client.user_api();
    api.profile(&token, USER_SUB).await.unwrap();
    api.resend_verification_email(&token, USER_SUB)
        .await
        .unwrap();
    let sent = env.requests(TOKEN).await;

    let limited = [
        ("authentication", env.try_login(&client).await.unwrap_err()),
        (
            "token_refresh",
            client
                .refresh(refreshed.refresh_token.as_ref().unwrap())
                .await
                .unwrap_err(),
        ),
        (
            "user_management",
            api.profile(&token, USER_SUB).await.unwrap_err(),
        ),
        (
            "email_operations",
            api.resend_verification_email(&token, USER_SUB)
                .await
                .unwrap_err(),
        ),
    ];
    for (category, err) in limited {
        match &err {
            Error::RateBudgetExhausted {
                category: c,
                retry_after,
            } => {
                assert_eq!(c.as_str(), category);
                assert!(*retry_after > Duration::ZERO && *retry_after <= Duration::from_secs(60));
            }
            other => panic!("{category}: expected a local budget error, got {other:?}"),
        }
        assert_eq!(err.code(), "rate_budget_exhausted");
        assert!(err.is_retryable());
    }
    assert_eq!(env.requests(TOKEN).await, sent, "nothing was sent");
    let path = format!("/api/v1/users/{USER_SUB}/email/resend-verification");
    assert_eq!(env.requests(&path).await, 1);
}

#[tokio::test]
async fn a_spent_budget_can_wait_instead() {
    let env = start().await;
    let config = Config {
        rate_budgets: RateBudgets {
            authentication: 1,
            window: Duration::from_millis(700),
            when_exhausted: BudgetExhausted::Wait,
            ..RateBudgets::default()
        },
        ..env.service_config()
    };
    let service = client(config);
    let started = Instant::now();
    for _ in 0..3 {
        service.client_credentials(&["api:read"]).await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(1400));
    assert_eq!(env.requests(TOKEN).await, 3);
}
