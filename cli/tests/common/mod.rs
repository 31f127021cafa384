//! Shared helpers: an emulator on its own runtime, and the `upbond` binary run with a private
//! configuration directory and no UPBOND_* variables from the developer's environment.

#![allow(dead_code)] // each test file uses a different subset

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use upbond_emulator::{Config, Emulator};

/// A running emulator; stopped on drop.
pub struct Server {
    pub rt: tokio::runtime::Runtime,
    pub emulator: Emulator,
}

impl Server {
    pub fn start() -> Server {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emulator = rt.block_on(Emulator::start(Config::default())).unwrap();
        let server = Server { rt, emulator };
        // Keep the device flow fast: the CLI polls at the interval the server sends.
        server.hook(
            "/_emulator/settings",
            serde_json::json!({"device_interval_secs": 1}),
        );
        server
    }

    pub fn issuer(&self) -> String {
        self.emulator.issuer().to_owned()
    }

    /// POSTs JSON to a test hook and returns the status and JSON body.
    pub fn hook(&self, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.issuer());
        self.rt.block_on(async {
            let resp = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// GETs a test hook's JSON.
    pub fn hook_get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.issuer());
        self.rt
            .block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() })
    }

    /// GETs a URL and returns the status and body.
    pub fn get_text(&self, url: &str) -> (u16, String) {
        self.rt.block_on(async {
            let response = reqwest::get(url).await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    }
}

/// `upbond` with a clean environment and `dir` as its configuration directory.
pub fn upbond(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_upbond"));
    for var in [
        "UPBOND_ISSUER",
        "UPBOND_CLIENT_ID",
        "UPBOND_CLIENT_SECRET",
        "UPBOND_SCOPE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("UPBOND_CONFIG_DIR", dir).env("NO_COLOR", "1");
    cmd
}

/// `upbond token` for the emulator's confidential client `demo-service` (with `--json` when
/// `json_flag`).
pub fn service_token(server: &Server, dir: &Path, json_flag: bool) -> Command {
    let mut cmd = upbond(dir);
    cmd.args(["token", "--issuer", &server.issuer()])
        .args(["--client-id", "demo-service"])
        .args(["--client-secret", "demo-service-secret"]);
    if json_flag {
        cmd.arg("--json");
    }
    cmd
}

/// The exit code, or 1000 + the signal number that ended the process.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    let by_signal = std::os::unix::process::ExitStatusExt::signal(&status).map(|s| 1000 + s);
    #[cfg(not(unix))]
    let by_signal = None;
    status.code().or(by_signal).unwrap_or(-1)
}

/// Runs to completion and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        exit_code(status),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// Parses stdout as one JSON document, with the outputs in the panic message if it is not.
pub fn json(stdout: &str, stderr: &str) -> Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"))
}

/// A running `login --device` whose user code has been read.
pub struct DeviceLogin {
    child: Child,
    /// The user code shown.
    pub code: String,
    prompt_stream: std::thread::JoinHandle<String>,
    prompt_on_stderr: bool,
}

impl DeviceLogin {
    /// The process id of the running login.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the exit; returns (exit code, stdout, stderr), each complete.
    pub fn finish(mut self) -> (i32, String, String) {
        let other = if self.prompt_on_stderr {
            self.child.stdout.take()
        } else {
            None
        }
        .map(|mut s| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut s, &mut text).unwrap();
            text
        });
        let (code, stdout, stderr) = finish(self.child);
        let prompt = self.prompt_stream.join().unwrap();
        if self.prompt_on_stderr {
            (code, other.unwrap_or(stdout), prompt)
        } else {
            (code, prompt, stderr)
        }
    }
}

/// Spawns `login --device` and reads its output until the user code appears. In `--json`
/// mode the prompt is on stderr, otherwise on stdout.
pub fn spawn_device_login(mut cmd: Command, prompt_on_stderr: bool) -> DeviceLogin {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stream: Box<dyn std::io::Read + Send> = if prompt_on_stderr {
        Box::new(child.stderr.take().unwrap())
    } else {
        Box::new(child.stdout.take().unwrap())
    };
    let mut reader = BufReader::new(stream);
    let mut seen = String::new();
    let Some(code) = read_user_code(&mut reader, &mut seen) else {
        let _ = child.wait();
        panic!("login ended before showing a user code:\n{seen}");
    };
    // Keep reading so the child never blocks on a full pipe.
    let prompt_stream = std::thread::spawn(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        seen + &rest
    });
    DeviceLogin {
        child,
        code,
        prompt_stream,
        prompt_on_stderr,
    }
}

/// Reads lines into `seen` until one shows the user code; `None` at the end of the stream.
fn read_user_code(reader: &mut impl BufRead, seen: &mut String) -> Option<String> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        seen.push_str(&line);
        if let Some(code) = user_code(&line) {
            return Some(code);
        }
    }
}

/// The `XXXX-XXXX` user code on a prompt line like `  code: ABCD-EFGH`.
fn user_code(line: &str) -> Option<String> {
    let rest = line.split("code:").nth(1)?.trim();
    let code: String = rest.chars().take(9).collect();
    (code.len() == 9 && code.as_bytes()[4] == b'-').then_some(code)
}

/// Waits for the child and returns (exit code, remaining stdout-or-stderr not consumed).
pub fn finish(child: Child) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    (
        exit_code(status),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// Fails when `text` holds anything that looks like a whole JWT (the CLI shows at most a
/// short prefix such as `eyJ0eX…`).
pub fn assert_no_jwt(text: &str) {
    for (at, _) in text.match_indices("eyJ") {
        let run = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .count();
        assert!(run < 16, "a token-like string is printed in full:\n{text}");
    }
}
