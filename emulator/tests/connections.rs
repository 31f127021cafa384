//! Connection handling: slow, silent and idle connections are closed after the header read
//! timeout, requests whose body stalls after the body read timeout; a request being handled
//! is not.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use upbond_emulator::Config;

/// The timeout the tests configure.
const TIMEOUT_MS: u64 = 300;
/// How long a test waits for the server to close before calling it a hang.
const PATIENCE: Duration = Duration::from_secs(5);

async fn start_short() -> Env {
    let mut config = Config::default();
    config.server.header_read_timeout_ms = TIMEOUT_MS;
    config.server.body_read_timeout_ms = TIMEOUT_MS;
    start_with(config).await
}

/// A new connection to the emulator on which `bytes` have been sent.
async fn send(env: &Env, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(env.emu.addr()).await.expect("connect");
    stream.write_all(bytes).await.expect("send");
    stream
}

/// Reads until the server closes the connection; returns everything read. Fails the test
/// when the connection is still open after [`PATIENCE`].
async fn read_until_closed(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn trickled_headers_are_cut_off() {
    let env = start_short().await;
    let stream = send(&env, b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n").await;
    let (mut reader, mut writer) = stream.into_split();
    // One more header line every 100 ms, never the blank line that ends the head.
    let trickle = tokio::spawn(async move {
        for i in 0..100 {
            let line = format!("X-Slow-{i}: 1\r\n");
            if writer.write_all(line.as_bytes()).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let seen = read_until_closed(&mut reader).await;
    trickle.abort();
    assert_eq!(seen, "", "no answer to a head that never ends");
}

#[tokio::test]
async fn silent_and_half_sent_connections_are_closed() {
    let env = start_short().await;
    let mut silent = send(&env, b"").await;
    assert_eq!(read_until_closed(&mut silent).await, "");
    // A prefix of the HTTP/2 preface keeps the protocol undecided.
    let mut undecided = send(&env, b"PRI * HT").await;
    assert_eq!(read_until_closed(&mut undecided).await, "");
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_after_the_response() {
    let env = start_short().await;
    let mut stream = send(
        &env,
        b"GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    let seen = read_until_closed(&mut stream).await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(
        seen.contains("\"keys\""),
        "the whole response came first: {seen}"
    );
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408_and_closed() {
    let env = start_short().await;
    for path in ["/oauth/token", "/_emulator/faults", "/oauth/device/code"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 1000\r\n\r\ngrant"
        );
        let mut stream = send(&env, head.as_bytes()).await;
        let seen = read_until_closed(&mut stream).await;
        assert!(seen.starts_with("HTTP/1.1 408"), "{path}: {seen}");
        assert!(
            seen.contains("did not arrive within 300 ms"),
            "{path}: {seen}"
        );
    }
}

#[tokio::test]
async fn a_body_over_2_mib_is_answered_413_and_closed() {
    let env = start().await;
    let size = 2 * 1024 * 1024 + 1;
    let mut request =
        format!("POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n")
            .into_bytes();
    request.resize(request.len() + size, b'a');
    let mut stream = send(&env, &request).await;
    let seen = read_until_closed(&mut stream).await;
    assert!(seen.starts_with("HTTP/1.1 413"), "{seen}");
    assert!(seen.contains("larger than 2097152 bytes"), "{seen}");
}

#[tokio::test]
async fn a_trickled_body_is_cut_off_too() {
    let env = start_short().await;
    let stream = send(
        &env,
        b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
    )
    .await;
    let (mut reader, mut writer) = stream.into_split();
    // One byte every 50 ms: each arrives well within the timeout, the whole body never does.
    let trickle = tokio::spawn(async move {
        for _ in 0..1000 {
            if writer.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let seen = read_until_closed(&mut reader).await;
    trickle.abort();
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
}

#[tokio::test]
async fn a_slow_handler_outlasts_the_timeout() {
    let env = start_short().await;
    let (status, _) = env
        .hook(
            "/faults",
            json!({ "path": "/.well-known/jwks.json", "delay_ms": TIMEOUT_MS * 3 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let response = env.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn the_timeouts_default_to_ten_seconds_and_are_range_checked() {
    assert_eq!(Config::default().server.header_read_timeout_ms, 10_000);
    assert_eq!(Config::default().server.body_read_timeout_ms, 10_000);
    for bad in [0, 3_600_001] {
        let mut config = Config::default();
        config.server.header_read_timeout_ms = bad;
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("header_read_timeout_ms"), "{error}");
        let mut config = Config::default();
        config.server.body_read_timeout_ms = bad;
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("body_read_timeout_ms"), "{error}");
    }
}
