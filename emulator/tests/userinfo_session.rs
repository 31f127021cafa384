//! /userinfo, /oauth/revoke and /oauth/logout.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn userinfo_get_post_and_jwt() {
    let env = start().await;
    let tokens = env.login().await;
    let at = tokens["access_token"].as_str().unwrap();
    for request in [
        env.http.get(env.url("/userinfo")),
        env.http.post(env.url("/userinfo")),
    ] {
        let (status, body) = json_of(request.bearer_auth(at).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["sub"], DEMO_SUB);
        assert_eq!(body["email"], DEMO_USER);
        assert_eq!(body["given_name"], "Demo");
    }
    let response = env
        .http
        .get(env.url("/userinfo"))
        .bearer_auth(at)
        .header("accept", "application/jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/jwt");
    let jwt = response.text().await.unwrap();
    let c = claims(&jwt);
    assert_eq!(
        (c["sub"].as_str(), c["aud"].as_str()),
        (Some(DEMO_SUB), Some("demo-app"))
    );
    assert!(jwt_header(&jwt)["kid"].is_string());

    // Only the scopes granted are released.
    let narrow = env.login_as(UNVERIFIED_USER, "openid email").await;
    let (_, body) = json_of(env.userinfo(narrow["access_token"].as_str().unwrap()).await).await;
    assert_eq!(body["email_verified"], false);
    assert!(body.get("name").is_none());
}

#[tokio::test]
async fn userinfo_errors_carry_rfc6750_challenges() {
    let env = start().await;
    let response = env.get("/userinfo").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"upbond-emulator\""
    );

    let response = env.userinfo("garbage").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""));
    let (_, body) = json_of(response).await;
    assert_eq!(
        body,
        json!({"error": "invalid_token", "error_description": "The access token is invalid or expired"})
    );

    let (_, service) = env.service_token().await;
    let response = env
        .userinfo(service["access_token"].as_str().unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"openid\"")
    );
    assert_eq!(json_of(response).await.1["error"], "insufficient_scope");

    // Expired by the server clock.
    let tokens = env.login().await;
    env.hook("/clock", json!({ "offset_secs": 3601 })).await;
    let response = env.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// A token whose `iat`/`nbf` lie ahead of the server clock (beyond a minute) is not valid
/// yet: the same 401 `invalid_token` as any bad token, at userinfo and the user API.
#[tokio::test]
async fn tokens_from_the_future_are_invalid() {
    let env = start().await;
    env.hook("/clock", json!({ "offset_secs": 600 })).await;
    let ahead = env.login().await;
    let ahead = ahead["access_token"].as_str().unwrap();
    env.hook("/clock", json!({ "offset_secs": 30 })).await;
    let slightly_ahead = env.login().await;
    env.hook("/clock", json!({ "offset_secs": 0 })).await;

    let response = env.userinfo(ahead).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(
        json_of(response).await.1,
        json!({"error": "invalid_token", "error_description": "The access token is invalid or expired"})
    );
    let profile = env
        .http
        .get(env.url(&format!("/api/v1/users/{DEMO_SUB}")))
        .bearer_auth(ahead)
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(profile).await.1["error"], "invalid_token");
    // Within the leeway the token works.
    let response = env
        .userinfo(slightly_ahead["access_token"].as_str().unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn revocation_of_access_and_refresh_tokens() {
    let env = start().await;
    let tokens = env.login().await;
    let at = tokens["access_token"].as_str().unwrap();
    let rt = tokens["refresh_token"].as_str().unwrap();
    let revoke = |token: &str, hint: &str| {
        env.http
            .post(env.url("/oauth/revoke"))
            .form(&[
                ("client_id", "demo-app"),
                ("token", token),
                ("token_type_hint", hint),
            ])
            .send()
    };
    assert_eq!(
        revoke("unknown-token", "access_token")
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        revoke(at, "access_token").await.unwrap().status(),
        StatusCode::OK
    );
    let response = env.userinfo(at).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let (_, refreshed) = env.refresh(rt).await;
    let new_at = refreshed["access_token"].as_str().unwrap();
    let new_rt = refreshed["refresh_token"].as_str().unwrap();
    assert_eq!(
        revoke(new_rt, "refresh_token").await.unwrap().status(),
        StatusCode::OK
    );
    let (_, body) = env.refresh(new_rt).await;
    assert_eq!(body["error"], "invalid_grant");
    let response = env.userinfo(new_at).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "access tokens of the family go too"
    );

    // Another client cannot revoke demo-app's tokens; client auth is required.
    let other = env.login().await;
    let response = env
        .http
        .post(env.url("/oauth/revoke"))
        .basic_auth("demo-service", Some("demo-service-secret"))
        .form(&[("token", other["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = env.userinfo(other["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = env.post_form("/oauth/revoke", &[("token", "x")]).await;
    assert_eq!(json_of(response).await.1["error"], "invalid_client");
    let response = env
        .post_form("/oauth/revoke", &[("client_id", "demo-app")])
        .await;
    assert_eq!(json_of(response).await.1["error"], "invalid_request");
}

#[tokio::test]
async fn revoke_all_hook() {
    let env = start().await;
    let tokens = env.login().await;
    let (_, service) = env.service_token().await;
    let service_at = service["access_token"].as_str().unwrap();
    // A valid client credentials token is 403 at /userinfo (no openid), an invalid one 401.
    assert_eq!(
        env.userinfo(service_at).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = env.hook("/tokens/revoke-all", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let response = env.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        env.userinfo(service_at).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = env.login().await;
    assert_eq!(
        env.userinfo(fresh["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    let (_, body) = env.refresh(tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn dropping_a_key_invalidates_the_tokens_it_signed() {
    let env = start().await;
    let old = env.login().await;
    env.hook("/keys/rotate", json!({ "alg": "RS256" })).await;
    let kept = env.userinfo(old["access_token"].as_str().unwrap()).await;
    assert_eq!(
        kept.status(),
        StatusCode::OK,
        "old keys stay valid by default"
    );
    env.hook("/keys/rotate", json!({ "alg": "RS256", "drop_old": true }))
        .await;
    let dropped = env.userinfo(old["access_token"].as_str().unwrap()).await;
    assert_eq!(dropped.status(), StatusCode::UNAUTHORIZED);
    let new = env.login().await;
    assert_eq!(
        env.userinfo(new["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn rp_initiated_logout() {
    let env = start().await;
    let tokens = env.login().await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let mut url = url::Url::parse(&env.url("/oauth/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair(
            "post_logout_redirect_uri",
            "http://127.0.0.1:4000/signed-out",
        )
        .append_pair("state", "bye");
    let response = env.http.get(url.as_str()).send().await.unwrap();
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("http://127.0.0.1:4000/signed-out"));
    assert_eq!(query_of(location)["state"], "bye");

    let response = env
        .post_form(
            "/oauth/logout",
            &[
                ("client_id", "demo-app"),
                ("post_logout_redirect_uri", "com.upbond.demo:/signed-out"),
            ],
        )
        .await;
    assert_eq!(
        response.headers()["location"],
        "com.upbond.demo:/signed-out"
    );

    let page = env.get("/oauth/logout").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("signed out"));

    for query in [
        "post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F&client_id=demo-app".to_string(),
        "post_logout_redirect_uri=com.upbond.demo%3A%2Fsigned-out".to_string(),
        "id_token_hint=not.a.jwt".to_string(),
        format!("id_token_hint={id_token}&client_id=demo-service"),
    ] {
        let response = env.get(&format!("/oauth/logout?{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(response.text().await.unwrap().contains("invalid_request"));
    }
}
