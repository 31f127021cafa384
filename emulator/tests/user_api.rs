//! UPBOND user API: profile, resend verification, email change (EMAIL_007), verification.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const UNVERIFIED_SUB: &str = "usr_01DEMO0000000000000000002";

async fn call(
    env: &Env,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = env.http.request(method, env.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    json_of(request.send().await.unwrap()).await
}

async fn profile(env: &Env, token: &str, sub: &str) -> (StatusCode, Value) {
    call(
        env,
        token,
        reqwest::Method::GET,
        &format!("/api/v1/users/{sub}"),
        None,
    )
    .await
}

async fn outbox(env: &Env) -> Vec<Value> {
    env.get("/_emulator/outbox").await.json().await.unwrap()
}

#[tokio::test]
async fn profile_and_access_rules() {
    let env = start().await;
    let tokens = env.login().await;
    let at = tokens["access_token"].as_str().unwrap();
    let (status, body) = profile(&env, at, DEMO_SUB).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            body["id"].as_str(),
            body["email"].as_str(),
            body["email_verified"].as_bool()
        ),
        (Some(DEMO_SUB), Some(DEMO_USER), Some(true))
    );
    let (status, body) = profile(&env, at, UNVERIFIED_SUB).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("insufficient_scope"))
    );
    let (status, body) = call(
        &env,
        "bogus",
        reqwest::Method::GET,
        &format!("/api/v1/users/{DEMO_SUB}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
}

#[tokio::test]
async fn resend_verification_then_verify_with_code() {
    let env = start().await;
    let tokens = env.login_as(UNVERIFIED_USER, "openid email").await;
    let at = tokens["access_token"].as_str().unwrap();
    let path = format!("/api/v1/users/{UNVERIFIED_SUB}/email/resend-verification");
    let (status, body) = call(&env, at, reqwest::Method::POST, &path, None).await;
    assert_eq!(
        (status, body["sent"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let mails = outbox(&env).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        (mails[0]["to"].as_str(), mails[0]["kind"].as_str()),
        (Some(UNVERIFIED_USER), Some("verification"))
    );
    assert_eq!(mails[0]["user_id"], UNVERIFIED_SUB);
    let code = mails[0]["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);

    let verify = format!("/api/v1/users/{UNVERIFIED_SUB}/email/verify");
    let (status, body) = call(
        &env,
        at,
        reqwest::Method::POST,
        &verify,
        Some(json!({ "code": "000000x" })),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, body) = call(
        &env,
        at,
        reqwest::Method::POST,
        &verify,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(
        (status, body["email_verified"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (_, info) = json_of(env.userinfo(at).await).await;
    assert_eq!(info["email_verified"], true);
}

#[tokio::test]
async fn email_change_checks_password_and_completes_by_link() {
    let env = start().await;
    let tokens = env.login().await;
    let at = tokens["access_token"].as_str().unwrap();
    let path = format!("/api/v1/users/{DEMO_SUB}/email/change");
    let change = |new_email: &str, password: &str| {
        let body = json!({ "new_email": new_email, "current_password": password });
        call(&env, at, reqwest::Method::POST, &path, Some(body))
    };
    let (status, body) = change("new@example.com", "wrong").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "EMAIL_007", "error_description": "Password verification failed"})
    );
    assert!(outbox(&env).await.is_empty());
    assert_eq!(
        change(UNVERIFIED_USER, "demo-password").await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        change("not-an-email", "demo-password").await.0,
        StatusCode::BAD_REQUEST
    );
    // The current address (in any case) is not a change.
    for same in [DEMO_USER, "Demo-User@Example.COM"] {
        let (status, body) = change(same, "demo-password").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains("already"), "{description}");
    }
    assert!(outbox(&env).await.is_empty());
    assert_eq!(
        profile(&env, at, DEMO_SUB).await.1["pending_email"],
        json!(null)
    );
    let (status, body) = change("new@example.com", "demo-password").await;
    assert_eq!(
        (status, body["pending_email"].as_str()),
        (StatusCode::OK, Some("new@example.com"))
    );
    let mails = outbox(&env).await;
    assert_eq!(
        (mails[0]["to"].as_str(), mails[0]["kind"].as_str()),
        (Some("new@example.com"), Some("email_change"))
    );
    let link = mails[0]["link"].as_str().unwrap();
    assert!(link.starts_with(&env.url("/verify-email?")));
    let page = env.http.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (_, profile) = profile(&env, at, DEMO_SUB).await;
    assert_eq!(profile["email"], "new@example.com");
    // The link is single use.
    assert_eq!(
        env.http.get(link).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    let (status, _) = env.hook("/outbox", json!(null)).await;
    assert!(status.is_client_error(), "outbox is GET/DELETE only");
    env.http
        .delete(env.url("/_emulator/outbox"))
        .send()
        .await
        .unwrap();
    assert!(outbox(&env).await.is_empty());
}
