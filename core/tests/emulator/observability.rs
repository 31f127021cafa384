//! Redacted debug logs of every flow, metrics figures and the support report.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use upbond_core::{
    AuthOutcome, ClientAuthMethod, Config, HttpExchange, LogLevel, Logger, MetricsObserver, Secret,
    TokenTypeHint,
};

use crate::common::{Env, USER_SUB, assert_hidden, start};

/// Keeps every log line.
#[derive(Default)]
struct Capture(Mutex<Vec<String>>);

impl Logger for Capture {
    fn log(&self, level: LogLevel, target: String, message: String) {
        let line = format!("{level} {target} {message}");
        self.0.lock().unwrap().push(line);
    }
}

/// Keeps every metrics event.
#[derive(Default)]
struct Events {
    exchanges: Mutex<Vec<HttpExchange>>,
    outcomes: Mutex<Vec<AuthOutcome>>,
}

impl MetricsObserver for Events {
    fn on_http_exchange(&self, exchange: HttpExchange) {
        self.exchanges.lock().unwrap().push(exchange);
    }

    fn on_auth_outcome(&self, outcome: AuthOutcome) {
        self.outcomes.lock().unwrap().push(outcome);
    }
}

fn param(url: &str, name: &str) -> Secret {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| Secret::new(v.into_owned()))
        .expect("parameter present")
}

async fn outbox_code(env: &Env, kind: &str) -> Secret {
    let (_, outbox) = env.hook(reqwest::Method::GET, "outbox", Value::Null).await;
    let mail = outbox
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["kind"] == kind))
        .cloned()
        .expect("mail sent");
    Secret::new(mail["code"].as_str().unwrap())
}

/// Every flow, at the most verbose level, with retries and failures: the captured logs,
/// the support reports and the metrics hold none of the secret values.
#[tokio::test]
async fn redaction_sweep_over_every_flow_at_the_most_verbose_level() {
    let capture = Arc::new(Capture::default());
    upbond_core::set_logger(Some(capture.clone()));
    upbond_core::set_debug(true);
    let env = start().await;
    let client = env.native();
    let mut secrets: Vec<Secret> = Vec::new();

    // Authorization code (with a retried discovery), refresh, userinfo, user API.
    env.fault(
        "/.well-known/openid-configuration",
        json!({"status": 503, "retry_after": "0"}),
    )
    .await;
    let (pending, callback) = env.authorize(&client, Default::default(), false).await;
    secrets.extend([param(&callback, "code"), pending.code_verifier.clone()]);
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    let refresh_token = tokens.refresh_token.clone().unwrap();
    let refreshed = client.refresh(&refresh_token).await.unwrap();
    let access = refreshed.access_token.clone();
    client.userinfo(&access, Some(USER_SUB)).await.unwrap();
    client.userinfo_jwt(&access, Some(USER_SUB)).await.unwrap();
    let api = client.user_api();
    api.profile(&access, USER_SUB).await.unwrap();
    api.resend_verification_email(&access, USER_SUB)
        .await
        .unwrap();
    let wrong = Secret::new("wrong-password-7f3a");
    api.change_email(&access, USER_SUB, "sweep@example.com", &wrong)
        .await
        .unwrap_err();
    let password = Secret::new("demo-password");
    api.change_email(&access, USER_SUB, "sweep@example.com", &password)
        .await
        .unwrap();
    let email_code = outbox_code(&env, "email_change").await;
    api.verify_email(&access, USER_SUB, &email_code)
        .await
        .unwrap();
    let logout = upbond_core::LogoutOptions {
        id_token_hint: tokens.id_token.clone(),
        ..Default::default()
    };
    client.logout_url(logout).await.unwrap();
    // The old refresh token was rotated: reusing it fails (and revokes the family).
    client.refresh(&refresh_token).await.unwrap_err();
    client
        .revoke(&access, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    client.userinfo(&access, None).await.unwrap_err();
    // The same code again: a failed exchange is logged too.
    client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap_err();
    secrets.extend([wrong, password, email_code]);
    for t in [&tokens, &refreshed] {
        secrets.push(t.access_token.clone());
        secrets.extend(t.refresh_token.clone());
        secrets.extend(t.id_token.clone());
    }

    // Device flow.
    let device = client.start_device_authorization(&[]).await.unwrap();
    // The user's address is the new one since the email change above.
    env.post(
        "device",
        json!({"user_code": device.user_code, "email": "sweep@example.com"}),
    )
    .await;
    let device_tokens = client
        .poll_device_authorization(&device, std::future::pending())
        .await
        .unwrap();
    secrets.extend([
        device.device_code.clone(),
        device_tokens.access_token.clone(),
    ]);
    secrets.extend(device_tokens.refresh_token.clone());

    // Client credentials, with the secret in the body and in the Basic header.
    let client_secret = Secret::new("demo-service-secret");
    let post = Config {
        auth_method: Some(ClientAuthMethod::ClientSecretPost),
        ..env.service_config()
    };
    let service = upbond_core::Client::new(post).unwrap();
    let service_tokens = service.client_credentials(&["api:read"]).await.unwrap();
    let basic = env.service();
    basic.client_credentials(&["api:read"]).await.unwrap();
    secrets.extend([
        client_secret,
        service_tokens.access_token.clone(),
        // base64("demo-service:demo-service-secret") as sent in the Basic header.
        Secret::new("ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ"),
    ]);

    let mut text = capture.0.lock().unwrap().join("\n");
    for c in [&client, &service, &basic] {
        let report = c.support_report();
        text.push_str(&report.to_json());
        text.push_str(&report.to_string());
        text.push_str(&format!("{:?}", c.metrics()));
    }
    assert!(
        text.contains("DEBUG upbond_core::http -> POST /oauth/token"),
        "verbose logs captured"
    );
    assert!(
        text.contains("grant_type=authorization_code"),
        "forms are summarised"
    );
    assert!(text.contains("[REDACTED]"), "values are redacted");
    assert!(text.contains("retrying"), "the retry was logged");
    let refs: Vec<&Secret> = secrets.iter().collect();
    assert_hidden(&text, &refs);
    for secret in &secrets {
        assert!(
            secret.expose().len() >= 6,
            "every swept value is a real secret"
        );
    }
}

#[tokio::test]
async fn metrics_count_exchanges_outcomes_errors_and_latency() {
    let env = start().await;
    let client = env.native();
    let events = Arc::new(Events::default());
    client.set_metrics_observer(Some(events.clone()));
    let (pending, callback) = env.authorize(&client, Default::default(), false).await;
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    let mut refresh_token = tokens.refresh_token.unwrap();
    for _ in 0..2 {
        refresh_token = client
            .refresh(&refresh_token)
            .await
            .unwrap()
            .refresh_token
            .unwrap();
    }
    client
        .refresh(&"not-a-refresh-token".into())
        .await
        .unwrap_err();
    env.fault("/userinfo", json!({"status": 503, "retry_after": "0"}))
        .await;
    client.userinfo(&tokens.access_token, None).await.unwrap();
    let replay = client.complete_authorization(&pending, &callback).await;
    assert_eq!(replay.unwrap_err().code(), "invalid_grant");

    let m = client.metrics();
    assert_eq!((m.sign_ins, m.sign_in_successes), (2, 1));
    assert_eq!(m.sign_in_success_rate, Some(0.5));
    assert_eq!((m.refreshes, m.refresh_failures), (3, 1));
    assert!(m.mean_refresh_interval.is_some());
    assert_eq!(m.errors_by_code.get("invalid_grant"), Some(&2));
    // discovery, jwks, 2 code exchanges, 3 refreshes, 2 userinfo attempts.
    assert_eq!(m.requests, 9);
    assert_eq!(m.failed_requests, 3);
    let endpoint = |name: &str| m.endpoints.iter().find(|e| e.endpoint == name).unwrap();
    let refresh = endpoint("token.refresh_token");
    assert_eq!((refresh.requests, refresh.errors), (3, 1));
    assert!(refresh.p50 <= refresh.p95 && refresh.p95 <= refresh.p99 && refresh.p99 <= refresh.max);
    assert!(refresh.max > Duration::ZERO);
    assert_eq!(endpoint("userinfo").requests, 2);

    let exchanges = events.exchanges.lock().unwrap().clone();
    assert_eq!(exchanges.len(), 9);
    let userinfo: Vec<_> = exchanges
        .iter()
        .filter(|e| e.endpoint == "userinfo")
        .collect();
    assert_eq!(
        userinfo
            .iter()
            .map(|e| (e.status, e.attempt, e.will_retry))
            .collect::<Vec<_>>(),
        [(Some(503), 1, true), (Some(200), 2, false)]
    );
    assert_eq!(userinfo[0].error_code.as_deref(), Some("http_server_error"));
    assert_eq!(userinfo[0].path, "/userinfo");
    let outcomes = events.outcomes.lock().unwrap().clone();
    let summary: Vec<(&str, bool)> = outcomes
        .iter()
        .map(|o| (o.grant.as_str(), o.success))
        .collect();
    assert_eq!(
        summary,
        [
            ("authorization_code", true),
            ("refresh_token", true),
            ("refresh_token", true),
            ("refresh_token", false),
            ("authorization_code", false),
        ]
    );
    assert_eq!(outcomes[4].error_code.as_deref(), Some("invalid_grant"));
    assert_eq!(outcomes[4].status, Some(400));
}

#[tokio::test]
async fn the_support_report_holds_what_support_needs() {
    let env = start().await;
    let client = env.service();
    let platform: BTreeMap<String, String> = [("os", "TestOS 1.0"), ("binding", "rust")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    client.set_platform_info(platform.clone());
    client.client_credentials(&["api:read"]).await.unwrap();
    let err = client.client_credentials(&["nope"]).await.unwrap_err();
    let report = client.support_report();
    assert_eq!(report.sdk_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(report.platform, platform);
    assert_eq!(
        (report.issuer.as_str(), report.client_id.as_str()),
        (env.issuer(), "demo-service")
    );
    assert_eq!(report.client_type, "confidential, client_secret_basic");
    assert!(report.clock_skew_secs.is_some());
    assert_eq!(report.settings["retry.max_attempts"], "3");
    assert_eq!(report.settings["rate_budgets.token_refresh"], "30");
    let last = report.last_errors.last().expect("an error");
    assert_eq!(
        (last.code.as_str(), last.operation.as_str()),
        (err.code(), "token.client_credentials")
    );
    assert_eq!(last.message, err.message());
    assert!(report.generated_at.ends_with('Z') && last.at.ends_with('Z'));
    let requests: Vec<&str> = report
        .recent_requests
        .iter()
        .map(|r| r.request.as_str())
        .collect();
    assert_eq!(
        requests,
        [
            "GET /.well-known/openid-configuration",
            "POST /oauth/token",
            "POST /oauth/token"
        ]
    );
    assert!(report.recent_requests[1].response.contains("[REDACTED]"));
    assert!(report.recent_requests[2].response.contains(err.code()));
    let operations: Vec<(&str, &str)> = report
        .recent_operations
        .iter()
        .map(|o| (o.operation.as_str(), o.outcome.as_str()))
        .collect();
    assert_eq!(
        operations,
        [
            ("discovery", "ok"),
            ("token.client_credentials", "ok"),
            ("token.client_credentials", err.code())
        ]
    );
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["client_id"], "demo-service");
    assert_eq!(json["platform"]["os"], "TestOS 1.0");
    let text = report.to_string();
    assert!(text.contains("platform.os: TestOS 1.0") && text.contains(err.code()));
    assert!(
        !text.contains("demo-service-secret") && !report.to_json().contains("demo-service-secret")
    );
}
