//! What a server says in an error reaches the caller with its HTTP status, and never with the
//! request's secrets, even when the server echoes them.

use serde_json::json;
use upbond_core::{AuthorizationOptions, ClientAuthMethod, Config, Error, Secret};

use crate::common::{Env, start};

/// A JWT-shaped value a server might echo (an ID token hint, an access token).
const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl";

/// Every text the caller can read from `error`.
fn texts(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}"), error.message()];
    texts.extend(
        error
            .description()
            .and_then(|d| d.text())
            .map(str::to_owned),
    );
    if let Error::Http { excerpt, .. } = error {
        texts.push(excerpt.clone());
    }
    texts
}

fn assert_scrubbed(error: &Error, secrets: &[&str]) {
    let texts = texts(error);
    for text in &texts {
        for secret in secrets.iter().chain([&JWT]) {
            assert!(!text.contains(secret), "{secret:?} leaked into {text}");
        }
    }
    assert!(
        texts.iter().any(|t| t.contains("[REDACTED]")),
        "the echo is shown redacted: {texts:?}"
    );
}

/// The answers an echoing server may give, each carrying `echo`.
fn echoing_answers(echo: &str) -> Vec<serde_json::Value> {
    let description = json!({"error": "invalid_request", "error_description": echo});
    vec![
        json!({"status": 400, "body": description.to_string()}),
        json!({"status": 502, "content_type": "text/html", "body": format!("<p>{echo}</p>")}),
        json!({"status": 429, "content_type": "text/plain", "body": echo}),
        json!({"status": 200, "content_type": "text/plain", "body": echo}),
    ]
}

#[tokio::test]
async fn an_echoed_client_secret_or_jwt_never_reaches_an_error() {
    let env = start().await;
    let secret = "demo-service-secret";
    for method in [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
    ] {
        let client = Env::no_retry(Config {
            auth_method: Some(method),
            ..env.service_config()
        });
        let echo = format!("got client_secret={secret} and {JWT}");
        for answer in echoing_answers(&echo) {
            env.fault("/oauth/token", answer.clone()).await;
            let error = client.client_credentials(&["api:read"]).await.unwrap_err();
            assert_scrubbed(&error, &[secret]);
        }
    }
}

#[tokio::test]
async fn an_echoed_code_verifier_or_refresh_token_never_reaches_an_error() {
    let env = start().await;
    let client = Env::no_retry(env.native_config());
    let (pending, callback) = env
        .authorize(&client, AuthorizationOptions::default(), false)
        .await;
    let callback_url = url::Url::parse(&callback).unwrap();
    let code = callback_url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let verifier = pending.code_verifier.expose().to_owned();
    let echo = format!("code={code}&code_verifier={verifier}");
    env.fault(
        "/oauth/token",
        json!({"status": 400, "body": json!({"error": "invalid_grant",
            "error_description": echo}).to_string()}),
    )
    .await;
    let error = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_grant");
    assert_scrubbed(&error, &[&code, &verifier]);

    let refresh_token = Secret::from("rt-4f9a1c0e-secret");
    for answer in echoing_answers(&format!("refresh_token={} {JWT}", refresh_token.expose())) {
        env.fault("/oauth/token", answer).await;
        let error = client.refresh(&refresh_token).await.unwrap_err();
        assert_scrubbed(&error, &[refresh_token.expose()]);
    }
}

/// Server text that an error quotes after a successful answer (an issuer, an endpoint URL, a
/// token type, an ID token claim) is scrubbed too.
#[tokio::test]
async fn an_echo_in_a_successful_answer_never_reaches_an_error() {
    let env = start().await;
    let secret = "demo-service-secret";
    let echo = format!("{secret}-{JWT}");
    let discovery: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", env.issuer()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let mut wrong_issuer = discovery.clone();
    wrong_issuer["issuer"] = json!(format!("https://evil.example/{echo}"));
    let mut bad_endpoint = discovery;
    bad_endpoint["token_endpoint"] = json!(format!("ftp://evil.example/{echo}"));
    for (document, code) in [
        (wrong_issuer, "issuer_mismatch"),
        (bad_endpoint, "protocol_error"),
    ] {
        env.fault(
            "/.well-known/openid-configuration",
            json!({"status": 200, "body": document.to_string()}),
        )
        .await;
        let error = Env::no_retry(env.service_config())
            .client_credentials(&["api:read"])
            .await
            .unwrap_err();
        assert_eq!(error.code(), code, "{error}");
        assert_scrubbed(&error, &[secret]);
    }
    let error = env
        .token_answer(json!({"status": 200, "body": json!({
            "access_token": "at-1", "token_type": echo, "expires_in": 60}).to_string()}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "unsupported_token_type", "{error}");
    assert_scrubbed(&error, &[secret]);
}

#[tokio::test]
async fn every_error_from_an_http_answer_carries_its_status() {
    let env = start().await;
    let cases = [
        (400, r#"{"error":"invalid_grant"}"#, "invalid_grant"),
        (400, r#"{"error":"invalid_request"}"#, "invalid_request"),
        (401, r#"{"error":"invalid_client"}"#, "invalid_client"),
        (
            429,
            r#"{"error":"rate_limit_exceeded"}"#,
            "rate_limit_exceeded",
        ),
        (429, "slow down", "rate_limit_exceeded"),
        (
            503,
            r#"{"error":"temporarily_unavailable"}"#,
            "server_error",
        ),
        (400, r#"{"error":"something_new"}"#, "oauth_error"),
        (502, "<html>bad gateway</html>", "http_server_error"),
        (200, r#"{"error":"invalid_grant"}"#, "invalid_grant"),
    ];
    for (status, body, code) in cases {
        let error = env
            .token_answer(json!({"status": status, "body": body}))
            .await
            .unwrap_err();
        assert_eq!(
            (error.code(), error.status()),
            (code, Some(status)),
            "{body}"
        );
    }
    // A real refusal from the emulator, and errors that had no HTTP answer.
    let wrong = Env::no_retry(Config::confidential(env.issuer(), "demo-service", "wrong"));
    let refused = wrong.client_credentials(&[]).await.unwrap_err();
    assert_eq!(
        (refused.code(), refused.status()),
        ("invalid_client", Some(401))
    );
    env.fault("/oauth/token", json!({"drop_connection": true}))
        .await;
    let dropped = Env::no_retry(env.service_config())
        .client_credentials(&[])
        .await
        .unwrap_err();
    assert_eq!(dropped.status(), None, "{dropped}");
    assert_eq!(
        Error::from_oauth_error("invalid_grant", None).status(),
        None
    );
}
