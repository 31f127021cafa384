//! File store under a session: restarts, encryption, corruption, migration, two processes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use upbond_core::{DEFAULT_MIN_TTL, FileStore, Session, SessionRecord, TokenStore};

use crate::common::{Env, concurrently, now, start};

const KEY: [u8; 32] = [42; 32];

#[tokio::test]
async fn an_encrypted_session_survives_a_restart_and_refuses_a_wrong_key() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.bin");
    let session = Session::new(
        env.client(),
        Arc::new(FileStore::encrypted(&path, &KEY).unwrap()),
    );
    let tokens = env.login(session.client(), &[]).await;
    session.sign_in(tokens.clone()).await.unwrap();
    let raw = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains(tokens.access_token.expose()) && !text.contains("refresh"));
    drop(session);

    let restarted = Session::new(
        env.client(),
        Arc::new(FileStore::encrypted(&path, &KEY).unwrap()),
    );
    let token = restarted.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_eq!(token, tokens.access_token);
    assert_eq!(env.refresh_grants().await, 0);

    let wrong = Session::new(
        env.client(),
        Arc::new(FileStore::encrypted(&path, &[1; 32]).unwrap()),
    );
    let error = wrong.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(error.code(), "storage_error");
    assert!(!error.message().contains(tokens.access_token.expose()));
    assert_eq!(std::fs::read(&path).unwrap(), raw, "the file is kept");
}

#[tokio::test]
async fn a_corrupt_file_is_a_storage_error_and_is_kept() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let corrupt = br#"{"schema_version": 2, "access_token": "at-partial", "refr"#;
    std::fs::write(&path, corrupt).unwrap();
    let session = Session::new(env.client(), Arc::new(FileStore::new(&path)));
    for _ in 0..2 {
        let error = session.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
        assert_eq!(error.code(), "storage_error");
        assert!(!error.message().contains("at-partial"), "{error}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), corrupt);
    // Signing out removes it deliberately.
    session.sign_out().await.unwrap();
    assert!(!path.exists());
}

#[tokio::test]
async fn a_schema_1_file_from_the_cli_migrates() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let client = env.client();
    let mut tokens = env.login(&client, &[]).await;
    tokens.expires_at = Some(now() - 5);
    let v1 = json!({"version": 1, "issuer": env.emulator.issuer(), "client_id": "demo-app",
        "tokens": tokens});
    std::fs::write(&path, v1.to_string()).unwrap();

    let store = Arc::new(FileStore::new(&path));
    let session = Session::new(client, store.clone());
    let record = session.record().await.unwrap().unwrap();
    assert_eq!(record.refresh_token, tokens.refresh_token);
    let fresh = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_ne!(fresh, tokens.access_token);
    let migrated = std::fs::read_to_string(&path).unwrap();
    assert!(migrated.contains("\"schema_version\":2"), "{migrated}");
    let record = SessionRecord::from_bytes(&store.load().unwrap().unwrap()).unwrap();
    assert_eq!(record.access_token, fresh);
}

#[tokio::test]
async fn a_session_of_another_client_is_refused() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let session = Session::new(env.client(), Arc::new(FileStore::new(&path)));
    session
        .sign_in(env.login(session.client(), &[]).await)
        .await
        .unwrap();
    let config = upbond_core::Config::new(env.emulator.issuer(), "other-app");
    let other = Session::new(
        upbond_core::Client::new(config).unwrap(),
        Arc::new(FileStore::new(&path)),
    );
    let error = other.access_token(DEFAULT_MIN_TTL).await.unwrap_err();
    assert_eq!(error.code(), "storage_error");
}

/// Simulates a process: its own runtime, client, store and session on the shared file;
/// 50 concurrent callers.
fn process(env: &Env, path: std::path::PathBuf) -> std::thread::JoinHandle<Vec<String>> {
    let client = env.client();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let session = Session::new(client, Arc::new(FileStore::new(path)));
            let results = concurrently(&session, 50).await;
            results
                .into_iter()
                .map(|r| r.unwrap().expose().to_owned())
                .collect()
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_file_never_refresh_concurrently() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let (_, tokens) = env.expired_session(Arc::new(FileStore::new(&path))).await;
    env.token_fault(json!({"delay_ms": 300})).await;

    let (a, b) = (process(&env, path.clone()), process(&env, path.clone()));
    let (a, b) = tokio::task::spawn_blocking(move || (a.join().unwrap(), b.join().unwrap()))
        .await
        .unwrap();

    assert_eq!(
        env.refresh_grants().await,
        1,
        "one refresh for both processes"
    );
    let all: Vec<&String> = a.iter().chain(&b).collect();
    assert!(all.iter().all(|t| *t == all[0]));
    assert_ne!(all[0], tokens.access_token.expose());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_giving_up_mid_refresh_loses_nothing() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let (session, tokens) = env.expired_session(Arc::new(FileStore::new(&path))).await;
    env.token_fault(json!({"delay_ms": 300})).await;
    let wait = tokio::time::timeout(
        Duration::from_millis(50),
        session.access_token(DEFAULT_MIN_TTL),
    );
    assert!(
        wait.await.is_err(),
        "gave up while the refresh was in flight"
    );
    drop(session);
    // The abandoned refresh still completes and stores the rotated token (holding the lock
    // meanwhile), so a new session continues without reusing the old refresh token.
    let restarted = Session::new(env.client(), Arc::new(FileStore::new(&path)));
    let token = restarted.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_ne!(token, tokens.access_token);
    assert_eq!(env.refresh_grants().await, 1);
}

#[tokio::test]
async fn a_lock_held_elsewhere_is_a_storage_error_after_the_wait_not_a_hang() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let (_, tokens) = env.expired_session(Arc::new(FileStore::new(&path))).await;
    // Another process holds the lock and does not let go (stopped with Ctrl-Z, say).
    let guard = FileStore::new(&path).lock().unwrap();
    let store = FileStore::new(&path).with_lock_timeout(Duration::from_millis(200));
    let session = Session::new(env.client(), Arc::new(store));
    let requests = env.token_requests().await;
    for error in [
        session.access_token(DEFAULT_MIN_TTL).await.unwrap_err(),
        session.sign_out().await.unwrap_err(),
    ] {
        assert_eq!(error.code(), "storage_error");
        assert!(
            error
                .message()
                .contains("another process holds the session lock"),
            "{error}"
        );
    }
    assert_eq!(env.token_requests().await, requests, "nothing was sent");
    drop(guard);
    let token = session.access_token(DEFAULT_MIN_TTL).await.unwrap();
    assert_ne!(token, tokens.access_token);
    assert_eq!(env.refresh_grants().await, 1);
}
