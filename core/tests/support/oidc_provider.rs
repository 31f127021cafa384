//! The panva/oidc-provider peer (tests/interop/oidc-provider): one node process per test
//! binary, started on first use, and its `/_test/*` hooks.
//!
//! The process lives in a static, which is never dropped; it is spawned with
//! `--watch-stdin` and a piped stdin, so it exits as soon as the test binary does (normally,
//! on panic=abort or when killed).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

/// Set to `1` to skip (with a printed note) when Node.js or the npm install is unavailable.
const SKIP_VAR: &str = "UPBOND_SKIP_INTEROP";
/// oidc-provider 9 needs Node 20.19 or newer.
const MIN_NODE: (u32, u32) = (20, 19);
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How much of the peer's stderr is kept for a start-up failure message.
const STDERR_KEEP: usize = 4000;

/// A running peer.
pub struct Peer {
    issuer: String,
    /// Held so that stdin stays open (closing it stops the server).
    _process: Mutex<Child>,
}

/// Why there is no peer.
enum Unavailable {
    /// Node.js/npm missing, too old, or the npm install failed: skippable.
    Tooling(String),
    /// The tools are there but the server did not start: always a failure.
    Broken(String),
}

/// The shared peer, or `None` when the tooling is missing and `UPBOND_SKIP_INTEROP=1`.
/// Panics with the reason otherwise.
pub fn peer() -> Option<&'static Peer> {
    static PEER: OnceLock<Result<Peer, Unavailable>> = OnceLock::new();
    match PEER.get_or_init(start) {
        Ok(peer) => Some(peer),
        Err(Unavailable::Tooling(reason)) if std::env::var(SKIP_VAR).as_deref() == Ok("1") => {
            eprintln!("skipped: oidc-provider interop peer unavailable ({reason}); {SKIP_VAR}=1");
            None
        }
        Err(Unavailable::Tooling(reason)) => panic!(
            "the oidc-provider interop peer needs Node.js >= {}.{} and npm: {reason}. \
             Install them, or set {SKIP_VAR}=1 to skip these tests",
            MIN_NODE.0, MIN_NODE.1
        ),
        Err(Unavailable::Broken(reason)) => {
            panic!("the oidc-provider peer did not start: {reason}")
        }
    }
}

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/oidc-provider")
}

fn start() -> Result<Peer, Unavailable> {
    check_node()?;
    let dir = peer_dir();
    let install = Command::new(dir.join("ensure-deps.sh"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Unavailable::Tooling(format!("ensure-deps.sh could not run: {e}")))?;
    if !install.status.success() {
        return Err(Unavailable::Tooling(format!(
            "ensure-deps.sh failed ({}): {}",
            install.status,
            String::from_utf8_lossy(&install.stderr).trim()
        )));
    }
    let mut process = Command::new("node")
        .args(["server.mjs", "0", "--watch-stdin"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Unavailable::Broken(format!("node server.mjs could not start: {e}")))?;
    let stderr = process.stderr.take().map(keep_tail).unwrap_or_default();
    let issuer = process
        .stdout
        .take()
        .map(issuer_line)
        .and_then(|lines| lines.recv_timeout(START_TIMEOUT).ok());
    match issuer {
        Some(issuer) => Ok(Peer {
            issuer,
            _process: Mutex::new(process),
        }),
        None => {
            let _ = process.kill();
            let status = process.wait().map(|s| s.to_string()).unwrap_or_default();
            let stderr = stderr
                .lock()
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .unwrap_or_default();
            Err(Unavailable::Broken(format!(
                "no `issuer:` line within {START_TIMEOUT:?} (exit {status}); stderr: {}",
                stderr.trim()
            )))
        }
    }
}

fn check_node() -> Result<(), Unavailable> {
    let version = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .ok_or_else(|| Unavailable::Tooling(format!("`{tool} --version` failed")))
    };
    let node = version("node")?;
    version("npm")?;
    let mut parts = node
        .trim_start_matches('v')
        .split('.')
        .map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) if (major, minor) >= MIN_NODE => Ok(()),
        _ => Err(Unavailable::Tooling(format!("node is {node}"))),
    }
}

/// Sends the issuer of the first `issuer: ` stdout line, then keeps draining stdout.
fn issuer_line(stdout: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(issuer) = line.strip_prefix("issuer: ") {
                let _ = sender.send(issuer.trim().to_owned());
            }
        }
    });
    receiver
}

/// Drains stderr (Node prints warnings there) and keeps its last few kilobytes.
fn keep_tail(mut stderr: ChildStderr) -> Arc<Mutex<Vec<u8>>> {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let writer = kept.clone();
    std::thread::spawn(move || {
        let mut chunk = [0; 1024];
        while let Ok(read @ 1..) = stderr.read(&mut chunk) {
            if let Ok(mut text) = writer.lock() {
                text.extend_from_slice(&chunk[..read]);
                let excess = text.len().saturating_sub(STDERR_KEEP);
                text.drain(..excess);
            }
        }
    });
    kept
}

impl Peer {
    /// `http://127.0.0.1:PORT`, exactly as the provider reports it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// POSTs to a hook; returns the HTTP status and the JSON answer.
    async fn hook(&self, path: &str, body: Value) -> (u16, Value) {
        // A client per call: test runtimes come and go, and pooled connections die with them.
        let response = reqwest::Client::new()
            .post(format!("{}/_test/{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("hook {path}: {e}"));
        let status = response.status().as_u16();
        let value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("hook {path} answered non-JSON: {e}"));
        (status, value)
    }

    /// Plays the browser for an authorization URL: the provider's redirect back to the
    /// client, or the hook's error body (with `provider_response`) when there was none.
    pub async fn authorize(&self, url: &Url, deny: bool) -> Result<String, Value> {
        let (status, body) = self
            .hook("authorize", json!({"url": url.as_str(), "deny": deny}))
            .await;
        match body["redirect_url"].as_str() {
            Some(redirect) if status == 200 => Ok(redirect.to_owned()),
            _ => Err(body),
        }
    }

    /// Enters, confirms (or aborts) a device user code; panics when the hook fails.
    pub async fn device(&self, user_code: &str, deny: bool) {
        let (status, body) = self
            .hook("device", json!({"user_code": user_code, "deny": deny}))
            .await;
        let expected = if deny { "denied" } else { "approved" };
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some(expected)),
            "{body}"
        );
    }

    /// Submits an end-session URL; returns where the provider sent the browser (if anywhere).
    pub async fn logout(&self, url: &Url) -> Option<String> {
        let (status, body) = self.hook("logout", json!({"url": url.as_str()})).await;
        assert_eq!(status, 200, "logout hook: {body}");
        body["redirect_url"].as_str().map(str::to_owned)
    }
}
