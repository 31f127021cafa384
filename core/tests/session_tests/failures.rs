//! A store that fails, a dropped response, invalid_grant and sign-out.

use std::sync::Arc;

use serde_json::json;
use upbond_core::{DEFAULT_MIN_TTL, MemoryStore, Session, SessionEvent, SessionRecord, TokenStore};

use crate::common::{Events, FlakyStore, concurrently, now, refused_once, start, stored};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_take_a_write_fails_before_the_refresh_token_is_spent() {
    let env = start().await;
    let store = Arc::new(FlakyStore::default());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let events = Events::attach(&session);
    let before = store.load().unwrap();
    let requests = env.token_requests().await;
    store.fail(true);

    for result in concurrently(&session, 20).await {
        assert_eq!(result.unwrap_err().code(), "storage_error");
    }
    let forced = session.refresh().await.unwrap_err();
    assert_eq!(forced.code(), "storage_error");
    assert_eq!(env.token_requests().await, requests, "no refresh request");
    assert_eq!(store.load().unwrap(), before, "the old record is intact");
    assert!(events.seen().is_empty());

    // The refresh token was never spent: once the store works, it refreshes (a replayed,
    // already rotated token would be invalid_grant and end the session).
    store.fail(false);
    let fresh = session.refresh().await.unwrap();
    assert_ne!(fresh, tokens.access_token);
    assert_eq!(env.refresh_grants().await, 1);
    assert_eq!(stored(store.as_ref()).unwrap().access_token, fresh);
    assert_eq!(events.seen(), vec![SessionEvent::Refreshed]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_failing_after_the_refresh_releases_no_token_and_loses_nothing() {
    let env = start().await;
    let store = Arc::new(FlakyStore::default());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let events = Events::attach(&session);
    let before = store.load().unwrap();
    // The write before the refresh succeeds, the one after it fails.
    store.fail_after(1);

    for result in concurrently(&session, 20).await {
        assert_eq!(result.unwrap_err().code(), "storage_error");
    }
    assert_eq!(env.refresh_grants().await, 1);
    assert_eq!(store.load().unwrap(), before, "the old record is intact");
    // Still failing: the unsaved tokens are not handed out and no second refresh is made.
    let again = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(again.code(), "storage_error");
    assert_eq!(env.refresh_grants().await, 1);
    assert!(events.seen().is_empty(), "nothing was stored yet");

    // The store recovers: the tokens of that refresh are saved and used, no new request,
    // and the refresh is announced now that it is stored.
    store.fail(false);
    let token = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_eq!(env.refresh_grants().await, 1);
    assert_eq!(events.seen(), vec![SessionEvent::Refreshed]);
    let record = stored(store.as_ref()).unwrap();
    assert_eq!(record.access_token, token);
    assert_ne!(record.refresh_token, tokens.refresh_token);
    // The rotated token in the store is valid: a restarted process refreshes fine.
    refused_once(&Session::new(env.client(), store.clone())).await;
    assert_eq!(env.refresh_grants().await, 2);
}

#[tokio::test]
async fn a_dropped_refresh_response_keeps_the_session() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let events = Events::attach(&session);
    env.token_fault(json!({"drop_connection": true})).await;
    let error = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert!(error.code().starts_with("network_"), "{}", error.code());
    assert!(!error.requires_reauthentication());
    assert_eq!(
        stored(store.as_ref()).unwrap().refresh_token,
        tokens.refresh_token
    );
    assert!(events.seen().is_empty());
    // The next call refreshes with the same (never consumed) refresh token.
    assert_ne!(
        session.access_token(DEFAULT_MIN_TTL).await.unwrap(),
        tokens.access_token
    );
    assert_eq!(events.seen(), vec![SessionEvent::Refreshed]);
}

#[tokio::test]
async fn invalid_grant_ends_the_session() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, _) = env.expired_session(store.clone()).await;
    let events = Events::attach(&session);
    env.post("tokens/revoke-all", json!({})).await;
    let error = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(error.code(), "invalid_grant");
    assert!(error.requires_reauthentication());
    assert_eq!(events.seen(), vec![SessionEvent::ReauthenticationRequired]);
    assert_eq!(store.load().unwrap(), None);
    assert!(session.record().await.unwrap().is_none());
    // Without a session no request is made.
    let requests = env.token_requests().await;
    let again = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(again.code(), "not_signed_in");
    assert!(again.requires_reauthentication());
    assert_eq!(env.token_requests().await, requests);
}

#[tokio::test]
async fn sign_out_clears_the_store_and_revokes_the_refresh_token() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(env.client(), store.clone());
    let events = Events::attach(&session);
    let tokens = env.login(session.client(), &[]).await;
    session.sign_in(tokens.clone()).await.unwrap();
    let outcome = session.sign_out().await.unwrap();
    assert!(outcome.removed && outcome.revoked, "{outcome:?}");
    assert!(outcome.revocation_error.is_none());
    assert_eq!(store.load().unwrap(), None);
    assert!(session.record().await.unwrap().is_none());
    assert_eq!(
        events.seen(),
        vec![SessionEvent::SignedIn, SessionEvent::SignedOut]
    );
    let refresh = tokens.refresh_token.unwrap();
    let revoked = session.client().refresh(&refresh).await.unwrap_err();
    assert_eq!(revoked.code(), "invalid_grant");
    assert!(session.access_token(DEFAULT_MIN_TTL).await.is_err());
    // Signed out already: nothing to remove or revoke.
    let again = session.sign_out().await.unwrap();
    assert!(!again.removed && !again.revoked && again.revocation_error.is_none());
}

#[tokio::test]
async fn a_failed_revocation_is_reported_and_the_session_is_still_removed() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, _) = env.expired_session(store.clone()).await;
    env.post(
        "faults",
        json!({"path": "/oauth/revoke", "status": 400, "content_type": "application/json",
            "body": r#"{"error":"invalid_request","error_description":"scripted"}"#}),
    )
    .await;
    let outcome = session.sign_out().await.unwrap();
    assert!(outcome.removed && !outcome.revoked, "{outcome:?}");
    let error = outcome.revocation_error.expect("the revocation's error");
    assert_eq!(error.code(), "invalid_request");
    assert_eq!(store.load().unwrap(), None);
}

#[tokio::test]
async fn sign_out_never_sends_another_issuers_or_clients_tokens() {
    let env = start().await;
    let client = env.client();
    let tokens = env.login(&client, &[]).await;
    let issuer = client.config().issuer.clone();
    let foreign = [
        ("https://other-issuer.example", "demo-app"),
        (issuer.as_str(), "other-app"),
    ];
    for (issuer, client_id) in foreign {
        let record = SessionRecord::new(issuer, client_id, tokens.clone(), None, now());
        let store = Arc::new(MemoryStore::new());
        store.save(&record.to_bytes().unwrap()).unwrap();
        let session = Session::new(env.client(), store.clone());
        let outcome = session.sign_out().await.unwrap();
        assert!(outcome.removed && !outcome.revoked, "{outcome:?}");
        let reason = outcome.revocation_error.expect("why nothing was revoked");
        assert_eq!(reason.code(), "storage_error");
        assert!(reason.message().contains(client_id), "{}", reason.message());
        assert_eq!(store.load().unwrap(), None, "deleted locally");
    }
    assert_eq!(env.requests("/oauth/revoke").await, 0, "nothing was sent");
    // The tokens still work: they were never revoked.
    let refresh = tokens.refresh_token.unwrap();
    client.refresh(&refresh).await.unwrap();
}

#[tokio::test]
async fn a_session_without_refresh_token_asks_for_sign_in_when_expired() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(env.client(), store.clone());
    // As from an issuer that grants no refresh token.
    let mut tokens = env.login(session.client(), &[]).await;
    tokens.refresh_token = None;
    tokens.expires_at = Some(1);
    session.sign_in(tokens).await.unwrap();
    let error = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(error.code(), "not_signed_in");
    assert!(error.requires_reauthentication());
    assert_eq!(
        env.token_requests().await,
        1,
        "only the login's code exchange"
    );
    let forced = session.refresh().await.unwrap_err();
    assert_eq!(forced.code(), "not_signed_in");
    assert_eq!(env.token_requests().await, 1);
}
