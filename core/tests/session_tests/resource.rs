//! authorized_request against the emulator's userinfo endpoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use upbond_core::{Error, MemoryStore, Secret, Session, TokenTypeHint, bearer_error};

use crate::common::{Env, start};

/// GET /userinfo with `token`, mapped to the session's error types.
async fn userinfo(env: &Env, token: Secret, calls: &AtomicU32) -> Result<String, Error> {
    calls.fetch_add(1, Ordering::SeqCst);
    let url = format!("{}/userinfo", env.emulator.issuer());
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match bearer_error(response.status().as_u16(), challenge.as_deref()) {
        Some(error) => Err(error),
        None => Ok(response.text().await.unwrap()),
    }
}

async fn signed_in(env: &Env, scopes: &[&str]) -> (Session, upbond_core::TokenSet) {
    let session = Session::new(env.client(), Arc::new(MemoryStore::new()));
    let tokens = env.login(session.client(), scopes).await;
    session.sign_in(tokens.clone()).await.unwrap();
    (session, tokens)
}

#[tokio::test]
async fn a_revoked_access_token_gets_one_refresh_and_one_retry() {
    let env = start().await;
    let (session, tokens) = signed_in(&env, &[]).await;
    let client = session.client().clone();
    client
        .revoke(&tokens.access_token, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    let calls = AtomicU32::new(0);
    let body = session
        .authorized_request(|token| userinfo(&env, token, &calls))
        .await
        .unwrap();
    assert!(body.contains("sub"), "{body}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(env.refresh_grants().await, 1);
}

#[tokio::test]
async fn a_token_refused_twice_is_reported_after_one_retry() {
    let env = start().await;
    let (session, _) = signed_in(&env, &[]).await;
    let calls = AtomicU32::new(0);
    let error = session
        .authorized_request(|_token| userinfo(&env, Secret::new("forged"), &calls))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_token");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(env.refresh_grants().await, 1);
}

#[tokio::test]
async fn insufficient_scope_names_the_scope_without_refreshing() {
    let env = start().await;
    let (session, _) = signed_in(&env, &["profile", "offline_access"]).await;
    let calls = AtomicU32::new(0);
    let error = session
        .authorized_request(|token| userinfo(&env, token, &calls))
        .await
        .unwrap_err();
    match error {
        Error::InsufficientScope { scope, .. } => assert_eq!(scope.as_deref(), Some("openid")),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(env.refresh_grants().await, 0);
}
