//! Logs never contain tokens, codes, secrets or passwords (captured at TRACE level).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_redact_every_secret() {
    let buffer = Capture(Arc::new(Mutex::new(Vec::new())));
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let env = start().await;
    let (verifier, challenge) = pkce();
    let query = env
        .approve(
            &env.authorize_url("openid offline_access", &challenge, &[]),
            DEMO_USER,
        )
        .await;
    let (_, tokens) = env.exchange(&query["code"], &verifier).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let (_, refreshed) = env.refresh(rt).await;
    let (_, service) = env.service_token().await;
    env.hook("/faults", json!({ "path": "/oauth/token", "status": 500 }))
        .await;
    env.service_token().await;
    let change = env
        .http
        .post(env.url(&format!("/api/v1/users/{DEMO_SUB}/email/change")))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .json(&json!({ "new_email": "x@example.com", "current_password": "demo-password" }))
        .send()
        .await
        .unwrap();
    assert!(change.status().is_success());
    let mails: Vec<serde_json::Value> = env.get("/_emulator/outbox").await.json().await.unwrap();
    let device: serde_json::Value = env
        .post_form("/oauth/device/code", &[("client_id", "demo-app")])
        .await
        .json()
        .await
        .unwrap();

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/oauth/token"), "the access log is captured");
    let secrets = [
        query["code"].as_str(),
        verifier.as_str(),
        tokens["access_token"].as_str().unwrap(),
        rt,
        tokens["id_token"].as_str().unwrap(),
        refreshed["refresh_token"].as_str().unwrap(),
        service["access_token"].as_str().unwrap(),
        "demo-service-secret",
        "demo-password",
        mails[0]["code"].as_str().unwrap(),
        device["device_code"].as_str().unwrap(),
        device["user_code"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert!(!logs.contains(secret), "log leaks {secret}");
    }
}
