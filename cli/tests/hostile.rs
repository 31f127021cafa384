//! A hostile issuer: text it sends is printed without the control characters a terminal would
//! run, and a device verification page that is not an https URL is refused, never shown.

mod common;

use common::{Server, json, run, service_token, upbond};
use serde_json::{Value, json as j};

/// Escape sequences that clear the screen, set the window title (ESC and BEL), and the
/// one-byte C1 CSI.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m";
/// What is left of [`HOSTILE`] once printable.
const DEFUSED: &str = "[2J]0;pwned31m";

fn assert_no_control(text: &str) {
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "a control character reached the terminal:\n{text:?}"
    );
}

/// Scripts the device authorization answer, and a token endpoint that says the code expired.
fn script_device_answer(server: &Server, answer: Value) {
    for fault in [
        j!({"path": "/oauth/device/code", "status": 200, "body": answer.to_string()}),
        j!({"path": "/oauth/token", "status": 400, "times": 100,
            "body": "{\"error\":\"expired_token\"}"}),
    ] {
        assert_eq!(server.hook("/_emulator/faults", fault).0, 200);
    }
}

fn device_answer(server: &Server) -> Value {
    j!({"device_code": "dc-hostile", "user_code": "ABCD-EFGH",
        "verification_uri": format!("{}/device", server.issuer()),
        "expires_in": 30, "interval": 1})
}

/// `login --device` (human output unless `json`); returns (exit code, stdout + stderr).
fn device_login(server: &Server, json_flag: bool) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = upbond(dir.path());
    cmd.args(["login", "--device", "--issuer", &server.issuer()])
        .args(["--client-id", "demo-app"]);
    if json_flag {
        cmd.arg("--json");
    }
    let (code, stdout, stderr) = run(&mut cmd);
    (code, stdout + &stderr)
}

#[test]
fn the_device_prompt_shows_no_escape_sequences() {
    let server = Server::start();
    for json_flag in [false, true] {
        let mut answer = device_answer(&server);
        answer["user_code"] = j!(format!("AB{HOSTILE}CD"));
        answer["verification_uri_complete"] =
            j!(format!("{}/device?user_code={HOSTILE}", server.issuer()));
        script_device_answer(&server, answer);
        let (code, shown) = device_login(&server, json_flag);
        assert_eq!(code, 5, "the code expired: {shown}");
        assert!(shown.contains("expired_token"), "{shown}");
        assert_no_control(&shown);
        assert!(shown.contains(&format!("AB{DEFUSED}CD")), "{shown}");
    }
}

#[test]
fn a_verification_page_that_is_not_https_is_refused() {
    let server = Server::start();
    let cases = [
        ("verification_uri", "javascript:alert(1)", "javascript"),
        ("verification_uri", "file:///etc/passwd", "file"),
        (
            "verification_uri",
            "http://example.com/device",
            "plain http",
        ),
        ("verification_uri", "not a url", "not a valid URL"),
        (
            "verification_uri_complete",
            "javascript:alert(document.cookie)",
            "javascript",
        ),
    ];
    for (field, uri, reason) in cases {
        let mut answer = device_answer(&server);
        answer[field] = j!(uri);
        script_device_answer(&server, answer);
        let (code, shown) = device_login(&server, false);
        assert_eq!(code, 4, "{uri}: {shown}");
        assert!(shown.contains("error[protocol_error]"), "{uri}: {shown}");
        assert!(
            shown.contains(field) && shown.contains(reason),
            "{uri}: {shown}"
        );
        assert!(!shown.contains(uri), "the URL is not shown: {shown}");
        assert!(!shown.contains("ABCD-EFGH"), "no prompt: {shown}");
    }
    // Loopback issuers may use http (the emulator does).
    let (code, shown) = {
        script_device_answer(&server, device_answer(&server));
        device_login(&server, false)
    };
    assert_eq!(code, 5, "{shown}");
    assert!(shown.contains("ABCD-EFGH"), "{shown}");
}

#[test]
fn token_scopes_are_printed_without_escape_sequences() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let answer = j!({"access_token": "at-1234567890abcdef", "token_type": "Bearer",
        "expires_in": 3600, "scope": format!("api:read {HOSTILE}")});
    let fault = j!({"path": "/oauth/token", "status": 200, "body": answer.to_string()});
    let token = |json_flag: bool| {
        assert_eq!(server.hook("/_emulator/faults", fault.clone()).0, 200);
        run(&mut service_token(&server, dir.path(), json_flag))
    };
    let (code, stdout, stderr) = token(false);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_no_control(&(stdout.clone() + &stderr));
    assert!(stdout.contains(&format!("api:read {DEFUSED}")), "{stdout}");
    // JSON escapes control characters itself; the value stays as the issuer sent it.
    let (code, stdout, stderr) = token(true);
    assert_eq!(code, 0, "{stderr}");
    assert_no_control(&stdout);
    let scopes = json(&stdout, &stderr)["tokens"]["scopes"].clone();
    assert_eq!(scopes[0], "api:read", "{scopes}");
}
