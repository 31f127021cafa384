//! `--verbose` and UPBOND_DEBUG=1: the core's redacted request log on stderr, never a secret.

mod common;

use common::{Server, json, run, upbond};

const SECRET: &str = "demo-service-secret";

fn token(dir: &std::path::Path, issuer: &str) -> std::process::Command {
    let mut cmd = upbond(dir);
    cmd.args([
        "token",
        "--json",
        "--issuer",
        issuer,
        "--client-id",
        "demo-service",
    ])
    .env("UPBOND_CLIENT_SECRET", SECRET)
    .env_remove("UPBOND_DEBUG");
    cmd
}

/// The client credentials the request carried in its Basic authorization header.
fn basic_credentials() -> String {
    // base64("demo-service:demo-service-secret"), spelled out so the test needs no encoder.
    "ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=".to_owned()
}

#[test]
fn verbose_logs_requests_to_stderr_without_secrets() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let issuer = server.issuer();

    let (code, stdout, stderr) = run(token(dir.path(), &issuer).arg("--verbose"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc = json(&stdout, &stderr);
    let access_token = doc["tokens"]["access_token"].as_str().unwrap();
    assert!(
        stderr.contains("GET /.well-known/openid-configuration"),
        "{stderr}"
    );
    assert!(stderr.contains("POST /oauth/token"), "{stderr}");
    assert!(stderr.contains("200"), "{stderr}");
    for secret in [SECRET, access_token, &basic_credentials()] {
        assert!(!stderr.contains(secret), "a secret is logged:\n{stderr}");
    }

    // The environment variable does the same; without either, nothing is logged.
    let (code, stdout, stderr) = run(token(dir.path(), &issuer).env("UPBOND_DEBUG", "1"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("POST /oauth/token"), "{stderr}");
    let (code, stdout, stderr) = run(&mut token(dir.path(), &issuer));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stderr, "");
}
