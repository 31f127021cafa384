//! login --device, userinfo, refresh, token and logout against the emulator, with the session
//! kept in a private UPBOND_CONFIG_DIR; human output never shows a full token or secret.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, assert_no_jwt, finish, json, run, service_token, spawn_device_login, upbond};
use serde_json::{Value, json as j};

fn user(dir: &Path, issuer: &str) -> Command {
    let mut cmd = upbond(dir);
    cmd.env("UPBOND_ISSUER", issuer)
        .env("UPBOND_CLIENT_ID", "demo-app");
    cmd
}

fn session(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("session.json")).unwrap()).unwrap()
}

/// Every secret the stored session holds.
fn secrets(dir: &Path) -> Vec<String> {
    let stored = session(dir);
    assert_eq!(stored["schema_version"], 2, "{stored}");
    ["access_token", "refresh_token", "id_token"]
        .iter()
        .filter_map(|k| stored[*k].as_str().map(str::to_owned))
        .collect()
}

/// Refresh grants the emulator has received.
fn refreshes(server: &Server) -> u64 {
    server.hook_get("/_emulator/stats")["grants"]["refresh_token"]
        .as_u64()
        .unwrap_or(0)
}

fn assert_hidden(text: &str, secrets: &[String]) {
    assert_no_jwt(text);
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret is printed:\n{text}"
        );
    }
}

#[test]
fn device_login_then_userinfo_refresh_token_and_logout() {
    let server = Server::start();
    let issuer = server.issuer();
    let dir = tempfile::tempdir().unwrap();

    // Log in with the device flow, approving as the user through the test hook.
    let mut login = user(dir.path(), &issuer);
    login.args(["login", "--device"]);
    let device = spawn_device_login(login, false);
    let (status, _) = server.hook(
        "/_emulator/device",
        j!({"user_code": device.code, "email": "demo-user@example.com"}),
    );
    assert_eq!(status, 200);
    let (code, stdout, stderr) = device.finish();
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains(&format!("open {issuer}/device")),
        "{stdout}"
    );
    assert!(
        stdout.contains("Signed in as demo-user@example.com"),
        "{stdout}"
    );
    let first = secrets(dir.path());
    assert_eq!(first.len(), 3, "access, refresh and ID token are stored");
    assert_hidden(&format!("{stdout}{stderr}"), &first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(dir.path().join("session.json")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    // userinfo: human output, then JSON fields.
    let (code, stdout, stderr) = run(user(dir.path(), &issuer).arg("userinfo"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("email: demo-user@example.com"), "{stdout}");
    assert_hidden(&stdout, &first);
    let (code, stdout, stderr) = run(user(dir.path(), &issuer).args(["userinfo", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let info = json(&stdout, &stderr);
    let sub = session(dir.path())["id_token_claims"]["subject"].clone();
    assert_eq!(info["sub"], sub);
    assert_eq!(info["claims"]["email"], "demo-user@example.com");

    // refresh: new tokens are stored; human output hides them.
    let (code, stdout, stderr) = run(user(dir.path(), &issuer).arg("refresh"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Session refreshed"), "{stdout}");
    let second = secrets(dir.path());
    assert_ne!(first[0], second[0], "the access token changed");
    assert_ne!(first[1], second[1], "the rotated refresh token is stored");
    assert_hidden(&stdout, &second);
    assert_eq!(
        refreshes(&server),
        1,
        "one refresh, although the token was fresh"
    );
    let (code, stdout, stderr) = run(user(dir.path(), &issuer).args(["refresh", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["refreshed"], true);
    assert_eq!(doc["tokens"]["has_refresh_token"], true);
    assert_eq!(doc["tokens"]["token_type"], "Bearer");
    assert!(doc["tokens"]["expires_in"].as_u64().unwrap() > 0);
    assert_eq!(
        doc["tokens"]["access_token"],
        session(dir.path())["access_token"]
    );
    assert_eq!(refreshes(&server), 2);

    // token: client credentials with the confidential client; the secret is never printed.
    let mut token = upbond(dir.path());
    token.args(["token", "--issuer", &issuer, "--client-id", "demo-service"]);
    token.env("UPBOND_CLIENT_SECRET", "demo-service-secret");
    let (code, stdout, stderr) = run(&mut token);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Access token for client demo-service"),
        "{stdout}"
    );
    assert!(!stdout.contains("demo-service-secret") && !stderr.contains("demo-service-secret"));
    assert_no_jwt(&stdout);
    let (code, stdout, stderr) = run(token.arg("--json"));
    assert_eq!(code, 0, "{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["client_id"], "demo-service");
    let scopes: Vec<&str> = doc["tokens"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(scopes.contains(&"api:read"), "{scopes:?}");
    assert_eq!(doc["tokens"]["has_refresh_token"], false);

    // logout: revokes at the issuer and removes the session.
    let revoked_access = session(dir.path())["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, stdout, stderr) = run(user(dir.path(), &issuer).args(["logout", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let doc = json(&stdout, &stderr);
    assert_eq!(doc["logged_out"], true);
    assert!(!dir.path().join("session.json").exists());
    let status = server.rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{issuer}/userinfo"))
            .bearer_auth(&revoked_access)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 401, "the access token was revoked at the issuer");

    // Without a session, userinfo and refresh say so with exit status 6.
    for command in ["userinfo", "refresh"] {
        let (code, stdout, stderr) = run(user(dir.path(), &issuer).args([command, "--json"]));
        assert_eq!(code, 6, "{command}: {stdout}{stderr}");
        assert_eq!(json(&stdout, &stderr)["error"]["code"], "not_signed_in");
    }
    let (code, _, stderr) = run(user(dir.path(), &issuer).arg("userinfo"));
    assert_eq!(code, 6);
    assert!(stderr.contains("upbond login"), "{stderr}");
}

/// A running `login --no-open` whose authorization URL has been read.
struct BrowserLogin {
    child: std::process::Child,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    /// The authorization URL printed.
    url: String,
}

impl BrowserLogin {
    fn spawn(server: &Server, dir: &Path) -> BrowserLogin {
        let mut cmd = user(dir, &server.issuer());
        cmd.args(["login", "--no-open", "--timeout", "30"]);
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let url = loop {
            let mut line = String::new();
            assert!(std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0);
            if let Some(at) = line.find("http") {
                let url = line[at..].trim().to_owned();
                if url.contains("/oauth/authorize?") {
                    break url;
                }
            }
        };
        BrowserLogin { child, stdout, url }
    }

    /// A query parameter of the authorization URL.
    fn param(&self, name: &str) -> String {
        let url = url::Url::parse(&self.url).unwrap();
        let value = url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v);
        value.unwrap().into_owned()
    }

    /// `path` (with its query) on the loopback listener.
    fn loopback(&self, path: &str) -> String {
        let redirect = url::Url::parse(&self.param("redirect_uri")).unwrap();
        format!("http://127.0.0.1:{}{path}", redirect.port().unwrap())
    }

    /// Waits for the exit: (exit code, rest of stdout, stderr).
    fn finish(mut self) -> (i32, String, String) {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        let (code, _, stderr) = finish(self.child);
        (code, rest, stderr)
    }
}

/// Runs `login --no-open`, approves its authorization URL through the hook and opens the
/// redirect like a browser; returns the page the browser got and the finished run.
fn browser_login(server: &Server, dir: &Path) -> (String, (i32, String, String)) {
    let login = BrowserLogin::spawn(server, dir);
    let url = login.url.clone();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{url}"
    );
    let (status, answer) = server.hook(
        "/_emulator/authorize",
        j!({"url": url, "email": "demo-user@example.com"}),
    );
    assert_eq!(status, 200, "{answer}");
    let redirect = answer["redirect_url"].as_str().unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    let (status, page) = server.get_text(redirect);
    assert_eq!(status, 200, "the loopback listener answers the browser");
    (page, login.finish())
}

/// Requests to the loopback listener that are not this sign-in's redirect (a port scan, a
/// favicon, a forged or replayed state) get a 400 page; the login keeps waiting and completes
/// with the real redirect.
#[test]
fn the_loopback_listener_waits_for_the_redirect_with_its_state() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let login = BrowserLogin::spawn(&server, dir.path());
    let state = login.param("state");
    for path in [
        "/callback?code=junk&state=wrong".to_owned(),
        "/callback?code=junk".to_owned(),
        "/callback".to_owned(),
        format!("/callback?code=junk&state={state}&state={state}"),
        format!("/favicon.ico?state={state}"),
        "/".to_owned(),
    ] {
        let (status, page) = server.get_text(&login.loopback(&path));
        assert_eq!(status, 400, "{path}: {page}");
        assert!(page.contains("Not a sign-in response"), "{path}: {page}");
    }
    let (status, answer) = server.hook(
        "/_emulator/authorize",
        j!({"url": login.url, "email": "demo-user@example.com"}),
    );
    assert_eq!(status, 200, "{answer}");
    let (status, page) = server.get_text(answer["redirect_url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(page.contains("Signed in"), "{page}");
    let (code, stdout, stderr) = login.finish();
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("Signed in as demo-user@example.com"),
        "{stdout}"
    );
}

/// The issuer's error ends the login only when it carries the request's state.
#[test]
fn the_issuers_error_with_the_state_ends_the_login() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let login = BrowserLogin::spawn(&server, dir.path());
    let forged = login.loopback("/callback?error=access_denied&state=forged");
    assert_eq!(server.get_text(&forged).0, 400);
    let (status, answer) = server.hook(
        "/_emulator/authorize",
        j!({"url": login.url, "email": "demo-user@example.com", "deny": true}),
    );
    assert_eq!(status, 200, "{answer}");
    let (status, page) = server.get_text(answer["redirect_url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(page.contains("did not complete"), "{page}");
    let (code, stdout, stderr) = login.finish();
    assert_eq!(code, 5, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("error[access_denied]"), "{stderr}");
    assert!(!dir.path().join("session.json").exists());
}

#[test]
fn browser_login_through_the_loopback_redirect() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let (page, (code, stdout, stderr)) = browser_login(&server, dir.path());
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(page.contains("Signed in"), "{page}");
    assert!(
        stdout.contains("Signed in as demo-user@example.com"),
        "{stdout}"
    );
    assert_hidden(&stdout, &secrets(dir.path()));
}

/// The browser page tells the outcome of the code exchange, not just that a code arrived.
#[test]
fn the_browser_page_reports_a_failed_exchange() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let fault = j!({
        "path": "/oauth/token", "status": 400,
        "body": "{\"error\":\"invalid_grant\",\"error_description\":\"scripted\"}",
    });
    assert_eq!(server.hook("/_emulator/faults", fault).0, 200);
    let (page, (code, stdout, stderr)) = browser_login(&server, dir.path());
    assert_eq!(code, 5, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("error[invalid_grant]"), "{stderr}");
    assert!(
        page.contains("did not complete") && !page.contains("Signed in"),
        "{page}"
    );
    assert!(!dir.path().join("session.json").exists());
}

/// While the SDK waits to retry a rate-limited request, the user is told why and for how
/// long (human output only).
#[test]
fn a_rate_limit_wait_is_announced() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let fault = j!({
        "path": "/oauth/token", "status": 429, "retry_after": "1",
        "body": "{\"error\":\"rate_limit_exceeded\"}",
    });
    let token = |json_flag: bool| {
        assert_eq!(server.hook("/_emulator/faults", fault.clone()).0, 200);
        run(&mut service_token(&server, dir.path(), json_flag))
    };
    let (code, stdout, stderr) = token(false);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("Rate limited by the issuer, retrying in 1.0 s"),
        "{stderr}"
    );
    let (code, stdout, stderr) = token(true);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stderr.contains("retrying"), "--json stays quiet: {stderr}");
    assert_eq!(json(&stdout, &stderr)["client_id"], "demo-service");
}

/// Logs in with the device flow in JSON mode and returns the result document.
fn json_device_login(server: &Server, dir: &Path) -> Value {
    let mut login = user(dir, &server.issuer());
    login.args(["login", "--device", "--json"]);
    let device = spawn_device_login(login, true);
    server.hook(
        "/_emulator/device",
        j!({"user_code": device.code, "email": "demo-user@example.com"}),
    );
    let (code, stdout, stderr) = device.finish();
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    json(&stdout, &stderr)
}

#[test]
fn json_login_and_refresh_of_an_expired_access_token() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    // Access tokens valid for less than the minute the session asks for: the next command
    // refreshes first (and uses the refreshed token although it also has less than a minute).
    server.hook("/_emulator/settings", j!({"access_token_ttl_secs": 20}));
    let doc = json_device_login(&server, dir.path());
    assert_eq!(doc["logged_in"], true);
    assert_eq!(doc["method"], "device");
    assert_eq!(doc["issuer"], server.issuer());
    assert_eq!(doc["client_id"], "demo-app");
    assert_eq!(doc["tokens"]["has_refresh_token"], true);
    assert_eq!(doc["tokens"]["has_id_token"], true);
    assert!(
        doc["tokens"]["subject"]
            .as_str()
            .unwrap()
            .starts_with("usr_")
    );
    let before = secrets(dir.path());

    assert_eq!(refreshes(&server), 0);
    let (code, stdout, stderr) =
        run(user(dir.path(), &server.issuer()).args(["userinfo", "--json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        json(&stdout, &stderr)["claims"]["email"],
        "demo-user@example.com"
    );
    assert_eq!(
        refreshes(&server),
        1,
        "userinfo refreshed the expired access token first"
    );
    assert_ne!(
        secrets(dir.path())[0],
        before[0],
        "the refreshed tokens were saved"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_exits_130() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut login = user(dir.path(), &server.issuer());
    login.args(["login", "--device"]);
    let device = spawn_device_login(login, false);
    let status = Command::new("kill")
        .args(["-INT", &device.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, stdout, stderr) = device.finish();
    assert_eq!(code, 130, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("error[interrupted]"), "{stderr}");
    assert!(!dir.path().join("session.json").exists());
}

#[test]
fn logout_removes_the_session_even_when_revocation_fails() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    json_device_login(&server, dir.path());
    let fault = j!({
        "path": "/oauth/revoke", "times": 2, "status": 400,
        "body": "{\"error\":\"invalid_request\",\"error_description\":\"scripted\"}",
        "content_type": "application/json"
    });
    assert_eq!(server.hook("/_emulator/faults", fault).0, 200);
    let (code, _, stderr) = run(user(dir.path(), &server.issuer()).arg("logout"));
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("error[invalid_request]"), "{stderr}");
    assert!(stderr.contains("local session was removed"), "{stderr}");
    assert!(!dir.path().join("session.json").exists());
}

/// Signs in with upbond-core directly (device flow approved through the test hook): the
/// tokens an older upbond stored.
fn core_login(server: &Server) -> upbond_core::TokenSet {
    let config = upbond_core::Config::new(server.issuer(), "demo-app");
    let client = upbond_core::Client::new(config).unwrap();
    let device = server
        .rt
        .block_on(client.start_device_authorization(&[]))
        .unwrap();
    let approve = j!({"user_code": device.user_code, "email": "demo-user@example.com"});
    assert_eq!(server.hook("/_emulator/device", approve).0, 200);
    server
        .rt
        .block_on(client.poll_device_authorization(&device, std::future::pending()))
        .unwrap()
}

#[test]
fn a_session_file_of_the_previous_upbond_still_works() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut tokens = core_login(&server);
    // The layout upbond 0.1 wrote: {version: 1, issuer, client_id, tokens}.
    let write_old = |tokens: &upbond_core::TokenSet| {
        let old = j!({"version": 1, "issuer": server.issuer(), "client_id": "demo-app", "tokens": tokens});
        let path = dir.path().join("session.json");
        std::fs::write(path, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    };
    write_old(&tokens);

    let (code, stdout, stderr) =
        run(user(dir.path(), &server.issuer()).args(["userinfo", "--json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let info = json(&stdout, &stderr);
    assert_eq!(info["claims"]["email"], "demo-user@example.com");
    assert_eq!(
        info["sub"],
        tokens.id_token_claims.as_ref().unwrap().subject
    );
    assert_eq!(
        refreshes(&server),
        0,
        "a valid old session is used as it is"
    );

    // An expired old session is refreshed with its refresh token and saved in the new layout.
    tokens.expires_at = Some(1);
    write_old(&tokens);
    let (code, stdout, stderr) =
        run(user(dir.path(), &server.issuer()).args(["userinfo", "--json"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(refreshes(&server), 1);
    let stored = session(dir.path());
    assert_eq!(stored["schema_version"], 2);
    assert_ne!(stored["access_token"], tokens.access_token.expose());
    assert_eq!(
        stored["id_token_claims"]["subject"],
        tokens.id_token_claims.as_ref().unwrap().subject,
        "the sign-in's ID token claims are kept across the refresh"
    );
}

#[test]
fn an_unusable_session_file_is_reported_and_logout_removes_it() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    std::fs::write(&path, "{ not json").unwrap();
    let (code, stdout, stderr) =
        run(user(dir.path(), &server.issuer()).args(["userinfo", "--json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let error = &json(&stdout, &stderr)["error"];
    assert_eq!(error["code"], "storage_error");
    assert!(
        error["fix"].as_str().unwrap().contains("upbond logout"),
        "{error}"
    );

    // A session of another client is not used, and logout removes it without sending its
    // tokens anywhere.
    json_device_login(&server, dir.path());
    let other = |command: &str| {
        let mut cmd = upbond(dir.path());
        cmd.env("UPBOND_ISSUER", server.issuer())
            .env("UPBOND_CLIENT_ID", "other-app")
            .arg(command);
        cmd
    };
    let (code, stdout, stderr) = run(other("userinfo").arg("--json"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let message = json(&stdout, &stderr)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("\"demo-app\""), "{message}");
    let revocations = server.hook_get("/_emulator/stats")["requests"]["/oauth/revoke"].clone();
    let (code, stdout, stderr) = run(&mut other("logout"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("removed without revoking"), "{stdout}");
    assert!(!path.exists());
    assert_eq!(
        server.hook_get("/_emulator/stats")["requests"]["/oauth/revoke"],
        revocations
    );
}
