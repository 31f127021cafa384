//! /oauth/authorize: login page, headless hook, and every error path.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn hook_approval_returns_code_state_and_iss() {
    let env = start().await;
    let (_, challenge) = pkce();
    let query = env
        .approve(&env.authorize_url("openid", &challenge, &[]), DEMO_USER)
        .await;
    assert!(query["code"].starts_with("ac_"));
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], env.issuer);
}

#[tokio::test]
async fn loopback_redirect_matches_any_port_but_not_other_paths() {
    let env = start().await;
    let (_, challenge) = pkce();
    for port in ["8080", "61000"] {
        let url = env
            .authorize_url("openid", &challenge, &[])
            .replace("53111", port);
        let query = env.approve(&url, DEMO_USER).await;
        assert!(query.contains_key("code"));
    }
    let url = env.authorize_url("openid", &challenge, &[]);
    for bad in [
        url.replace("%2Fcallback", "%2Fcallback%2F"),
        url.replace("%2F%2F127.0.0.1", "%2F%2Fuser%3Apw%40127.0.0.1"),
        url.replace("%2Fcallback", "%2Fcallback%3Fx%3D1"),
        url.replace("%2Fcallback", "%2Fcallback%23frag"),
    ] {
        let (status, body) = env.hook("/authorize", json!({ "url": bad })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"], "redirect_uri_mismatch");
        assert_eq!(body["error_description"], "Invalid redirect URI");
    }
}

#[tokio::test]
async fn custom_scheme_redirect_must_match_exactly() {
    let env = start().await;
    let (_, challenge) = pkce();
    let good = env.authorize_url("openid", &challenge, &[]).replace(
        &urlencode(REDIRECT),
        &urlencode("com.upbond.demo:/callback"),
    );
    let query = env.approve(&good, DEMO_USER).await;
    assert!(query.contains_key("code"));
    let bad = good.replace("%2Fcallback", "%2Fcallback2");
    let (status, body) = env.hook("/authorize", json!({ "url": bad })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("redirect_uri_mismatch"))
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn redirect_mismatch_is_an_html_page_not_a_redirect() {
    let env = start().await;
    let (_, challenge) = pkce();
    let url = env
        .authorize_url("openid", &challenge, &[])
        .replace("127.0.0.1%3A53111", "evil.example");
    let response = env.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains("redirect_uri_mismatch") && page.contains("Invalid redirect URI"));
}

#[tokio::test]
async fn unknown_and_suspended_clients_get_invalid_client() {
    let env = start().await;
    let (_, challenge) = pkce();
    let unknown = env
        .authorize_url("openid", &challenge, &[])
        .replace("demo-app", "nope");
    let (status, body) = env.hook("/authorize", json!({ "url": unknown })).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_client"))
    );

    let (status, _) = env
        .hook("/clients/demo-app", json!({ "suspended": true }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let url = env.authorize_url("openid", &challenge, &[]);
    let (_, body) = env.hook("/authorize", json!({ "url": url })).await;
    assert_eq!(body["error"], "invalid_client");
    env.hook("/clients/demo-app", json!({ "suspended": false }))
        .await;
    let (status, _) = env.hook("/authorize", json!({ "url": url })).await;
    assert_eq!(status, StatusCode::OK);
}

async fn redirect_error(env: &Env, url: &str) -> std::collections::HashMap<String, String> {
    let (status, body) = env.hook("/authorize", json!({ "url": url })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let redirect = body["redirect_url"].as_str().unwrap();
    assert!(redirect.starts_with(REDIRECT), "{redirect}");
    let query = query_of(redirect);
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], env.issuer);
    assert!(!query.contains_key("code"));
    query
}

#[tokio::test]
async fn redirectable_errors_come_back_on_the_redirect() {
    let env = start().await;
    let (_, challenge) = pkce();
    let base = env.authorize_url("openid", &challenge, &[]);
    let cases = [
        (
            base.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (base.replace("response_type=code&", ""), "invalid_request"),
        (
            env.authorize_url("openid admin", &challenge, &[]),
            "invalid_scope",
        ),
        (
            base.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (
            base.replace(
                &format!("code_challenge={challenge}"),
                "code_challenge=short",
            ),
            "invalid_request",
        ),
        (
            env.authorize_url("openid", &challenge, &[("prompt", "bogus")]),
            "invalid_request",
        ),
        (
            env.authorize_url("openid", &challenge, &[("prompt", "none login")]),
            "invalid_request",
        ),
        (
            env.authorize_url("openid", &challenge, &[("provider", "myspace")]),
            "invalid_request",
        ),
    ];
    for (url, error) in cases {
        assert_eq!(redirect_error(&env, &url).await["error"], error, "{url}");
    }
    // PKCE is required for demo-app.
    let no_pkce = base
        .replace(&format!("&code_challenge={challenge}"), "")
        .replace("&code_challenge_method=S256", "");
    assert_eq!(
        redirect_error(&env, &no_pkce).await["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn denial_answers_access_denied() {
    let env = start().await;
    let (_, challenge) = pkce();
    let url = env.authorize_url("openid", &challenge, &[]);
    let (_, body) = env
        .hook("/authorize", json!({ "url": url, "deny": true }))
        .await;
    let query = query_of(body["redirect_url"].as_str().unwrap());
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "st-123");
}

#[tokio::test]
async fn broken_social_providers_answer_their_codes_with_the_provider_named() {
    let env = start().await;
    let (_, challenge) = pkce();
    for (provider, code) in [
        ("kakao", "KOE101"),
        ("whatsapp", "WAE102"),
        ("wechat", "WCE102"),
        ("telegram", "TGE102"),
    ] {
        let url = env.authorize_url("openid", &challenge, &[("provider", provider)]);
        // Working provider first: simulated social login succeeds.
        let query = env.approve(&url, DEMO_USER).await;
        assert!(query.contains_key("code"));
        let (status, _) = env
            .hook("/social", json!({ "provider": provider, "broken": true }))
            .await;
        assert_eq!(status, StatusCode::OK);
        let query = redirect_error(&env, &url).await;
        assert_eq!(query["error"], code);
        assert_eq!(query["provider"], provider);
        assert!(!query["error_description"].is_empty());
    }
    let (status, body) = env
        .hook("/social", json!({ "provider": "myspace", "broken": true }))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test]
async fn social_provider_from_config_and_idp_claim() {
    let config = upbond_emulator::Config {
        broken_social_providers: vec!["wechat".into()],
        ..Default::default()
    };
    let env = start_with(config).await;
    let (_, challenge) = pkce();
    let url = env.authorize_url("openid", &challenge, &[("provider", "wechat")]);
    assert_eq!(redirect_error(&env, &url).await["error"], "WCE102");
}

#[tokio::test]
async fn login_page_round_trip_with_form_post() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let url = env.authorize_url(
        "openid email",
        &challenge,
        &[("login_hint", DEMO_USER), ("provider", "line")],
    );
    let response = env.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("<form") && page.contains(DEMO_USER) && page.contains("LINE"));
    let request_id = page
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();

    let form = |password: &'static str| {
        [
            ("request_id", request_id),
            ("email", DEMO_USER),
            ("password", password),
            ("action", "approve"),
        ]
    };
    let wrong = env.post_form("/oauth/authorize", &form("nope")).await;
    assert_eq!(wrong.status(), StatusCode::OK);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong email or password")
    );

    let ok = env
        .post_form("/oauth/authorize", &form("demo-password"))
        .await;
    assert!(ok.status().is_redirection());
    let location = ok.headers()["location"].to_str().unwrap().to_string();
    let query = query_of(&location);
    assert_eq!(query["state"], "st-123");
    let (status, tokens) = env.exchange(&query["code"], &verifier).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["idp"], "line");

    // The request id is spent.
    let again = env
        .post_form("/oauth/authorize", &form("demo-password"))
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn login_page_cancel_and_prompt_none() {
    let env = start().await;
    let (_, challenge) = pkce();
    let page = env
        .http
        .get(env.authorize_url("openid", &challenge, &[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let request_id = page
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let response = env
        .post_form(
            "/oauth/authorize",
            &[("request_id", request_id), ("action", "deny")],
        )
        .await;
    assert_eq!(
        query_of(response.headers()["location"].to_str().unwrap())["error"],
        "access_denied"
    );

    let response = env
        .http
        .get(env.authorize_url("openid", &challenge, &[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    let query = query_of(response.headers()["location"].to_str().unwrap());
    assert_eq!(query["error"], "login_required");
}

#[tokio::test]
async fn hook_rejects_unknown_users_and_bad_bodies() {
    let env = start().await;
    let (_, challenge) = pkce();
    let url = env.authorize_url("openid", &challenge, &[]);
    let (status, body) = env
        .hook(
            "/authorize",
            json!({ "url": url, "email": "ghost@example.com" }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, body) = env.hook("/authorize", json!({ "link": url })).await;
    assert!(status.is_client_error());
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn hook_picks_the_login_hint_user() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let url = env.authorize_url(
        "openid email",
        &challenge,
        &[("login_hint", UNVERIFIED_USER)],
    );
    let (_, body) = env.hook("/authorize", json!({ "url": url })).await;
    let query = query_of(body["redirect_url"].as_str().unwrap());
    let (_, tokens) = env.exchange(&query["code"], &verifier).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        (id["email"].as_str(), id["email_verified"].as_bool()),
        (Some(UNVERIFIED_USER), Some(false))
    );
}
