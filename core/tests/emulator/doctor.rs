//! The doctor against a healthy emulator, a stopped server, a wrong issuer and skewed clocks.

use serde_json::json;
use upbond_core::{CheckStatus, Client, Config};

use crate::common::start;

fn names(report: &upbond_core::DoctorReport) -> Vec<&str> {
    report.checks.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test]
async fn a_healthy_issuer_passes_every_check() {
    let env = start().await;
    let report = env.native().doctor().await;
    assert_eq!(
        names(&report),
        [
            "dns",
            "tcp",
            "tls",
            "discovery",
            "endpoints",
            "pkce",
            "jwks",
            "clock_skew",
            "response_time"
        ]
    );
    for check in &report.checks {
        if check.name != "response_time" {
            assert_eq!(check.status, CheckStatus::Pass, "{check:?}");
            assert!(check.fix.is_none());
        }
    }
    assert!(report.check("jwks").unwrap().detail.contains("key"));
    assert!(report.to_string().contains("[pass] discovery"));
}

#[tokio::test]
async fn a_stopped_server_fails_at_tcp_with_a_fix() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(Config::new(format!("http://127.0.0.1:{port}"), "app")).unwrap();
    let report = client.doctor().await;
    assert_eq!(names(&report), ["dns", "tcp"]);
    let tcp = report.check("tcp").unwrap();
    assert_eq!(tcp.status, CheckStatus::Fail);
    assert!(tcp.fix.as_deref().is_some_and(|f| f.contains("firewall")));
    // The innermost cause only, as network errors show it.
    let expected = format!("cannot connect (127.0.0.1:{port}: connection refused)");
    assert_eq!(tcp.detail, expected);
    assert_eq!(report.status(), CheckStatus::Fail);
}

#[tokio::test]
async fn tls_to_a_plain_http_server_fails_the_tls_check() {
    let env = start().await;
    let config = Config::new(format!("https://{}", env.emulator.addr()), "demo-app");
    let report = upbond_core::doctor(config).await;
    assert_eq!(names(&report), ["dns", "tcp", "tls"]);
    let tls = report.check("tls").unwrap();
    assert_eq!(tls.status, CheckStatus::Fail);
    assert!(
        tls.detail.contains("network_tls") && tls.fix.is_some(),
        "{tls:?}"
    );
}

#[tokio::test]
async fn a_wrong_issuer_fails_discovery_and_names_the_right_one() {
    let env = start().await;
    let config = Config::new(format!("{}/", env.issuer()), "demo-app");
    let report = upbond_core::doctor(config).await;
    let discovery = report.check("discovery").unwrap();
    assert_eq!(discovery.status, CheckStatus::Fail, "{discovery:?}");
    let fix = discovery.fix.as_deref().unwrap();
    assert!(fix.contains(&format!("{:?}", env.issuer())), "{fix}");
    assert!(report.check("jwks").is_none());
}

#[tokio::test]
async fn a_skewed_clock_warns_then_fails_beyond_the_leeway() {
    let env = start().await;
    for (offset, expected) in [(30, CheckStatus::Warn), (-600, CheckStatus::Fail)] {
        env.post("clock", json!({"offset_secs": offset})).await;
        let report = env.native().doctor().await;
        let skew = report.check("clock_skew").unwrap();
        assert_eq!(skew.status, expected, "{skew:?}");
        assert!(skew.fix.as_deref().is_some_and(|f| f.contains("clock")));
    }
}

#[tokio::test]
async fn an_invalid_configuration_is_a_failed_check() {
    let report = upbond_core::doctor(Config::new("http://example.com", "app")).await;
    assert_eq!(names(&report), ["configuration"]);
    assert_eq!(report.status(), CheckStatus::Fail);
}

/// Serves the emulator's discovery document changed by `edit`, once.
async fn serve_discovery(env: &crate::common::Env, edit: impl FnOnce(&mut serde_json::Value)) {
    let url = format!("{}/.well-known/openid-configuration", env.issuer());
    let response = env.http.get(url).send().await.unwrap();
    let mut document: serde_json::Value = response.json().await.unwrap();
    edit(&mut document);
    let body = document.to_string();
    env.fault(
        "/.well-known/openid-configuration",
        json!({"status": 200, "body": body}),
    )
    .await;
}

#[tokio::test]
async fn missing_optional_endpoints_and_unlisted_pkce_are_warnings() {
    let env = start().await;
    serve_discovery(&env, |doc| {
        let doc = doc.as_object_mut().unwrap();
        for member in [
            "revocation_endpoint",
            "end_session_endpoint",
            "code_challenge_methods_supported",
        ] {
            doc.remove(member);
        }
    })
    .await;
    let report = env.native().doctor().await;
    let endpoints = report.check("endpoints").unwrap();
    assert_eq!(endpoints.status, CheckStatus::Warn, "{endpoints:?}");
    assert_eq!(
        endpoints.detail,
        "not published: revocation_endpoint (no token revocation at sign-out), \
         end_session_endpoint (no browser sign-out)"
    );
    assert!(endpoints.fix.is_some());
    let pkce = report.check("pkce").unwrap();
    assert_eq!(pkce.status, CheckStatus::Warn, "{pkce:?}");
    assert!(pkce.fix.as_deref().is_some_and(|f| f.contains("S256")));
    // The checks after them still run.
    assert_eq!(report.check("jwks").unwrap().status, CheckStatus::Pass);
    assert_eq!(report.status(), CheckStatus::Warn);
}

#[tokio::test]
async fn no_token_endpoint_or_no_s256_fails() {
    let env = start().await;
    serve_discovery(&env, |doc| {
        doc.as_object_mut().unwrap().remove("token_endpoint");
        doc["code_challenge_methods_supported"] = json!(["plain"]);
    })
    .await;
    let report = env.native().doctor().await;
    let endpoints = report.check("endpoints").unwrap();
    assert_eq!(endpoints.status, CheckStatus::Fail, "{endpoints:?}");
    assert!(endpoints.detail.contains("token_endpoint"));
    assert!(endpoints.fix.is_some());
    let pkce = report.check("pkce").unwrap();
    assert_eq!(pkce.status, CheckStatus::Fail, "{pkce:?}");
    assert_eq!(pkce.detail, "PKCE S256 is not supported (only plain)");
    assert!(pkce.fix.as_deref().is_some_and(|f| f.contains("S256")));
    assert_eq!(report.status(), CheckStatus::Fail);
    // A healthy document again (the fault served once): everything passes.
    let again = env.native().doctor().await;
    assert_eq!(again.check("endpoints").unwrap().status, CheckStatus::Pass);
    assert_eq!(again.check("pkce").unwrap().status, CheckStatus::Pass);
}

#[tokio::test]
async fn an_issuer_path_without_discovery_fails_with_the_url_to_check() {
    let env = start().await;
    let issuer = format!("{}/wrong", env.emulator.issuer());
    let client = Client::new(Config::new(issuer.clone(), "demo-app")).unwrap();
    let report = client.doctor().await;
    let discovery = report.check("discovery").unwrap();
    assert_eq!(discovery.status, CheckStatus::Fail);
    let fix = discovery.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains(&format!("{issuer}/.well-known/openid-configuration")),
        "{fix}"
    );
}
