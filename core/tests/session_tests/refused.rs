//! A refresh answer the session refuses: another user's ID token is never adopted, and a
//! refresh token the issuer rotated in a refused answer is kept, never lost.

use std::sync::Arc;

use serde_json::{Value, json};
use upbond_core::{Error, MemoryStore, Secret, Session};

use crate::common::{Env, now, start, stored};
use crate::emulator_jwt;

/// A token answer carrying `refresh_token` and an ID token with `id_claims` (signed with the
/// emulator's key), with `changes` applied.
async fn answer(env: &Env, refresh_token: &str, id_claims: Value, changes: Value) -> Value {
    let id_token = emulator_jwt::sign(env.emulator.issuer(), &id_claims).await;
    let mut body = json!({"access_token": "at-refused-answer", "token_type": "Bearer",
        "expires_in": 3600, "refresh_token": refresh_token, "id_token": id_token});
    for (name, value) in changes.as_object().unwrap() {
        body[name] = value.clone();
    }
    json!({"status": 200, "body": body.to_string()})
}

fn id_claims(env: &Env, sub: &str, exp: u64) -> Value {
    json!({"iss": env.emulator.issuer(), "sub": sub, "aud": "demo-app", "exp": exp,
        "iat": now()})
}

async fn signed_in(env: &Env) -> (Session, Arc<MemoryStore>, String) {
    let store = Arc::new(MemoryStore::new());
    let session = Session::new(env.client(), store.clone());
    let tokens = env.login(session.client(), &[]).await;
    let sub = tokens.id_token_claims.as_ref().unwrap().subject.clone();
    session.sign_in(tokens).await.unwrap();
    (session, store, sub)
}

#[tokio::test]
async fn an_id_token_for_another_user_is_refused_and_the_session_kept() {
    let env = start().await;
    let (session, store, sub) = signed_in(&env).await;
    let before = stored(store.as_ref()).unwrap();
    let other = id_claims(&env, "usr_SOMEONE_ELSE", now() + 3600);
    env.token_fault(answer(&env, "rt-of-another-grant", other, json!({})).await)
        .await;

    let error = session.refresh().await.unwrap_err();
    assert_eq!(error.code(), "id_token_subject_mismatch", "{error}");
    assert!(error.requires_reauthentication());
    let after = stored(store.as_ref()).unwrap();
    assert_eq!(after, before, "nothing of that answer is kept");
    assert_eq!(after.id_token_claims.unwrap().subject, sub);

    // The same subject is accepted.
    let same = id_claims(&env, &sub, now() + 3600);
    env.token_fault(answer(&env, "rt-next", same, json!({})).await)
        .await;
    assert_eq!(
        session.refresh().await.unwrap().expose(),
        "at-refused-answer"
    );
    assert_eq!(
        stored(store.as_ref()).unwrap().refresh_token,
        Some(Secret::from("rt-next"))
    );
}

#[tokio::test]
async fn a_refused_answer_keeps_the_refresh_token_it_rotated() {
    let env = start().await;
    let (session, store, sub) = signed_in(&env).await;
    let access_token = stored(store.as_ref()).unwrap().access_token;
    let valid = id_claims(&env, &sub, now() + 3600);
    let expired = id_claims(&env, &sub, now() - 3600);
    let cases = [
        (
            valid.clone(),
            json!({"token_type": "mac"}),
            "unsupported_token_type",
        ),
        (expired, json!({}), "id_token_expired"),
        (
            valid.clone(),
            json!({"id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}),
            "id_token_bad_signature",
        ),
    ];
    for (n, (claims, changes, code)) in cases.into_iter().enumerate() {
        let rotated = format!("rt-rotated-{n}");
        env.token_fault(answer(&env, &rotated, claims, changes).await)
            .await;
        let error = session.refresh().await.unwrap_err();
        assert_eq!(error.code(), code, "{error}");
        let record = stored(store.as_ref()).unwrap();
        assert_eq!(
            record.refresh_token,
            Some(Secret::from(rotated.as_str())),
            "{code}"
        );
        assert_eq!(
            record.access_token, access_token,
            "the access token is not replaced"
        );
        assert!(!format!("{error:?}{error}").contains(&rotated));
    }
    // A refused answer without a refresh token leaves the stored one.
    env.token_fault(json!({"status": 200, "body": "{\"token_type\": \"Bearer\"}"}))
        .await;
    assert_eq!(
        session.refresh().await.unwrap_err().code(),
        "protocol_error"
    );
    assert_eq!(
        stored(store.as_ref()).unwrap().refresh_token,
        Some(Secret::from("rt-rotated-2"))
    );
    // The kept token is the one the next refresh sends: the emulator does not know it.
    let error = session.refresh().await.unwrap_err();
    assert!(matches!(error, Error::InvalidGrant { .. }), "{error}");
}
