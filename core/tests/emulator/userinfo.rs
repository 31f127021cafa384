//! Userinfo (JSON and JWT) and the UPBOND user API against the emulator.

use serde_json::Value;
use upbond_core::{AuthorizationOptions, Error, Secret};

use crate::common::{OTHER_SUB, USER, USER_SUB, start};
use crate::emulator_jwt;

#[tokio::test]
async fn userinfo_as_json_and_jwt_with_subject_check() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    let sub = tokens.id_token_claims.as_ref().map(|c| c.subject.as_str());
    let json_info = client.userinfo(&tokens.access_token, sub).await.unwrap();
    assert_eq!(json_info.subject, USER_SUB);
    assert_eq!(json_info.email.as_deref(), Some(USER));
    assert_eq!(json_info.email_verified, Some(true));
    let jwt_info = client
        .userinfo_jwt(&tokens.access_token, sub)
        .await
        .unwrap();
    assert_eq!(jwt_info.subject, USER_SUB);
    assert_eq!(jwt_info.claims["iss"], Value::from(env.issuer()));
    let err = client
        .userinfo(&tokens.access_token, Some(OTHER_SUB))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "userinfo_subject_mismatch");
    let err = client
        .userinfo_jwt(&tokens.access_token, Some(OTHER_SUB))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "userinfo_subject_mismatch");
}

/// A userinfo JWT signed with the emulator's published RS256 key, whose string `aud` merely
/// contains the client id among spaces: one audience, "other-app demo-app", so refused.
#[tokio::test]
async fn userinfo_jwt_aud_string_is_one_audience() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    for (aud, accepted) in [
        (serde_json::json!("other-app demo-app"), false),
        (serde_json::json!(["other-app", "demo-app"]), true),
    ] {
        let claims = serde_json::json!({"iss": env.issuer(), "sub": USER_SUB, "aud": aud});
        let jwt = emulator_jwt::sign(env.issuer(), &claims).await;
        env.fault(
            "/userinfo",
            serde_json::json!({"status": 200, "body": jwt, "content_type": "application/jwt"}),
        )
        .await;
        let answer = client.userinfo_jwt(&tokens.access_token, None).await;
        match accepted {
            true => assert_eq!(answer.unwrap().subject, USER_SUB),
            false => {
                let error = answer.unwrap_err();
                assert_eq!(error.code(), "id_token_audience_mismatch");
                assert!(
                    matches!(error, Error::IdToken { userinfo: true, .. }),
                    "{error:?}"
                );
                let shown = error.to_string();
                assert!(
                    shown.starts_with("the signed userinfo response rejected"),
                    "{shown}"
                );
            }
        }
    }
}

#[tokio::test]
async fn expired_access_token_is_invalid_token() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    env.post("clock", serde_json::json!({"offset_secs": 7200}))
        .await;
    let err = client
        .userinfo(&tokens.access_token, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_token");
    assert!(!err.requires_reauthentication(), "a refresh may still help");
}

#[tokio::test]
async fn email_operations_are_rate_limited() {
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.email_per_min = 2;
    let env = crate::common::start_with(config).await;
    let client = env.native();
    let tokens = env.login(&client).await;
    let api = client.user_api();
    for _ in 0..2 {
        api.resend_verification_email(&tokens.access_token, USER_SUB)
            .await
            .unwrap();
    }
    let err = api
        .resend_verification_email(&tokens.access_token, USER_SUB)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "rate_limit_exceeded");
    assert!(err.retry_after().is_some());
}

#[tokio::test]
async fn userinfo_errors_from_www_authenticate() {
    let env = start().await;
    let client = env.native();
    let err = client
        .userinfo(&Secret::new("not-a-token"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_token");
    let tokens = env
        .service()
        .client_credentials(&["api:read"])
        .await
        .unwrap();
    match client
        .userinfo(&tokens.access_token, None)
        .await
        .unwrap_err()
    {
        Error::InsufficientScope { scope, .. } => assert_eq!(scope.as_deref(), Some("openid")),
        other => panic!("expected insufficient_scope, got {other:?}"),
    }
}

#[tokio::test]
async fn profile_and_verification_email() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    let api = client.user_api();
    let profile = api.profile(&tokens.access_token, USER_SUB).await.unwrap();
    assert_eq!(
        (profile.id.as_str(), profile.email.as_deref()),
        (USER_SUB, Some(USER))
    );
    api.resend_verification_email(&tokens.access_token, USER_SUB)
        .await
        .unwrap();
    let (_, outbox) = env.hook(reqwest::Method::GET, "outbox", Value::Null).await;
    let mails = outbox.as_array().expect("outbox list");
    assert!(
        mails
            .iter()
            .any(|m| m["kind"] == "verification" && m["to"] == USER),
        "{outbox}"
    );
    let err = api
        .profile(&tokens.access_token, OTHER_SUB)
        .await
        .unwrap_err();
    assert!(
        matches!(err.code(), "insufficient_scope" | "invalid_token"),
        "{err:?}"
    );
}

#[tokio::test]
async fn email_change_needs_the_current_password() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    let api = client.user_api();
    let wrong = Secret::new("wrong-password");
    let err = api
        .change_email(&tokens.access_token, USER_SUB, "new@example.com", &wrong)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "EMAIL_007");
    assert!(!err.message().contains("wrong-password"));
    let right = Secret::new("demo-password");
    api.change_email(&tokens.access_token, USER_SUB, "new@example.com", &right)
        .await
        .unwrap();
    let (_, outbox) = env.hook(reqwest::Method::GET, "outbox", Value::Null).await;
    let mail = outbox
        .as_array()
        .and_then(|m| m.iter().find(|m| m["kind"] == "email_change"))
        .cloned()
        .expect("email change mail");
    assert_eq!(mail["to"], "new@example.com");
    let bad_code = api
        .verify_email(&tokens.access_token, USER_SUB, &Secret::new("000000"))
        .await;
    let bad_code = bad_code.unwrap_err();
    assert_eq!(bad_code.code(), "email_operation_failed");
    assert!(
        bad_code.message().contains("verification code"),
        "{}",
        bad_code.message()
    );
    let code = Secret::new(mail["code"].as_str().unwrap());
    api.verify_email(&tokens.access_token, USER_SUB, &code)
        .await
        .unwrap();
    let profile = api.profile(&tokens.access_token, USER_SUB).await.unwrap();
    assert_eq!(profile.email.as_deref(), Some("new@example.com"));
}

#[tokio::test]
async fn scopes_can_be_narrowed_per_request() {
    let env = start().await;
    let client = env.native();
    let options = AuthorizationOptions {
        scopes: vec!["openid".into()],
        ..Default::default()
    };
    let (url, pending) = client.begin_authorization(options).await.unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "scope" && v == "openid")
    );
    let callback = env.approve(&url, USER, false).await;
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    assert_eq!(tokens.scopes, Some(vec!["openid".to_owned()]));
    let info = client.userinfo(&tokens.access_token, None).await.unwrap();
    assert_eq!(info.email, None, "email was not requested");
}

/// A Bearer token is visible ASCII: anything else is refused before a request is sent.
#[tokio::test]
async fn an_access_token_that_is_not_a_bearer_token_is_refused_unsent() {
    let env = start().await;
    let client = env.native();
    let before = env.requests("/userinfo").await;
    for token in ["abc\r\nX-Injected: 1", "tökén", "two words", ""] {
        let error = client
            .userinfo(&Secret::from(token), None)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "invalid_config", "{token:?}: {error}");
        assert!(error.to_string().contains("visible ASCII"), "{error}");
        assert!(token.is_empty() || !error.to_string().contains(token));
        let profile = client
            .user_api()
            .profile(&Secret::from(token), USER_SUB)
            .await
            .unwrap_err();
        assert_eq!(profile.code(), "invalid_config");
    }
    assert_eq!(env.requests("/userinfo").await, before, "nothing was sent");
}
