//! Single flight, rotation safety, refresh without a refresh token, server clock offsets.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde_json::json;
use upbond_core::{DEFAULT_MIN_TTL, MemoryStore, Secret, Session, SessionEvent, TokenStore};

use crate::common::{Events, concurrently, now, refused_once, start, stored};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_callers_on_an_expired_session_make_one_refresh() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let events = Events::attach(&session);
    // A slow token endpoint keeps the refresh in flight while callers pile up.
    env.token_fault(json!({"delay_ms": 300})).await;

    let results: Vec<Secret> = concurrently(&session, 200)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    assert_eq!(env.refresh_grants().await, 1, "exactly one refresh request");
    assert!(
        results.iter().all(|t| *t == results[0]),
        "all get its result"
    );
    assert_ne!(results[0], tokens.access_token);
    let record = stored(store.as_ref()).unwrap();
    assert_eq!(record.access_token, results[0]);
    assert_ne!(
        record.refresh_token, tokens.refresh_token,
        "rotated and stored"
    );
    assert_eq!(events.seen(), vec![SessionEvent::Refreshed]);
    // Cached from now on.
    session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_eq!(env.refresh_grants().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_failure_and_the_session_survives() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    env.token_fault(json!({"status": 503, "body": "<html>down</html>",
        "content_type": "text/html", "delay_ms": 200}))
        .await;
    let before = env.token_requests().await;

    for result in concurrently(&session, 50).await {
        let error = result.unwrap_err();
        assert_eq!(error.code(), "http_server_error");
        assert!(error.is_retryable());
    }
    assert_eq!(
        env.token_requests().await - before,
        1,
        "one request for all"
    );
    assert_eq!(
        stored(store.as_ref()).unwrap().refresh_token,
        tokens.refresh_token
    );

    let fresh = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_ne!(fresh, tokens.access_token);
    assert_eq!(env.refresh_grants().await, 1);
}

#[tokio::test]
async fn a_forced_refresh_rotates_once_and_is_used_from_then_on() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(env.client(), store.clone());
    let tokens = env.login(session.client(), &[]).await;
    session.sign_in(tokens.clone()).await.unwrap();
    let events = Events::attach(&session);

    let fresh = session.refresh().await.unwrap();
    assert_ne!(fresh, tokens.access_token, "refreshed although still valid");
    assert_eq!(env.refresh_grants().await, 1);
    let record = stored(store.as_ref()).unwrap();
    assert_eq!(record.access_token, fresh);
    assert_ne!(
        record.refresh_token, tokens.refresh_token,
        "rotated and stored"
    );
    assert_eq!(events.seen(), vec![SessionEvent::Refreshed]);
    assert_eq!(session.access_token(DEFAULT_MIN_TTL).await.unwrap(), fresh);
    // The next forced refresh uses the rotated token (reusing the old one would revoke the
    // family at the emulator).
    assert_ne!(session.refresh().await.unwrap(), fresh);
    assert_eq!(env.refresh_grants().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_forced_refreshes_and_callers_share_one_refresh() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    env.token_fault(json!({"delay_ms": 300})).await;

    let forced: Vec<_> = (0..20)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.refresh().await })
        })
        .collect();
    let callers = concurrently(&session, 20).await;
    let mut results: Vec<Secret> = callers.into_iter().map(Result::unwrap).collect();
    for task in forced {
        results.push(task.await.unwrap().unwrap());
    }

    assert_eq!(env.refresh_grants().await, 1, "exactly one refresh request");
    assert!(
        results.iter().all(|t| *t == results[0]),
        "all get its result"
    );
    assert_ne!(results[0], tokens.access_token);
    assert_eq!(stored(store.as_ref()).unwrap().access_token, results[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_min_ttl_beyond_the_token_lifetime_costs_one_refresh_not_one_per_caller() {
    let env = start().await;
    // Every token lives 60 s; the callers want 120 s, which no refresh can give.
    env.post("settings", json!({"access_token_ttl_secs": 60}))
        .await;
    let session = Session::new(env.client(), Arc::new(MemoryStore::new()));
    let tokens = env.login(session.client(), &[]).await;
    session.sign_in(tokens.clone()).await.unwrap();
    let want = Duration::from_secs(120);

    // 20 callers, each asking 5 times in a row: they overlap the refresh and come after it.
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..5 {
                    seen.push(session.access_token(want).await.unwrap());
                }
                seen
            })
        })
        .collect();
    let mut results = Vec::new();
    for caller in callers {
        results.extend(caller.await.unwrap());
    }

    assert_eq!(env.refresh_grants().await, 1, "one refresh for all");
    assert!(results.iter().all(|t| *t == results[0]), "all share it");
    assert_ne!(results[0], tokens.access_token);
    // A min_ttl the token meets is served as before, and a forced refresh still refreshes.
    assert_eq!(
        session.access_token(DEFAULT_MIN_TTL).await.unwrap(),
        results[0]
    );
    assert_ne!(session.refresh().await.unwrap(), results[0]);
    assert_eq!(env.refresh_grants().await, 2);
}

#[tokio::test]
async fn rotated_tokens_are_never_reused_across_refreshes_and_restarts() {
    let env = start().await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let mut seen = vec![tokens.refresh_token.clone().unwrap()];
    for round in 1..=3 {
        // A resource server refusing the token forces the next refresh.
        refused_once(&session).await;
        let rotated = stored(store.as_ref()).unwrap().refresh_token.unwrap();
        assert!(!seen.contains(&rotated), "round {round} rotated");
        seen.push(rotated);
    }
    // A restarted process continues from the stored (newest) refresh token. Reusing an old
    // one would have made the emulator revoke the family (invalid_grant).
    let restarted = Session::new(env.client(), store.clone());
    let mut record = stored(store.as_ref()).unwrap();
    record.expires_at = Some(now() - 1);
    store.save(&record.to_bytes().unwrap()).unwrap();
    restarted.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_eq!(env.refresh_grants().await, 5);
}

#[tokio::test]
async fn refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let env = start().await;
    env.post(
        "settings",
        json!({"refresh_rotation": false,
        "refresh_returns_refresh_token": false}),
    )
    .await;
    let store = Arc::new(MemoryStore::new());
    let (session, tokens) = env.expired_session(store.clone()).await;
    let first = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_ne!(first, tokens.access_token);
    let record = stored(store.as_ref()).unwrap();
    assert_eq!(record.refresh_token, tokens.refresh_token);
    // And it still works.
    session
        .access_token(Duration::from_secs(7200))
        .await
        .unwrap();
    assert_eq!(env.refresh_grants().await, 2);
}

/// An unsigned JWT access token with these claims.
fn jwt(claims: serde_json::Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(claims.to_string().as_bytes())
    )
}

#[tokio::test]
async fn server_clock_ten_minutes_ahead_or_behind_still_refreshes_on_time() {
    for offset in [600_i64, -600] {
        let env = start().await;
        env.post("clock", json!({"offset_secs": offset})).await;
        let store = Arc::new(MemoryStore::new());
        let (session, _) = env.expired_session(store.clone()).await;
        // The refresh answer gives no expires_in: only the JWT's exp, on the server clock,
        // 120 s after the server's now.
        let server_now = now() as i64 + offset;
        let body = json!({"access_token": jwt(json!({"iat": server_now,
            "exp": server_now + 120})), "token_type": "Bearer"});
        env.token_fault(json!({"status": 200, "body": body.to_string(),
            "content_type": "application/json"}))
            .await;
        let scripted = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
        let record = stored(store.as_ref()).unwrap();
        assert!((record.clock_offset - offset).abs() <= 2, "offset {offset}");
        let left = record.seconds_left(now(), record.clock_offset).unwrap();
        assert!(
            (115..=121).contains(&left),
            "{left} s left at offset {offset}"
        );

        // 120 s left: enough for 60 s (no refresh), not for 130 s (refresh).
        let before = env.refresh_grants().await;
        assert_eq!(
            session.access_token(DEFAULT_MIN_TTL).await.unwrap(),
            scripted
        );
        assert_eq!(env.refresh_grants().await, before, "offset {offset}");
        let refreshed = session
            .access_token(Duration::from_secs(130))
            .await
            .unwrap();
        assert_ne!(refreshed, scripted);
        assert_eq!(env.refresh_grants().await, before + 1, "offset {offset}");
    }
}

#[tokio::test]
async fn sign_in_records_server_clock_expiry_and_scopes() {
    let env = start().await;
    env.post("clock", json!({"offset_secs": -600})).await;
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(env.client(), store.clone());
    let events = Events::attach(&session);
    let tokens = env.login(session.client(), &[]).await;
    session.sign_in(tokens.clone()).await.unwrap();
    let record = session.record().await.unwrap().unwrap();
    assert!((record.clock_offset + 600).abs() <= 2);
    let left = record.seconds_left(now(), record.clock_offset).unwrap();
    assert!((3590..=3601).contains(&left), "{left}");
    assert!(record.scopes.iter().any(|s| s == "offline_access"));
    assert!(record.id_token_claims.is_some());
    assert_eq!(
        session.access_token(DEFAULT_MIN_TTL).await.unwrap(),
        tokens.access_token
    );
    assert_eq!(env.refresh_grants().await, 0);
    assert_eq!(events.seen(), vec![SessionEvent::SignedIn]);
    let shown = format!("{session:?} {record:?}");
    for secret in [&tokens.access_token, tokens.refresh_token.as_ref().unwrap()] {
        assert!(!shown.contains(secret.expose()), "{shown}");
    }
}
