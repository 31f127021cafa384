//! Interoperability with panva/oidc-provider, an OpenID Certified provider we did not write
//! (tests/interop/oidc-provider). Every flow goes through the upbond-core API; only the
//! peer's `/_test/*` hooks (the headless browser) are called directly.
//!
//! Needs Node.js >= 20.19 and npm; without them these tests fail unless
//! `UPBOND_SKIP_INTEROP=1`, which turns them into a printed skip.

#[path = "support/oidc_provider.rs"]
mod oidc_provider;

use std::time::Duration;

use oidc_provider::{Peer, peer};
use upbond_core::{
    AuthorizationOptions, Client, ClientAuthMethod, Config, Error, LogoutOptions, Secret, TokenSet,
    TokenTypeHint, normalize_user_code,
};
use url::Url;

const SUB: &str = "interop-user";
/// Registered as `http://127.0.0.1/callback`; native loopback redirects may use any port
/// (RFC 8252 section 7.3).
const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const POST_LOGOUT: &str = "http://127.0.0.1:53682/logout";
const SERVICE: &str = "interop-service";
const SERVICE_SECRET: &str = "interop-service-secret";

/// The public native client `client_id` (`interop-app` or `interop-app-es256`).
fn native(peer: &Peer, client_id: &str) -> Client {
    Client::new(Config {
        redirect_uri: Some(REDIRECT.into()),
        post_logout_redirect_uri: Some(POST_LOGOUT.into()),
        ..Config::new(peer.issuer(), client_id)
    })
    .expect("valid native config")
}

fn service(peer: &Peer, secret: &str, method: ClientAuthMethod) -> Client {
    Client::new(Config {
        auth_method: Some(method),
        ..Config::confidential(peer.issuer(), SERVICE, secret)
    })
    .expect("valid confidential config")
}

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Offline access in the code flow: the peer drops `offline_access` without `prompt=consent`.
fn offline() -> AuthorizationOptions {
    AuthorizationOptions {
        scopes: scopes(&["openid", "offline_access"]),
        prompt: Some("consent".into()),
        ..AuthorizationOptions::default()
    }
}

/// The value of a query parameter.
fn query(url: &str, name: &str) -> Option<String> {
    let url = Url::parse(url).expect("absolute URL");
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `url` with the query parameter `name` set to `value`, or removed for `None`.
fn with_param(url: &str, name: &str, value: Option<&str>) -> String {
    let mut url = Url::parse(url).expect("absolute URL");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    let mut query = url.query_pairs_mut();
    query.clear().extend_pairs(pairs);
    if let Some(value) = value {
        query.append_pair(name, value);
    }
    drop(query);
    url.to_string()
}

/// The browser's trip: begin, the peer signs `interop-user` in, returns the redirect to the
/// client (checked to carry the exact issuer, RFC 9207).
async fn authorize(
    peer: &Peer,
    client: &Client,
    options: AuthorizationOptions,
) -> (upbond_core::PendingAuthorization, String) {
    let (url, pending) = client.begin_authorization(options).await.expect("begin");
    let callback = peer.authorize(&url, false).await.expect("peer redirects");
    assert!(
        callback.starts_with("http://127.0.0.1:53682/callback?"),
        "{callback}"
    );
    assert_eq!(query(&callback, "iss").as_deref(), Some(peer.issuer()));
    (pending, callback)
}

/// A full authorization code + PKCE sign-in with its ID token checked.
async fn sign_in(peer: &Peer, client: &Client, options: AuthorizationOptions) -> TokenSet {
    let (pending, callback) = authorize(peer, client, options).await;
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .expect("code exchange");
    let claims = tokens.id_token_claims.as_ref().expect("validated ID token");
    assert_eq!(claims.subject, SUB);
    assert_eq!(claims.issuer, peer.issuer());
    assert_eq!(claims.audience, vec![client.config().client_id.clone()]);
    assert_eq!(claims.nonce.as_deref(), Some(pending.nonce.as_str()));
    let debug = format!("{tokens:?} {pending:?}");
    for secret in [&tokens.access_token, &pending.code_verifier] {
        assert!(
            !debug.contains(secret.expose()),
            "a secret leaked into Debug"
        );
    }
    tokens
}

fn id_token_alg(tokens: &TokenSet) -> jsonwebtoken::Algorithm {
    let id_token = tokens.id_token.as_ref().expect("ID token");
    jsonwebtoken::decode_header(id_token.expose())
        .expect("JWT header")
        .alg
}

fn refresh_token(tokens: &TokenSet) -> Secret {
    tokens.refresh_token.clone().expect("refresh token")
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    result.expect_err("the call must fail").code()
}

#[tokio::test]
async fn discovery_requires_the_exact_issuer() {
    let Some(peer) = peer() else { return };
    let metadata = native(peer, "interop-app")
        .discover()
        .await
        .expect("discovery");
    assert_eq!(metadata.issuer, peer.issuer());
    assert!(metadata.authorization_response_iss_parameter_supported);
    assert!(
        metadata
            .code_challenge_methods_supported
            .contains(&"S256".into())
    );
    for endpoint in [
        &metadata.token_endpoint,
        &metadata.device_authorization_endpoint,
        &metadata.userinfo_endpoint,
        &metadata.revocation_endpoint,
        &metadata.end_session_endpoint,
    ] {
        let endpoint = endpoint.as_ref().expect("endpoint advertised");
        assert!(endpoint.as_str().starts_with(peer.issuer()), "{endpoint}");
    }

    let slash = Client::new(Config::new(format!("{}/", peer.issuer()), "interop-app")).unwrap();
    let err = slash
        .discover()
        .await
        .expect_err("issuer differs by a slash");
    assert_eq!(err.code(), "issuer_mismatch", "{err}");
}

#[tokio::test]
async fn authorization_code_with_pkce_rs256() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let tokens = sign_in(peer, &client, AuthorizationOptions::default()).await;
    assert_eq!(id_token_alg(&tokens), jsonwebtoken::Algorithm::RS256);
    assert!(
        tokens
            .expires_in()
            .is_some_and(|d| d > Duration::from_secs(3000))
    );
    // Without prompt=consent the peer drops offline_access: no refresh token, no error.
    assert!(tokens.refresh_token.is_none());
}

#[tokio::test]
async fn authorization_code_with_pkce_es256() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app-es256");
    let tokens = sign_in(peer, &client, AuthorizationOptions::default()).await;
    assert_eq!(id_token_alg(&tokens), jsonwebtoken::Algorithm::ES256);
}

#[tokio::test]
async fn callback_checks_iss_state_and_verifier_before_the_code_counts() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let (pending, callback) = authorize(peer, &client, AuthorizationOptions::default()).await;
    let cases = [
        (
            "iss",
            Some(format!("{}/", peer.issuer())),
            "issuer_mismatch",
        ),
        // Discovery promised `iss` (RFC 9207), so a callback without it is refused.
        ("iss", None, "protocol_error"),
        ("state", Some("forged".into()), "state_mismatch"),
    ];
    for (name, value, expected) in cases {
        let tampered = with_param(&callback, name, value.as_deref());
        let result = client.complete_authorization(&pending, &tampered).await;
        assert_eq!(code(result), expected, "{name}={value:?}");
    }
    let mut forged = pending.clone();
    forged.code_verifier = Secret::new("x".repeat(43));
    let result = client.complete_authorization(&forged, &callback).await;
    assert_eq!(code(result), "invalid_grant");

    // None of that consumed the code: the genuine callback still works, once.
    let tokens = client.complete_authorization(&pending, &callback).await;
    assert_eq!(
        tokens.expect("exchange").id_token_claims.unwrap().subject,
        SUB
    );
    let replay = client.complete_authorization(&pending, &callback).await;
    assert_eq!(code(replay), "invalid_grant");
}

#[tokio::test]
async fn denied_authorization_is_access_denied() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let (url, pending) = client
        .begin_authorization(AuthorizationOptions::default())
        .await
        .unwrap();
    let callback = peer.authorize(&url, true).await.expect("error redirect");
    assert_eq!(query(&callback, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&callback, "iss").as_deref(), Some(peer.issuer()));
    let result = client.complete_authorization(&pending, &callback).await;
    assert_eq!(code(result), "access_denied");
}

#[tokio::test]
async fn unregistered_redirect_is_refused_by_the_provider() {
    let Some(peer) = peer() else { return };
    // Registered is 127.0.0.1; `localhost` is another host (RFC 8252 section 8.3).
    let client = Client::new(Config {
        redirect_uri: Some("http://localhost:53682/callback".into()),
        ..Config::new(peer.issuer(), "interop-app")
    })
    .unwrap();
    let (url, _) = client
        .begin_authorization(AuthorizationOptions::default())
        .await
        .unwrap();
    let refusal = peer.authorize(&url, false).await.expect_err("no redirect");
    assert_eq!(
        refusal["provider_response"]["error"], "invalid_redirect_uri",
        "{refusal}"
    );
}

#[tokio::test]
async fn device_flow_defaults_to_five_seconds_and_gets_tokens() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let device = client.start_device_authorization(&[]).await.expect("start");
    // The peer sends no interval: RFC 8628 section 3.2 says 5 s.
    assert_eq!(device.interval, Duration::from_secs(5));
    assert_eq!(device.verification_uri, format!("{}/device", peer.issuer()));
    assert_eq!(
        normalize_user_code(&device.user_code).unwrap(),
        device.user_code
    );
    let complete = device
        .verification_uri_complete
        .as_deref()
        .expect("complete URI");
    assert_eq!(
        query(complete, "user_code").as_deref(),
        Some(device.user_code.as_str())
    );
    assert!(!format!("{device:?}").contains(device.device_code.expose()));

    // Approved before the first poll, so one poll (after 5 s) gets the tokens.
    peer.device(&device.user_code, false).await;
    let tokens = client
        .poll_device_authorization(&device, std::future::pending())
        .await
        .expect("tokens");
    let claims = tokens.id_token_claims.as_ref().expect("ID token");
    assert_eq!(
        (claims.subject.as_str(), claims.nonce.as_deref()),
        (SUB, None)
    );
    assert!(
        tokens.refresh_token.is_some(),
        "device flow keeps offline_access"
    );
}

#[tokio::test]
async fn denied_device_flow_is_access_denied() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let device = client
        .start_device_authorization(&["openid"])
        .await
        .unwrap();
    peer.device(&device.user_code, true).await;
    let result = client
        .poll_device_authorization(&device, std::future::pending())
        .await;
    assert_eq!(code(result), "access_denied");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_ends_the_grant() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let first = sign_in(peer, &client, offline()).await;
    let original_nonce = first.id_token_claims.as_ref().unwrap().nonce.clone();
    let old = refresh_token(&first);

    let second = client.refresh(&old).await.expect("refresh");
    let new = refresh_token(&second);
    assert!(new != old, "the peer rotates refresh tokens");
    assert!(second.access_token != first.access_token);
    let claims = second.id_token_claims.as_ref().expect("new ID token");
    assert_eq!(claims.subject, SUB);
    // The refreshed ID token repeats the original nonce; the core must accept that.
    assert_eq!(claims.nonce, original_nonce);

    let reuse = client.refresh(&old).await.expect_err("reuse is refused");
    assert_eq!(reuse.code(), "invalid_grant", "{reuse}");
    assert!(reuse.requires_reauthentication());
    assert!(!reuse.message().contains(old.expose()));
    // Reuse revoked the whole grant, the newest refresh token included.
    assert_eq!(code(client.refresh(&new).await), "invalid_grant");
}

#[tokio::test]
async fn client_credentials_with_basic_and_post() {
    let Some(peer) = peer() else { return };
    for method in [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
    ] {
        let client = service(peer, SERVICE_SECRET, method);
        let tokens = client.client_credentials(&["api:read"]).await;
        let tokens = tokens.unwrap_or_else(|e| panic!("{method:?}: {e}"));
        assert_eq!(tokens.scopes, Some(scopes(&["api:read"])), "{method:?}");
        assert!(tokens.id_token.is_none() && tokens.refresh_token.is_none());
        let left = tokens.expires_in().expect("expires_in");
        assert!(left > Duration::from_secs(590) && left <= Duration::from_secs(600));
    }
}

#[tokio::test]
async fn wrong_client_secret_is_invalid_client() {
    let Some(peer) = peer() else { return };
    let wrong = "not-the-interop-secret";
    for method in [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
    ] {
        let client = service(peer, wrong, method);
        let err = client.client_credentials(&["api:read"]).await.unwrap_err();
        assert_eq!(err.code(), "invalid_client", "{method:?}: {err}");
        assert!(!err.is_retryable());
        assert!(!format!("{err} {err:?}").contains(wrong), "secret in error");
    }
}

#[tokio::test]
async fn revocation_ends_refresh_and_access() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");

    let tokens = sign_in(peer, &client, offline()).await;
    let refresh = refresh_token(&tokens);
    client
        .revoke(&refresh, Some(TokenTypeHint::RefreshToken))
        .await
        .expect("revoke refresh token");
    assert_eq!(code(client.refresh(&refresh).await), "invalid_grant");

    let tokens = sign_in(peer, &client, offline()).await;
    client
        .revoke(&tokens.access_token, Some(TokenTypeHint::AccessToken))
        .await
        .expect("revoke access token");
    let userinfo = client.userinfo(&tokens.access_token, None).await;
    assert_eq!(code(userinfo), "invalid_token");
    // The peer cascades: the grant's refresh token went with the access token.
    assert_eq!(
        code(client.refresh(&refresh_token(&tokens)).await),
        "invalid_grant"
    );

    // Unknown tokens count as revoked (RFC 7009 section 2.2).
    client
        .revoke(&Secret::new("never-issued"), None)
        .await
        .expect("unknown token");
}

#[tokio::test]
async fn userinfo_matches_the_id_token_subject() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let tokens = sign_in(peer, &client, AuthorizationOptions::default()).await;
    let sub = tokens.id_token_claims.as_ref().unwrap().subject.clone();

    let info = client
        .userinfo(&tokens.access_token, Some(&sub))
        .await
        .expect("userinfo");
    assert_eq!(info.subject, SUB);
    assert_eq!(info.email.as_deref(), Some("interop-user@example.com"));
    assert_eq!(info.email_verified, Some(true));
    assert_eq!(info.name.as_deref(), Some("Interop User"));

    let other = client
        .userinfo(&tokens.access_token, Some("someone-else"))
        .await;
    assert_eq!(code(other), "userinfo_subject_mismatch");
    // The peer signs no userinfo for this client: a JSON answer is read as JSON.
    let plain = client.userinfo_jwt(&tokens.access_token, Some(&sub)).await;
    assert_eq!(plain.expect("JSON fallback").subject, SUB);
    let bogus = client.userinfo(&Secret::new("bogus"), None).await;
    assert_eq!(code(bogus), "invalid_token");
}

#[tokio::test]
async fn logout_url_is_accepted_by_the_provider() {
    let Some(peer) = peer() else { return };
    let client = native(peer, "interop-app");
    let tokens = sign_in(peer, &client, AuthorizationOptions::default()).await;
    let url = client
        .logout_url(LogoutOptions {
            id_token_hint: tokens.id_token.clone(),
            state: Some("bye".into()),
            ..LogoutOptions::default()
        })
        .await
        .expect("logout URL");
    let redirect = peer.logout(&url).await.expect("post-logout redirect");
    assert!(redirect.starts_with(POST_LOGOUT), "{redirect}");
    assert_eq!(query(&redirect, "state").as_deref(), Some("bye"));
}
