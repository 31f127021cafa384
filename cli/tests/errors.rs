//! Bad input and refusals: a clear message, the documented exit status, never a panic.

mod common;

use std::process::Command;

use common::{Server, json, run, spawn_device_login, upbond};
use serde_json::json as j;

fn no_panic(text: &str) {
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{text}"
    );
}

fn device_login(dir: &std::path::Path, issuer: &str) -> Command {
    let mut cmd = upbond(dir);
    cmd.args([
        "login",
        "--device",
        "--json",
        "--issuer",
        issuer,
        "--client-id",
        "demo-app",
    ]);
    cmd
}

/// An issuer URL on a port where nothing listens.
fn dead_issuer() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn unreachable_issuer_points_to_doctor() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = dead_issuer();
    let (code, stdout, stderr) = run(upbond(dir.path()).args([
        "login",
        "--device",
        "--issuer",
        &issuer,
        "--client-id",
        "demo-app",
    ]));
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(stderr.contains("error[network_connect]"), "{stderr}");
    assert!(stderr.contains("upbond doctor"), "{stderr}");
    no_panic(&stderr);

    let (code, stdout, stderr) =
        run(upbond(dir.path()).args(["doctor", "--json", "--issuer", &issuer]));
    assert_eq!(code, 7, "{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["ok"], false);
    let checks = doc["checks"].as_array().unwrap();
    let last = checks.last().unwrap();
    assert_eq!(
        (&last["name"], &last["status"]),
        (&j!("tcp"), &j!("fail")),
        "{doc}"
    );
    let detail = last["detail"].as_str().unwrap();
    assert!(
        detail.ends_with(": connection refused)") && !detail.contains("os error"),
        "{doc}"
    );
    assert!(!last["fix"].as_str().unwrap().is_empty(), "{doc}");
}

#[test]
fn wrong_issuer_is_an_issuer_mismatch() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let wrong = format!("{}/", server.issuer());
    let (code, stdout, stderr) = run(&mut device_login(dir.path(), &wrong));
    assert_eq!(code, 4, "{stdout}{stderr}");
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!(error["code"], "issuer_mismatch");
    assert_eq!(error["exit_code"], 4);
    assert!(
        error["fix"].as_str().unwrap().contains("upbond doctor"),
        "{error}"
    );

    let (code, stdout, _) = run(upbond(dir.path()).args(["doctor", "--issuer", &wrong]));
    assert_eq!(code, 7);
    assert!(stdout.contains("fail  discovery"), "{stdout}");
    let fix = stdout
        .lines()
        .skip_while(|l| !l.contains("fail  discovery"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        fix.contains("fix:") && fix.contains(&format!("{:?}", server.issuer())),
        "the fix names the right issuer: {stdout}"
    );
}

#[test]
fn doctor_passes_on_the_emulator_and_catches_clock_skew() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let issuer = server.issuer();
    let (code, stdout, stderr) =
        run(upbond(dir.path()).args(["doctor", "--json", "--issuer", &issuer]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["ok"], true);
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
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
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pass"),
        "{doc}"
    );

    server.hook("/_emulator/clock", j!({"offset_secs": -600}));
    let (code, stdout, _) = run(upbond(dir.path()).args(["doctor", "--issuer", &issuer]));
    assert_eq!(code, 7, "{stdout}");
    // The issuer's clock is 600 s behind: this machine's is 600 s ahead of it.
    let line = stdout.lines().find(|l| l.contains("clock_skew")).unwrap();
    assert!(
        line.contains("fail") && line.contains("600 s ahead of the server"),
        "{line}"
    );
    assert!(stdout.contains("fix: Synchronise"), "{stdout}");
}

#[test]
fn missing_secret_for_client_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args([
        "token",
        "--json",
        "--issuer",
        "http://127.0.0.1:1",
        "--client-id",
        "demo-service",
    ]));
    assert_eq!(code, 3);
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!(error["code"], "invalid_config");
    assert!(error["fix"].as_str().unwrap().contains("--client-secret"));
}

#[test]
fn nothing_configured_says_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["login", "token", "userinfo"] {
        let (code, _, stderr) = run(upbond(dir.path()).arg(command));
        assert_eq!(code, 3, "{command}: {stderr}");
        assert!(stderr.contains("error[invalid_config]"), "{stderr}");
        assert!(
            stderr.contains("UPBOND_ISSUER") && stderr.contains("upbond demo"),
            "{stderr}"
        );
    }
}

#[test]
fn a_malformed_issuer_is_reported_before_a_missing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["--issuer", "not a url", "token"]));
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(stderr.contains("error[invalid_config]"), "{stderr}");
    assert!(
        stderr.contains("not a valid URL") && stderr.contains("--issuer"),
        "{stderr}"
    );
    assert!(!stderr.contains("needs a client secret"), "{stderr}");
    no_panic(&stderr);

    // Whatever the command, and wherever the issuer comes from.
    std::fs::write(
        dir.path().join("config.toml"),
        "issuer = \"http://auth.example\"\n",
    )
    .unwrap();
    for command in ["login", "token", "userinfo", "refresh", "logout", "doctor"] {
        let (code, stdout, stderr) = run(upbond(dir.path()).args([command, "--json"]));
        let error = &json(&stdout, &stderr)["error"];
        assert_eq!(
            (code, &error["code"]),
            (3, &j!("invalid_config")),
            "{command}"
        );
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("must use https"), "{command}: {message}");
    }
}

#[test]
fn config_file_is_used_and_flags_win() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("issuer = \"{}\"\nclient_id = \"demo-service\"\nclient_secret = \"demo-service-secret\"\n", server.issuer()),
    )
    .unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["token", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json(&stdout, &stderr)["client_id"], "demo-service");
    let (code, stdout, stderr) =
        run(upbond(dir.path()).args(["token", "--json", "--client-secret", "wrong"]));
    assert_eq!(code, 5);
    assert_eq!(json(&stdout, &stderr)["error"]["code"], "invalid_client");

    std::fs::write(dir.path().join("config.toml"), "isuer = \"typo\"\n").unwrap();
    let (code, _, stderr) = run(upbond(dir.path()).arg("token"));
    assert_eq!(code, 3);
    assert!(
        stderr.contains("error[invalid_config]") && stderr.contains("isuer"),
        "{stderr}"
    );
}

#[test]
fn explain_known_and_unknown_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(upbond(dir.path()).args(["explain", "koe101"]));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("KOE101 "), "{stdout}");
    assert!(
        stdout.contains("Likely causes:") && stdout.contains("What to do:"),
        "{stdout}"
    );

    let (code, stdout, stderr) = run(upbond(dir.path()).args(["explain", "EMAIL_007", "--json"]));
    assert_eq!(code, 0);
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["code"], "EMAIL_007");
    assert!(!doc["title"].as_str().unwrap().is_empty());
    assert!(!doc["causes"].as_array().unwrap().is_empty());
    assert!(!doc["resolution"].as_array().unwrap().is_empty());

    let (code, _, stderr) = run(upbond(dir.path()).args(["explain", "email07"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error[unknown_code]") && stderr.contains("EMAIL_007"),
        "{stderr}"
    );
    // Far from every code: no far-fetched guess, but how to see them all.
    for far in ["NOPE", "xyzzy"] {
        let (code, stdout, stderr) = run(upbond(dir.path()).args(["explain", "--json", far]));
        assert_eq!(code, 2);
        let fix = json(&stdout, &stderr)["error"]["fix"].to_string();
        assert!(
            !fix.contains("Did you mean") && fix.contains("upbond explain --list"),
            "{far}: {fix}"
        );
    }
    let (code, _, stderr) = run(upbond(dir.path()).args(["explain", "invalid_clinet"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("Did you mean invalid_client?"), "{stderr}");
    let (code, stdout, _) = run(upbond(dir.path()).args(["explain", "--list"]));
    assert_eq!(code, 0);
    for known in ["invalid_client", "EMAIL_007", "not_signed_in"] {
        assert!(stdout.lines().any(|l| l.starts_with(known)), "{stdout}");
    }
    // The unknown code is echoed without escape sequences and cut short.
    let typed = format!("\u{1b}]0;owned\u{7}{}", "x".repeat(10_000));
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["explain", &typed]));
    assert_eq!(code, 2);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr}"
    );
    assert!(stderr.len() < 3000 && stdout.is_empty(), "{stderr}");
}

/// Where the command has its own remedy, explain gives it rather than the SDK's.
#[test]
fn explain_gives_the_commands_own_remedy() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(upbond(dir.path()).args(["explain", "not_signed_in"]));
    assert_eq!(code, 0);
    let fix = stdout.split("What to do:").nth(1).unwrap_or_default();
    assert!(
        fix.contains("upbond login") && !fix.contains("session"),
        "{stdout}"
    );
    let (_, stdout, stderr) =
        run(upbond(dir.path()).args(["explain", "--json", "network_connect"]));
    let resolution = json(&stdout, &stderr)["resolution"].to_string();
    assert!(resolution.contains("upbond doctor"), "{resolution}");
}

#[test]
fn unknown_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["login", "--bogus"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--bogus"), "{stderr}");
    no_panic(&format!("{stdout}{stderr}"));
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["--json", "frobnicate"]));
    assert_eq!(code, 2);
    assert_eq!(json(&stdout, &stderr)["error"]["code"], "usage");
    let (code, stdout, _) = run(upbond(dir.path()).arg("--help"));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Exit status:") && stdout.contains("130"),
        "{stdout}"
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_arguments_are_usage_errors_not_panics() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let bad = OsStr::from_bytes(b"\xff\xfe");
    for json_flag in [false, true] {
        let mut cmd = upbond(dir.path());
        cmd.arg("explain").arg(bad);
        if json_flag {
            cmd.arg("--json");
        }
        let (code, stdout, stderr) = run(&mut cmd);
        no_panic(&format!("{stdout}{stderr}"));
        assert_eq!(code, 2, "{stderr}");
        if json_flag {
            assert_eq!(json(&stdout, &stderr)["error"]["code"], "usage");
        }
    }
    // A bad environment variable is named, never echoed.
    let (code, stdout, stderr) = run(upbond(dir.path())
        .env("UPBOND_ISSUER", bad)
        .args(["userinfo", "--json"]));
    no_panic(&stderr);
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!((code, &error["code"]), (2, &j!("usage")));
    assert!(
        error["message"].as_str().unwrap().contains("UPBOND_ISSUER"),
        "{error}"
    );
    let (code, stdout, stderr) = run(upbond(dir.path())
        .env("UPBOND_CLIENT_SECRET", OsStr::from_bytes(b"s3cr3t\xff"))
        .args(["token"]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("UPBOND_CLIENT_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("s3cr3t") && !stderr.contains('\u{fffd}'),
        "{stderr}"
    );
}

#[test]
fn a_mistyped_secret_in_config_toml_is_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "issuer = \"http://127.0.0.1:9\"\nclient_id = \"svc\"\nclient_secret = 98127364\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(upbond(dir.path()).args(["token", "--json"]));
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!((code, &error["code"]), (3, &j!("invalid_config")));
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("line 3") && message.contains("client_secret"),
        "{message}"
    );
    assert!(!stdout.contains("98127364") && !stderr.contains("98127364"));
}

#[test]
fn an_absurd_device_code_lifetime_is_no_panic() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let answer = j!({"device_code": "dc_unknown", "user_code": "ABCD-EFGH",
        "verification_uri": format!("{}/device", server.issuer()),
        "expires_in": 1e308, "interval": 0});
    let (status, _) = server.hook(
        "/_emulator/faults",
        j!({"path": "/oauth/device/code", "status": 200, "body": answer.to_string()}),
    );
    assert_eq!(status, 200);
    let (code, stdout, stderr) = run(&mut device_login(dir.path(), &server.issuer()));
    no_panic(&stderr);
    // The poll reaches the emulator, which does not know this device code.
    assert_eq!(code, 5, "{stderr}");
    assert_eq!(json(&stdout, &stderr)["error"]["code"], "invalid_grant");
}

#[test]
fn denied_device_code() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let device = spawn_device_login(device_login(dir.path(), &server.issuer()), true);
    let (status, _) = server.hook(
        "/_emulator/device",
        j!({"user_code": device.code, "email": "demo-user@example.com", "deny": true}),
    );
    assert_eq!(status, 200);
    let (code, stdout, stderr) = device.finish();
    assert_eq!(code, 5, "{stdout}{stderr}");
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!(error["code"], "access_denied");
    assert!(!error["fix"].as_str().unwrap().is_empty());
    assert!(!dir.path().join("session.json").exists());
}

#[test]
fn expired_device_code() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let device = spawn_device_login(device_login(dir.path(), &server.issuer()), true);
    let (status, _) = server.hook("/_emulator/device/expire-all", j!({}));
    assert_eq!(status, 200);
    let (code, stdout, stderr) = device.finish();
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert_eq!(json(&stdout, &stderr)["error"]["code"], "expired_token");
}

/// The result cannot reach stdout: an error on stderr and status 1, never a panic or a
/// silent success.
#[cfg(unix)]
#[test]
fn failed_writes_to_stdout_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let assert_reported = |(code, stdout, stderr): (i32, String, String), case: &str| {
        assert_eq!(code, 1, "{case}: {stdout}{stderr}");
        assert!(
            stderr.contains("error[stdout_write_failed]"),
            "{case}: {stderr}"
        );
        no_panic(&stderr);
    };
    for json_flag in [false, true] {
        let mut args = vec!["explain", "invalid_client"];
        if json_flag {
            args.push("--json");
        }
        // A full disk.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        assert_reported(
            run(upbond(dir.path()).args(&args).stdout(full)),
            "/dev/full",
        );
        // A reader that went away (EPIPE; `upbond ... | head -c1` when head exits early).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        assert_reported(
            run(upbond(dir.path()).args(&args).stdout(writer)),
            "broken pipe",
        );
        // A closed stdout: `upbond ... >&-`.
        let mut closed = Command::new("sh");
        closed
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(env!("CARGO_BIN_EXE_upbond"))
            .args(&args)
            .env("UPBOND_CONFIG_DIR", dir.path());
        assert_reported(run(&mut closed), ">&-");
    }
    // Discarding the output on purpose is fine.
    let null = std::fs::File::create("/dev/null").unwrap();
    let (code, _, stderr) = run(upbond(dir.path())
        .args(["explain", "invalid_client"])
        .stdout(null));
    assert_eq!(code, 0, "{stderr}");
}
