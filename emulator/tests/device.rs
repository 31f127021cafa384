//! Device authorization grant: codes, polling answers, verification page and hook.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start_device(env: &Env) -> Value {
    let response = env
        .post_form(
            "/oauth/device/code",
            &[
                ("client_id", "demo-app"),
                ("scope", "openid profile offline_access"),
            ],
        )
        .await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn poll(env: &Env, device_code: &str) -> (StatusCode, Value) {
    env.token(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", "demo-app"),
        ("device_code", device_code),
    ])
    .await
}

#[tokio::test]
async fn device_authorization_response_shape() {
    let env = start().await;
    let body = start_device(&env).await;
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .filter(|c| *c != '-')
            .all(|c| "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(c))
    );
    assert_eq!(body["verification_uri"], env.url("/device"));
    assert_eq!(
        body["verification_uri_complete"],
        format!("{}/device?user_code={user_code}", env.issuer)
    );
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["interval"], 5);
    let response = env
        .post_form("/oauth/device/code", &[("client_id", "demo-service")])
        .await;
    assert_eq!(json_of(response).await.1["error"], "invalid_client");
    let response = env
        .http
        .post(env.url("/oauth/device/code"))
        .basic_auth("demo-service", Some("demo-service-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(response).await.1["error"], "unauthorized_client");
    let response = env
        .post_form(
            "/oauth/device/code",
            &[("client_id", "demo-app"), ("scope", "admin")],
        )
        .await;
    assert_eq!(json_of(response).await.1["error"], "invalid_scope");
}

#[tokio::test]
async fn pending_slow_down_then_tokens_after_lenient_hook_approval() {
    let env = start().await;
    let body = start_device(&env).await;
    let device_code = body["device_code"].as_str().unwrap();
    let (status, answer) = poll(&env, device_code).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("authorization_pending"))
    );
    let (_, answer) = poll(&env, device_code).await;
    assert_eq!(answer["error"], "slow_down");

    let sloppy = format!(
        " {} ",
        body["user_code"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .replace('-', " - ")
    );
    let (status, _) = env
        .hook(
            "/device",
            json!({ "user_code": sloppy, "email": DEMO_USER }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, tokens) = poll(&env, device_code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["sub"],
        DEMO_SUB
    );
    let (_, answer) = poll(&env, device_code).await;
    assert_eq!(answer["error"], "invalid_grant");
    // An approved code cannot be approved again.
    let (status, body) = env
        .hook("/device", json!({ "user_code": body["user_code"] }))
        .await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (StatusCode::BAD_REQUEST, Some("Invalid user code"))
    );
}

#[tokio::test]
async fn denied_expired_and_unknown_codes() {
    let env = start().await;
    let denied = start_device(&env).await;
    env.hook(
        "/device",
        json!({ "user_code": denied["user_code"], "deny": true }),
    )
    .await;
    let (_, answer) = poll(&env, denied["device_code"].as_str().unwrap()).await;
    assert_eq!(answer["error"], "access_denied");

    let expiring = start_device(&env).await;
    let (status, _) = env.hook("/device/expire-all", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = poll(&env, expiring["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer,
        json!({"error": "expired_token", "error_description": "The device code has expired"})
    );
    let (_, body) = env
        .hook("/device", json!({ "user_code": expiring["user_code"] }))
        .await;
    assert_eq!(body["error"], "invalid_request");

    let (status, body) = env
        .hook("/device", json!({ "user_code": "ZZZZ-ZZZZ" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_request", "error_description": "Invalid user code"})
    );
    let (_, body) = env
        .hook("/device", json!({ "user_code": "0O1I-LLLL" }))
        .await;
    assert_eq!(body["error"], "invalid_request");
    let (_, answer) = poll(&env, "dc_unknown").await;
    assert_eq!(answer["error"], "invalid_grant");
}

#[tokio::test]
async fn device_code_expires_by_clock_and_settings() {
    let env = start().await;
    env.hook(
        "/settings",
        json!({ "device_code_ttl_secs": 60, "device_interval_secs": 1 }),
    )
    .await;
    let body = start_device(&env).await;
    assert_eq!(
        (body["expires_in"].as_u64(), body["interval"].as_u64()),
        (Some(60), Some(1))
    );
    env.hook("/clock", json!({ "offset_secs": 61 })).await;
    let (_, answer) = poll(&env, body["device_code"].as_str().unwrap()).await;
    assert_eq!(answer["error"], "expired_token");
}

#[tokio::test]
async fn verification_page_flow() {
    let env = start().await;
    let body = start_device(&env).await;
    let user_code = body["user_code"].as_str().unwrap();
    let entry = env.get("/device").await;
    assert!(entry.text().await.unwrap().contains("name=\"user_code\""));
    let unknown = env.get("/device?user_code=ABCD-EFGH").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().await.unwrap().contains("Invalid user code"));
    let page = env
        .http
        .get(body["verification_uri_complete"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(user_code));

    let lower = user_code.to_lowercase();
    let wrong = env
        .post_form(
            "/device",
            &[
                ("user_code", lower.as_str()),
                ("email", DEMO_USER),
                ("password", "bad"),
                ("action", "approve"),
            ],
        )
        .await;
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong email or password")
    );
    let ok = env
        .post_form(
            "/device",
            &[
                ("user_code", lower.as_str()),
                ("email", DEMO_USER),
                ("password", "demo-password"),
                ("action", "approve"),
            ],
        )
        .await;
    assert!(ok.text().await.unwrap().contains("Device connected"));
    let (status, _) = poll(&env, body["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    let response = env
        .http
        .post(env.url("/device"))
        .header("accept", "application/json")
        .form(&[("user_code", "QQQQ-QQQQ")])
        .send()
        .await
        .unwrap();
    let (status, json) = json_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error_description"], "Invalid user code");
}
