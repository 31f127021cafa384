//! Start-up, shutdown, the binary, config files and secret redaction.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use upbond_emulator::{Config, ConfigError, Emulator};

fn example_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("emulator.example.toml")
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("upbond-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn starts_on_a_free_loopback_port_and_shuts_down() {
    let a = Emulator::start(Config::default()).await.unwrap();
    let b = Emulator::start(Config::default()).await.unwrap();
    assert_ne!(a.addr().port(), b.addr().port());
    assert_eq!(a.issuer(), format!("http://127.0.0.1:{}", a.addr().port()));
    let discovery: Value = reqwest::get(format!("{}/.well-known/openid-configuration", a.issuer()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], a.issuer());
    let issuer = a.issuer().to_string();
    a.shutdown().await;
    assert!(
        reqwest::get(format!("{issuer}/.well-known/jwks.json"))
            .await
            .is_err()
    );
    let issuer = b.issuer().to_string();
    drop(b);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        reqwest::get(format!("{issuer}/.well-known/jwks.json"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_taken_port_is_a_bind_error() {
    let first = Emulator::start(Config::default()).await.unwrap();
    let second = Emulator::start_on(Config::default(), first.addr()).await;
    assert!(matches!(
        second,
        Err(upbond_emulator::StartError::Bind { .. })
    ));
    let invalid = Config {
        clients: vec![Config::default().clients[0].clone(); 2],
        ..Config::default()
    };
    assert!(matches!(
        Emulator::start(invalid).await,
        Err(upbond_emulator::StartError::Config(_))
    ));
}

#[tokio::test]
async fn discovery_advertises_the_contract() {
    let env = start().await;
    let d: Value = env
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    for (key, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("device_authorization_endpoint", "/oauth/device/code"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/.well-known/jwks.json"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("end_session_endpoint", "/oauth/logout"),
    ] {
        assert_eq!(d[key], env.url(path), "{key}");
    }
    assert_eq!(d["response_types_supported"], json!(["code"]));
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256"])
    );
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert_eq!(d["grant_types_supported"].as_array().unwrap().len(), 4);
}

#[test]
fn example_config_and_json_config_load() {
    let example = Config::from_path(&example_path()).unwrap();
    assert_eq!(
        serde_json::to_value(&example).unwrap(),
        serde_json::to_value(Config::default()).unwrap(),
        "the documented example equals the built-in seed"
    );
    let json = temp_file(
        "c.json",
        r#"{"rate_limits": {"enabled": false}, "device": {"interval_secs": 2}}"#,
    );
    let config = Config::from_path(&json).unwrap();
    assert!(!config.rate_limits.enabled);
    assert_eq!(config.device.interval_secs, 2);
    assert_eq!(config.device.code_ttl_secs, 1800);
    assert_eq!(config.clients.len(), 2, "missing sections keep the seed");
}

#[test]
fn bad_config_files_are_typed_errors() {
    let missing = Config::from_path(std::path::Path::new("/nonexistent/emulator.toml"));
    assert!(matches!(missing, Err(ConfigError::Read { .. })));
    let typo = temp_file("typo.toml", "[tokenz]\nx = 1\n");
    assert!(matches!(
        Config::from_path(&typo),
        Err(ConfigError::Parse { .. })
    ));
    let ttl = temp_file("t.toml", "[tokens]\naccess_token_ttl_secs = 0\n");
    assert!(matches!(
        Config::from_path(&ttl),
        Err(ConfigError::Invalid(_))
    ));
    let provider = temp_file("p.toml", "broken_social_providers = [\"myspace\"]\n");
    assert!(matches!(
        Config::from_path(&provider),
        Err(ConfigError::Invalid(_))
    ));
    let dup = temp_file(
        "d.json",
        r#"{"clients": [
        {"client_id": "a", "grant_types": [], "scopes": []},
        {"client_id": "a", "grant_types": [], "scopes": []}]}"#,
    );
    assert!(matches!(
        Config::from_path(&dup),
        Err(ConfigError::Invalid(_))
    ));
}

#[test]
fn debug_output_redacts_secrets() {
    let text = format!("{:?}", Config::default());
    assert!(text.contains("demo-service"));
    assert!(!text.contains("demo-service-secret") && !text.contains("demo-password"));
}

/// Runs the binary with `args`; returns the child and its first stdout line.
fn spawn_binary(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_upbond-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn binary_prints_issuer_and_serves_with_config() {
    let config = temp_file("bin.toml", "[device]\ninterval_secs = 7\n");
    let (mut child, line) = spawn_binary(&[
        "--port".as_ref(),
        "0".as_ref(),
        "--config".as_ref(),
        config.as_os_str(),
    ]);
    let issuer = line.trim().strip_prefix("issuer: ").unwrap().to_string();
    assert!(issuer.starts_with("http://127.0.0.1:"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = runtime.block_on(async {
        let request = reqwest::Client::new().post(format!("{issuer}/oauth/device/code"));
        let response = request
            .form(&[("client_id", "demo-app")])
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    });
    assert_eq!(body["interval"], 7);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn binary_binds_all_interfaces_only_with_allow_remote() {
    let (mut child, line) = spawn_binary(&[
        "--host".as_ref(),
        "0.0.0.0".as_ref(),
        "--allow-remote".as_ref(),
    ]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("issuer: http://127.0.0.1:"), "{line}");
}

#[test]
fn binary_refuses_remote_hosts_and_bad_configs() {
    let out = Command::new(env!("CARGO_BIN_EXE_upbond-emulator"))
        .args(["--host", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
    let bad = temp_file("bad.toml", "nonsense = true\n");
    let out = Command::new(env!("CARGO_BIN_EXE_upbond-emulator"))
        .arg("--config")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn unknown_paths_and_methods_get_oauth_json() {
    let env = start().await;
    let response = env.get("/nowhere").await;
    let (status, body) = json_of(response).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let response = env.http.delete(env.url("/userinfo")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let response = env
        .http
        .post(env.url("/_emulator/clock"))
        .body("nope")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert!(status.is_client_error());
    assert_eq!(body["error"], "invalid_request");
    let long_path = format!("/api/v1/users/{}", "%FF".repeat(3));
    let (status, body) = json_of(env.get(&long_path).await).await;
    assert!(status.is_client_error(), "{body}");
}
