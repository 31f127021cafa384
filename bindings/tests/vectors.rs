//! The shared conformance vectors (tests/vectors/*.json) through the binding layer: each
//! token endpoint answer is served once by the emulator's fault hook while a confidential
//! client asks for client credentials; the result must match the vector. The Python suite
//! (python/tests/test_vectors.py) runs the same files and must agree.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};
use upbond_bindings::{Client, ClientConfig, TokenSet, UpbondError};
use upbond_emulator::Emulator;

mod common;

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    response: Response,
    expect: Value,
}

#[derive(Deserialize)]
struct Response {
    status: u16,
    body: String,
    content_type: Option<String>,
    retry_after: Option<String>,
}

fn load(file: &str) -> Vec<Vector> {
    let path = format!("{}/../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<Vectors>(&text)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .vectors
}

async fn start() -> (Emulator, std::sync::Arc<Client>) {
    let mut config = upbond_emulator::Config::default();
    config.rate_limits.enabled = false;
    let emulator = Emulator::start(config).await.expect("emulator starts");
    let config = ClientConfig {
        max_attempts: Some(1),
        ..common::config(
            emulator.issuer(),
            "demo-service",
            Some("demo-service-secret"),
        )
    };
    let client = Client::new(config).expect("valid config");
    // Discovery first, so that the fault hits the token request.
    client.discover().await.expect("discovery");
    (emulator, client)
}

/// Serves `response` once at the token endpoint and asks for client credentials.
async fn serve(
    emulator: &Emulator,
    client: &Client,
    r: &Response,
) -> Result<TokenSet, UpbondError> {
    let mut fault = json!({"path": "/oauth/token", "times": 1, "status": r.status, "body": r.body});
    if let Some(ct) = &r.content_type {
        fault["content_type"] = json!(ct);
    }
    if let Some(ra) = &r.retry_after {
        fault["retry_after"] = json!(ra);
    }
    let answer = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emulator.issuer()))
        .json(&fault)
        .send()
        .await
        .expect("fault hook");
    assert!(
        answer.status().is_success(),
        "fault hook: {}",
        answer.status()
    );
    client.client_credentials(vec![]).await
}

/// The fields a vector compares, read from the binding's error.
fn observed(error: &UpbondError) -> Value {
    let s = error.info();
    json!({"code": s.code, "detail": s.detail, "retryable": s.retryable,
           "reauthentication_required": s.reauthentication_required,
           "retry_after_ms": s.retry_after_ms, "status": s.status})
}

#[tokio::test]
async fn error_vectors_give_the_expected_errors() {
    let (emulator, client) = start().await;
    let vectors = load("errors.json");
    assert!(vectors.len() >= 20);
    let mut failures = Vec::new();
    for v in vectors {
        let error = match serve(&emulator, &client, &v.response).await {
            Ok(_) => {
                failures.push(format!("{}: succeeded", v.name));
                continue;
            }
            Err(e) => e,
        };
        let got = observed(&error);
        for key in [
            "code",
            "retryable",
            "reauthentication_required",
            "retry_after_ms",
            "status",
        ] {
            if got[key] != v.expect[key] {
                failures.push(format!(
                    "{}: {key} = {}, expected {}",
                    v.name, got[key], v.expect[key]
                ));
            }
        }
        if let Some(part) = v.expect["detail_contains"].as_str() {
            let detail = got["detail"].as_str().unwrap_or_default();
            if !detail.contains(part) {
                failures.push(format!("{}: detail {detail:?} lacks {part:?}", v.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn token_vectors_give_the_expected_token_sets() {
    let (emulator, client) = start().await;
    let mut failures = Vec::new();
    for v in load("tokens.json") {
        let tokens = match serve(&emulator, &client, &v.response).await {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: failed with {e}", v.name));
                continue;
            }
        };
        let e = &v.expect;
        if json!(tokens.access_token) != e["access_token"]
            || json!(tokens.refresh_token) != e["refresh_token"]
            || json!(tokens.scopes) != e["scopes"]
        {
            failures.push(format!("{}: tokens or scopes differ", v.name));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let expires_in = tokens.expires_at.map(|at| at.saturating_sub(now));
        let ok = match (expires_in, e["expires_in"].as_u64()) {
            (None, None) => true,
            (Some(got), Some(want)) => got.abs_diff(want) <= 5,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: expires_in {expires_in:?}, expected {}",
                v.name, e["expires_in"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
