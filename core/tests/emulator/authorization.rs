//! Authorization code + PKCE, discovery, ID token validation against the emulator.

use serde_json::json;
use upbond_core::{
    AuthorizationOptions, Client, Config, Error, PendingAuthorization, SocialProvider,
};

use crate::common::{USER, USER_SUB, assert_hidden, start};

#[tokio::test]
async fn login_survives_process_death_between_browser_and_callback() {
    let env = start().await;
    let client = env.native();
    let options = AuthorizationOptions {
        login_hint: Some(USER.into()),
        prompt: Some("login".into()),
        extra_params: vec![("ui_locales".into(), "ja".into())],
        ..Default::default()
    };
    let (url, pending) = client.begin_authorization(options).await.unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(get("login_hint").as_deref(), Some(USER));
    assert_eq!(get("ui_locales").as_deref(), Some("ja"));
    assert_eq!(get("state"), Some(pending.state.clone()));
    assert!(!url.as_str().contains(pending.code_verifier.expose()));
    assert_hidden(&format!("{pending:?}"), &[&pending.code_verifier]);

    let stored = serde_json::to_string(&pending).unwrap();
    drop(client);
    let callback = env.approve(&url, USER, false).await;
    let restored: PendingAuthorization = serde_json::from_str(&stored).unwrap();
    let tokens = env
        .native()
        .complete_authorization(&restored, &callback)
        .await
        .unwrap();
    let claims = tokens.id_token_claims.as_ref().expect("validated ID token");
    assert_eq!(claims.subject, USER_SUB);
    assert_eq!(claims.nonce.as_deref(), Some(pending.nonce.as_str()));
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.expires_in().is_some_and(|d| d.as_secs() > 3000));
    let secrets = [
        &tokens.access_token,
        tokens.refresh_token.as_ref().unwrap(),
        tokens.id_token.as_ref().unwrap(),
    ];
    assert_hidden(&format!("{tokens:?}"), &secrets);
}

#[tokio::test]
async fn custom_scheme_redirect_and_es256_id_tokens() {
    let env = start().await;
    env.settings(json!({"id_token_alg": "ES256"})).await;
    let config = Config {
        redirect_uri: Some("com.upbond.demo:/callback".into()),
        ..env.native_config()
    };
    let client = Client::new(config).unwrap();
    let tokens = env.login(&client).await;
    assert_eq!(tokens.id_token_claims.unwrap().subject, USER_SUB);
}

#[tokio::test]
async fn callback_checks_state_and_issuer() {
    let env = start().await;
    let client = env.native();
    let (pending, callback) = env
        .authorize(&client, AuthorizationOptions::default(), false)
        .await;
    let forged = callback.replace(&pending.state, "forged-state");
    assert!(matches!(
        client.complete_authorization(&pending, &forged).await,
        Err(Error::StateMismatch)
    ));
    let mut parsed = url::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let rewrite = |parsed: &mut url::Url, iss: Option<&str>| {
        let mut q = parsed.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            match (k.as_str(), iss) {
                ("iss", Some(iss)) => q.append_pair(k, iss),
                ("iss", None) => continue,
                _ => q.append_pair(k, v),
            };
        }
    };
    rewrite(&mut parsed, Some("https://evil.example"));
    let err = client
        .complete_authorization(&pending, parsed.as_str())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "issuer_mismatch");
    rewrite(&mut parsed, None);
    let err = client
        .complete_authorization(&pending, parsed.as_str())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "protocol_error",
        "the issuer promised iss (RFC 9207)"
    );
    // A repeated parameter is refused, whichever copy is the right one.
    for extra in [
        "state=forged",
        "code=other",
        "iss=https%3A%2F%2Fevil.example",
    ] {
        let err = client
            .complete_authorization(&pending, &format!("{callback}&{extra}"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "protocol_error", "{extra}");
        assert!(err.message().contains("repeats"), "{err}");
    }
    // The untouched callback still works, once; the code cannot be replayed.
    client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    let replay = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(replay.code(), "invalid_grant");
    assert!(replay.requires_reauthentication());
}

#[tokio::test]
async fn denied_authorization_maps_to_access_denied() {
    let env = start().await;
    let client = env.native();
    let (pending, callback) = env
        .authorize(&client, AuthorizationOptions::default(), true)
        .await;
    let err = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "access_denied");
}

#[tokio::test]
async fn social_provider_errors_name_the_provider() {
    let env = start().await;
    let client = env.native();
    let cases = [
        (SocialProvider::Kakao, "KOE101"),
        (SocialProvider::Whatsapp, "WAE102"),
        (SocialProvider::Wechat, "WCE102"),
        (SocialProvider::Telegram, "TGE102"),
    ];
    for (provider, expected) in cases {
        env.post(
            "social",
            json!({"provider": provider.as_str(), "broken": true}),
        )
        .await;
        let options = AuthorizationOptions {
            provider: Some(provider.clone()),
            ..Default::default()
        };
        let (url, pending) = client.begin_authorization(options).await.unwrap();
        assert!(
            url.as_str()
                .contains(&format!("provider={}", provider.as_str()))
        );
        let callback = env.approve(&url, USER, false).await;
        match client
            .complete_authorization(&pending, &callback)
            .await
            .unwrap_err()
        {
            Error::SocialProvider {
                provider: named,
                code,
                ..
            } => {
                assert_eq!((named.as_str(), code), (provider.as_str(), expected));
            }
            other => panic!("expected {expected}, got {other:?}"),
        }
    }
    // A working provider still signs in.
    let options = AuthorizationOptions {
        provider: Some(SocialProvider::Line),
        ..Default::default()
    };
    let (pending, callback) = env.authorize(&client, options, false).await;
    client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
}

#[tokio::test]
async fn unredirectable_errors_map_through_from_oauth_error() {
    let env = start().await;
    let config = Config {
        redirect_uri: Some("com.unregistered.app:/cb".into()),
        ..env.native_config()
    };
    let (url, _) = Client::new(config)
        .unwrap()
        .begin_authorization(Default::default())
        .await
        .unwrap();
    let (status, body) = env
        .hook(
            reqwest::Method::POST,
            "authorize",
            json!({"url": url.as_str(), "email": USER}),
        )
        .await;
    assert_eq!(status, 400);
    let err = Error::from_oauth_error(
        body["error"].as_str().unwrap(),
        body["error_description"].as_str(),
    );
    assert_eq!(err.code(), "redirect_uri_mismatch");
}

#[tokio::test]
async fn suspended_client_is_invalid_client() {
    let env = start().await;
    let client = env.native();
    let (pending, callback) = env.authorize(&client, Default::default(), false).await;
    env.post("clients/demo-app", json!({"suspended": true}))
        .await;
    let err = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_client");
    assert!(!err.resolution().is_empty());
}

#[tokio::test]
async fn nonce_mismatch_is_detected() {
    let env = start().await;
    let client = env.native();
    let (pending, callback) = env.authorize(&client, Default::default(), false).await;
    let tampered = PendingAuthorization {
        nonce: "another-nonce".into(),
        ..pending
    };
    let err = client
        .complete_authorization(&tampered, &callback)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "id_token_nonce_mismatch");
}

#[tokio::test]
async fn key_rotation_refetches_jwks_once_with_rate_limit() {
    let env = start().await;
    let client = env.native();
    env.login(&client).await;
    let jwks_before = env.requests("/.well-known/jwks.json").await;
    env.post("keys/rotate", json!({"alg": "RS256", "drop_old": true}))
        .await;
    env.login(&client).await;
    assert_eq!(
        env.requests("/.well-known/jwks.json").await,
        jwks_before + 1
    );
    env.post("keys/rotate", json!({"alg": "RS256", "drop_old": true}))
        .await;
    let err = env.try_login(&client).await.unwrap_err();
    assert_eq!(
        err.code(),
        "id_token_unknown_key",
        "second refetch within 30 s is refused"
    );
    assert_eq!(
        env.requests("/.well-known/jwks.json").await,
        jwks_before + 1
    );
    // A fresh client (fresh cache) accepts the new key.
    env.login(&env.native()).await;
}

/// A server clock 10 minutes off either way: the skew is measured from the `Date` header and
/// the ID token's `iat`/`exp` are checked against the server's time, so sign-in works.
#[tokio::test]
async fn skewed_server_clocks_are_measured_and_corrected_for() {
    for offset in [600i64, -600] {
        let env = start().await;
        env.settings(json!({"id_token_ttl_secs": 60})).await;
        env.post("clock", json!({"offset_secs": offset})).await;
        let client = env.native();
        let tokens = env.login(&client).await;
        let skew = client.clock_skew().expect("Date header seen");
        assert!((offset - 10..=offset + 10).contains(&skew), "skew {skew}");
        let server_time = client.server_time() as i64;
        let claims = tokens.id_token_claims.expect("validated claims");
        assert!((claims.issued_at as i64 - server_time).abs() <= 10);
    }
}

#[tokio::test]
async fn discovery_compares_the_issuer_exactly() {
    let env = start().await;
    let metadata = env.native().discover().await.unwrap();
    assert_eq!(metadata.issuer, env.issuer());
    assert!(metadata.authorization_response_iss_parameter_supported);
    let slash = Client::new(Config::new(format!("{}/", env.issuer()), "demo-app")).unwrap();
    assert_eq!(
        slash.discover().await.unwrap_err().code(),
        "issuer_mismatch"
    );
}

#[tokio::test]
async fn logout_url_returns_to_the_registered_uri_with_state() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    let options = upbond_core::LogoutOptions {
        id_token_hint: tokens.id_token.clone(),
        state: Some("bye-1".into()),
        ..Default::default()
    };
    let url = client.logout_url(options).await.unwrap();
    let location = env.redirect_location(&url).await;
    assert!(
        location.starts_with("http://127.0.0.1/signed-out"),
        "{location}"
    );
    assert!(location.contains("state=bye-1"), "{location}");
    let bad = upbond_core::LogoutOptions {
        post_logout_redirect_uri: Some("x:/y".into()),
        ..Default::default()
    };
    assert_eq!(
        client.logout_url(bad).await.unwrap_err().code(),
        "invalid_config"
    );
}

#[tokio::test]
async fn silent_authorization_without_session_needs_login() {
    let env = start().await;
    let client = env.native();
    let options = AuthorizationOptions {
        prompt: Some("none".into()),
        ..Default::default()
    };
    let (url, pending) = client.begin_authorization(options).await.unwrap();
    let location = env.redirect_location(&url).await;
    let err = client
        .complete_authorization(&pending, &location)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "login_required");
    assert!(err.requires_reauthentication());
}

/// OIDC Core 3.1.3.3: a code flow that asked for `openid` must get an ID token; one that did
/// not sends no nonce and needs none.
#[tokio::test]
async fn an_openid_code_flow_requires_an_id_token() {
    let env = start().await;
    let client = env.native();
    for id_token in [json!(null), json!(5), json!("")] {
        let (pending, callback) = env
            .authorize(&client, AuthorizationOptions::default(), false)
            .await;
        let mut body = json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 60});
        if !id_token.is_null() {
            body["id_token"] = id_token.clone();
        }
        env.fault(
            "/oauth/token",
            json!({"status": 200, "body": body.to_string()}),
        )
        .await;
        let error = client
            .complete_authorization(&pending, &callback)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "protocol_error", "{id_token}: {error}");
        assert!(error.to_string().contains("no ID token"), "{error}");
    }
    let oauth_only = AuthorizationOptions {
        scopes: vec!["profile".into()],
        ..Default::default()
    };
    let (url, pending) = client.begin_authorization(oauth_only).await.unwrap();
    assert!(pending.nonce.is_empty());
    assert!(!url.query_pairs().any(|(name, _)| name == "nonce"));
    let callback = env.approve(&url, USER, false).await;
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    assert!(tokens.id_token_claims.is_none());
}
