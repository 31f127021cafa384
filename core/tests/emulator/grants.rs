//! Client credentials, refresh and revocation against the emulator.

use serde_json::json;
use upbond_core::{Client, ClientAuthMethod, Config, Secret, TokenTypeHint};

use crate::common::{assert_hidden, start};

#[tokio::test]
async fn client_credentials_with_basic_and_post_auth() {
    let env = start().await;
    let tokens = env
        .service()
        .client_credentials(&["api:read"])
        .await
        .unwrap();
    assert_eq!(tokens.scopes.as_deref(), Some(&["api:read".to_owned()][..]));
    assert!(tokens.id_token.is_none() && tokens.expires_at.is_some());
    let post = Config {
        auth_method: Some(ClientAuthMethod::ClientSecretPost),
        ..Config::confidential(env.issuer(), "demo-service", "demo-service-secret")
    };
    Client::new(post)
        .unwrap()
        .client_credentials(&["api:write"])
        .await
        .unwrap();
}

#[tokio::test]
async fn client_credentials_errors() {
    let env = start().await;
    let wrong = Client::new(Config::confidential(
        env.issuer(),
        "demo-service",
        "wrong-secret",
    ))
    .unwrap();
    let err = wrong.client_credentials(&["api:read"]).await.unwrap_err();
    assert_eq!(err.code(), "invalid_client");
    assert_hidden(&format!("{err:?} {err}"), &[&Secret::new("wrong-secret")]);
    let err = env
        .service()
        .client_credentials(&["admin"])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_scope");
    let err = env.native().client_credentials(&[]).await.unwrap_err();
    assert_eq!(
        err.code(),
        "invalid_config",
        "public clients have no secret"
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let env = start().await;
    let client = env.native();
    let first = env.login(&client).await;
    let old = first.refresh_token.clone().unwrap();
    let second = client.refresh(&old).await.unwrap();
    let new = second.refresh_token.clone().unwrap();
    assert_ne!(new, old);
    assert_ne!(second.access_token, first.access_token);
    let reuse = client.refresh(&old).await.unwrap_err();
    assert_eq!(reuse.code(), "invalid_grant");
    assert!(reuse.requires_reauthentication());
    assert_eq!(
        client.refresh(&new).await.unwrap_err().code(),
        "invalid_grant",
        "family revoked"
    );
}

#[tokio::test]
async fn refresh_keeps_the_old_token_when_none_comes_back() {
    let env = start().await;
    env.settings(json!({"refresh_rotation": false, "refresh_returns_refresh_token": false}))
        .await;
    let client = env.native();
    let old = env.login(&client).await.refresh_token.unwrap();
    let refreshed = client.refresh(&old).await.unwrap();
    assert_eq!(refreshed.refresh_token, Some(old));
}

#[tokio::test]
async fn refresh_keeps_the_old_token_when_an_empty_one_comes_back() {
    let env = start().await;
    let client = env.native();
    let old = env.login(&client).await.refresh_token.unwrap();
    let body = json!({"access_token": "at-new", "token_type": "bearer", "expires_in": "60",
                      "refresh_token": "", "id_token": null, "scope": null});
    env.fault(
        "/oauth/token",
        json!({"status": 200, "body": body.to_string(),
                                     "content_type": "application/json"}),
    )
    .await;
    let refreshed = client.refresh(&old).await.unwrap();
    assert_eq!(refreshed.refresh_token, Some(old));
    assert_eq!(refreshed.access_token.expose(), "at-new");
}

#[tokio::test]
async fn revocation_ends_the_grant() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    client
        .revoke(&tokens.access_token, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    let err = client
        .userinfo(&tokens.access_token, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_token");
    let refresh = tokens.refresh_token.unwrap();
    client
        .revoke(&refresh, Some(TokenTypeHint::RefreshToken))
        .await
        .unwrap();
    assert_eq!(
        client.refresh(&refresh).await.unwrap_err().code(),
        "invalid_grant"
    );
    client
        .revoke(&Secret::new("never-issued"), None)
        .await
        .unwrap();
    let wrong = Client::new(Config::confidential(env.issuer(), "demo-service", "nope")).unwrap();
    assert_eq!(
        wrong
            .revoke(&Secret::new("x"), None)
            .await
            .unwrap_err()
            .code(),
        "invalid_client"
    );
}

#[tokio::test]
async fn revoke_all_invalidates_refresh_tokens() {
    let env = start().await;
    let client = env.native();
    let tokens = env.login(&client).await;
    env.post("tokens/revoke-all", json!({})).await;
    let err = client
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_grant");
}
