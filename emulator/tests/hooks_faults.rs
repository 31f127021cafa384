//! Fault injection, clock offset, key rotation, stats and the loopback-only rule.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use upbond_emulator::{Config, Emulator, FaultSpec};

#[tokio::test]
async fn scripted_status_and_bodies_then_normal_behaviour() {
    let env = start().await;
    let (status, body) = env
        .hook(
            "/faults",
            json!({ "path": "/oauth/token", "times": 2, "status": 503,
            "body": "<html>down</html>", "content_type": "text/html" }),
        )
        .await;
    assert_eq!((status, body["queued"].as_u64()), (StatusCode::OK, Some(1)));
    for _ in 0..2 {
        let response = env.http.post(env.url("/oauth/token")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["content-type"], "text/html");
        assert_eq!(response.text().await.unwrap(), "<html>down</html>");
    }
    assert_eq!(env.service_token().await.0, StatusCode::OK);

    env.hook(
        "/faults",
        json!([
            { "path": "/userinfo", "status": 500, "body": "{\"error\":\"server_error\"}" },
            { "path": "/userinfo", "status": 502, "body": "bad gateway" },
        ]),
    )
    .await;
    let first = env.get("/userinfo").await;
    assert_eq!(
        (
            first.status(),
            first.headers()["content-type"].to_str().unwrap()
        ),
        (StatusCode::INTERNAL_SERVER_ERROR, "application/json")
    );
    let second = env.get("/userinfo").await;
    assert_eq!(second.status(), StatusCode::BAD_GATEWAY);
    assert!(
        second.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(second.text().await.unwrap(), "bad gateway");
    assert_eq!(
        env.get("/userinfo").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn retry_after_as_seconds_and_http_date() {
    let env = start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    env.hook(
        "/faults",
        json!({ "path": "/oauth/token", "status": 429, "retry_after": 3,
        "body": "{\"error\":\"rate_limit_exceeded\"}" }),
    )
    .await;
    env.hook(
        "/faults",
        json!({ "path": "/oauth/token", "status": 503, "retry_after": date }),
    )
    .await;
    let response = env.http.post(env.url("/oauth/token")).send().await.unwrap();
    assert_eq!(
        (
            response.status(),
            response.headers()["retry-after"].to_str().unwrap()
        ),
        (StatusCode::TOO_MANY_REQUESTS, "3")
    );
    let response = env.http.post(env.url("/oauth/token")).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"].to_str().unwrap(), date);
}

/// A `retry_after` that is neither a string nor whole seconds is refused with a message
/// naming the field and the accepted forms (not serde's "did not match any variant").
#[tokio::test]
async fn a_bad_retry_after_is_named_with_the_accepted_forms() {
    let env = start().await;
    for (bad, shown) in [
        (json!(-5), "-5"),
        (json!(1.5), "1.5"),
        (json!([1]), "sequence"),
        (json!(true), "boolean"),
    ] {
        let (status, body) = env
            .hook(
                "/faults",
                json!({ "path": "/oauth/token", "status": 429, "retry_after": bad }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        let description = body["error_description"].as_str().unwrap();
        for part in ["retry_after", "whole seconds", "HTTP-date", shown] {
            assert!(description.contains(part), "{bad}: {description}");
        }
        assert!(!description.contains("untagged"), "{description}");
    }
    let (status, _) = env
        .hook(
            "/faults",
            json!({ "path": "/oauth/token", "status": 429, "retry_after": null }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "null means no Retry-After");
}

#[tokio::test]
async fn delay_and_dropped_connection() {
    let env = start().await;
    env.hook(
        "/faults",
        json!({ "path": "/.well-known/jwks.json", "delay_ms": 300 }),
    )
    .await;
    let started = Instant::now();
    let response = env.get("/.well-known/jwks.json").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a delay without status proceeds normally"
    );

    env.hook(
        "/faults",
        json!({ "path": "/oauth/token", "drop_connection": true }),
    )
    .await;
    let error = env
        .http
        .post(env.url("/oauth/token"))
        .send()
        .await
        .expect_err("connection dropped");
    assert!(!error.is_status());
    assert_eq!(env.service_token().await.0, StatusCode::OK);
}

#[tokio::test]
async fn invalid_faults_are_rejected_and_delete_clears() {
    let env = start().await;
    for bad in [
        json!({ "path": "oauth/token", "status": 500 }),
        json!({ "path": "/oauth/token", "status": 99 }),
        json!({ "path": "/oauth/token" }),
        json!({ "path": "/_emulator/stats", "status": 500 }),
        json!({ "path": "/x", "status": 500, "surprise": 1 }),
        json!({ "path": "/oauth/token", "status": 101 }),
        json!({ "path": "/oauth/token", "status": 1000 }),
        json!({ "path": "/oauth/token", "delay_ms": u64::MAX }),
        json!([{ "path": "/oauth/token", "status": 500 }, { "path": "/x", "delay_ms": -5 }]),
    ] {
        let (status, body) = env.hook("/faults", bad.clone()).await;
        assert!(status.is_client_error(), "{bad}");
        assert_eq!(body["error"], "invalid_request");
    }
    // A mistake is named: the field and what was expected, not "no variant matched".
    let (_, body) = env
        .hook(
            "/faults",
            json!({ "path": "/x", "status": 500, "body": {"a": 1} }),
        )
        .await;
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("expected a string"), "{description}");
    assert!(!description.contains("variant"), "{description}");
    let (_, body) = env
        .hook("/faults", json!({ "path": "/x", "delay_ms": 700_000 }))
        .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("maximum")
    );
    // Nothing of a rejected batch was queued.
    assert_eq!(env.service_token().await.0, StatusCode::OK);
    env.hook(
        "/faults",
        json!({ "path": "/oauth/token", "times": 5, "status": 500 }),
    )
    .await;
    let response = env
        .http
        .delete(env.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(env.service_token().await.0, StatusCode::OK);
}

#[tokio::test]
async fn faults_from_config() {
    let mut config = Config::default();
    let spec: FaultSpec = serde_json::from_value(
        json!({ "path": "/.well-known/openid-configuration", "status": 500 }),
    )
    .unwrap();
    config.faults.push(spec);
    let env = start_with(config).await;
    assert_eq!(
        env.get("/.well-known/openid-configuration").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        env.get("/.well-known/openid-configuration").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn clock_offset_shifts_date_header_and_token_times() {
    let env = start().await;
    let (status, _) = env.hook("/clock", json!({ "offset_secs": -600 })).await;
    assert_eq!(status, StatusCode::OK);
    let response = env.get("/.well-known/jwks.json").await;
    let date = httpdate::parse_http_date(response.headers()["date"].to_str().unwrap()).unwrap();
    let skew = SystemTime::now().duration_since(date).unwrap().as_secs();
    assert!((598..=602).contains(&skew), "{skew}");
    let (_, body) = env.service_token().await;
    let iat = claims(body["access_token"].as_str().unwrap())["iat"]
        .as_i64()
        .unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - 602..=now - 598).contains(&iat));
}

#[tokio::test]
async fn key_rotation_keeps_or_drops_old_keys() {
    let env = start().await;
    let jwks = |env: &Env| {
        let url = env.url("/.well-known/jwks.json");
        let http = env.http.clone();
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let kids = |set: &Value, kty: &str| -> Vec<String> {
        set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["kty"] == kty)
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    let before = jwks(&env).await;
    for key in before["keys"].as_array().unwrap() {
        assert_eq!(key["use"], "sig");
        assert!(key["alg"] == "RS256" || key["alg"] == "ES256");
    }
    let old_rsa = kids(&before, "RSA");
    assert_eq!((old_rsa.len(), kids(&before, "EC").len()), (1, 1));

    let (status, rotated) = env.hook("/keys/rotate", json!({ "alg": "RS256" })).await;
    assert_eq!(status, StatusCode::OK);
    let after = jwks(&env).await;
    assert_eq!(
        kids(&after, "RSA"),
        vec![
            old_rsa[0].clone(),
            rotated["kid"].as_str().unwrap().to_string()
        ]
    );
    let (_, body) = env.service_token().await;
    assert_eq!(
        jwt_header(body["access_token"].as_str().unwrap())["kid"],
        rotated["kid"]
    );

    let (_, es) = env
        .hook("/keys/rotate", json!({ "alg": "ES256", "drop_old": true }))
        .await;
    let after = jwks(&env).await;
    assert_eq!(
        kids(&after, "EC"),
        vec![es["kid"].as_str().unwrap().to_string()]
    );
    let (status, _) = env.hook("/keys/rotate", json!({ "alg": "none" })).await;
    assert!(status.is_client_error());
}

#[tokio::test]
async fn stats_count_requests_and_grants() {
    let env = start().await;
    env.service_token().await;
    let tokens = env.login().await;
    env.refresh(tokens["refresh_token"].as_str().unwrap()).await;
    let stats: Value = env.get("/_emulator/stats").await.json().await.unwrap();
    assert_eq!(stats["requests"]["/oauth/token"], 3);
    assert_eq!(stats["grants"]["refresh_token"], 1);
    assert_eq!(stats["grants"]["client_credentials"], 1);
    assert!(stats["requests"].get("/_emulator/authorize").is_none());
    env.http
        .delete(env.url("/_emulator/stats"))
        .send()
        .await
        .unwrap();
    let stats: Value = env.get("/_emulator/stats").await.json().await.unwrap();
    assert_eq!(stats, json!({"requests": {}, "grants": {}}));
}

#[tokio::test]
async fn hooks_answer_loopback_peers_only() {
    // Find this machine's non-loopback address; without one the rule cannot be exercised.
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    let local_ip = probe
        .connect("192.0.2.1:9")
        .ok()
        .and_then(|_| probe.local_addr().ok())
        .map(|a| a.ip());
    let Some(ip) = local_ip.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) else {
        eprintln!("no non-loopback interface; skipping");
        return;
    };
    let emu = Emulator::start_on(Config::default(), "0.0.0.0:0".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        emu.issuer(),
        format!("http://127.0.0.1:{}", emu.addr().port())
    );
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let remote = format!("http://{ip}:{}", emu.addr().port());
    let response = http
        .get(format!("{remote}/_emulator/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(response).await.1["error"], "access_denied");
    let response = http
        .get(format!("{remote}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = http
        .get(format!("{}/_emulator/stats", emu.issuer()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn out_of_range_settings_and_clock_offsets_are_refused() {
    let env = start().await;
    for (hook, body) in [
        ("/settings", json!({ "access_token_ttl_secs": 0 })),
        (
            "/settings",
            json!({ "device_code_ttl_secs": 400_000_000u64 }),
        ),
        ("/settings", json!({ "access_token_ttl_secs": -1 })),
        ("/clock", json!({ "offset_secs": -9_000_000_000i64 })),
    ] {
        let (status, answer) = env.hook(hook, body.clone()).await;
        assert!(status.is_client_error(), "{body}");
        assert_eq!(answer["error"], "invalid_request");
    }
    let (_, answer) = env
        .hook("/settings", json!({ "device_interval_secs": u64::MAX }))
        .await;
    let description = answer["error_description"].as_str().unwrap();
    assert!(description.contains("between 0 and"), "{description}");
    // Nothing was applied: tokens still live an hour and the Date header is current.
    let (_, token) = env.service_token().await;
    assert_eq!(token["expires_in"], 3600);
    let (status, settings) = env
        .hook("/settings", json!({ "device_interval_secs": 0 }))
        .await;
    assert_eq!(
        (status, settings["device"]["interval_secs"].as_u64()),
        (StatusCode::OK, Some(0))
    );
}

/// A hook body of the wrong type or shape is a 400 `invalid_request` that names the field and
/// the expected type (not axum's bare 422).
#[tokio::test]
async fn hook_bodies_of_the_wrong_type_are_400_naming_the_problem() {
    let env = start().await;
    for (hook, body, named) in [
        (
            "/clients/demo-app",
            json!({ "suspended": "yes" }),
            "suspended",
        ),
        ("/clock", json!({ "offset_secs": "soon" }), "offset_secs"),
        ("/settings", json!({ "rate_limits": 3 }), "rate_limits"),
        ("/device", json!({ "email": "x@example.com" }), "user_code"),
        ("/authorize", json!([1, 2]), "expected a string"),
    ] {
        let (status, answer) = env.hook(hook, body.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{hook} {body}: {answer}"
        );
        let description = answer["error_description"].as_str().unwrap();
        assert!(description.contains(named), "{hook}: {description}");
    }
    let response = env
        .http
        .post(env.url("/_emulator/clock"))
        .body("{\"offset_secs\": 1")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = env
        .http
        .post(env.url("/_emulator/clock"))
        .body("{\"offset_secs\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(response).await.1["error"], "invalid_request");
}
