//! `upbond demo`: starts the emulator in-process and walks every main flow for real, over
//! loopback HTTP, approving logins through the emulator's test hooks. Shows each step with a
//! tick and its duration; never a full token.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use upbond_core::{
    AuthorizationOptions, Client, Config, Error, LogoutOptions, Secret, SocialProvider, TokenSet,
    TokenTypeHint,
};
use upbond_emulator::Emulator;
use url::Url;

use crate::error::{CliError, Exit};
use crate::flows;
use crate::output::{Output, format_duration, printable, redact};

/// The seeded public client, user and confidential client of the emulator.
const APP: &str = "demo-app";
const USER: &str = "demo-user@example.com";
const SERVICE: &str = "demo-service";
const SERVICE_SECRET: &str = "demo-service-secret";
const POST_LOGOUT: &str = "http://127.0.0.1/signed-out";

/// Arguments of `upbond demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Serialize)]
struct Step {
    step: &'static str,
    ms: u128,
    detail: String,
}

/// Runs the steps in order and keeps the record of each one.
struct Demo {
    out: Output,
    steps: Vec<Step>,
}

impl Demo {
    async fn step<T>(
        &mut self,
        name: &'static str,
        work: impl Future<Output = Result<(T, String), CliError>>,
    ) -> Result<T, CliError> {
        let started = Instant::now();
        let result = work.await;
        let took = started.elapsed();
        match result {
            Ok((value, detail)) => {
                self.out.step(name, took, &detail);
                self.steps.push(Step {
                    step: name,
                    ms: took.as_millis(),
                    detail,
                });
                Ok(value)
            }
            Err(mut e) => {
                e.message = format!("Demo step \"{name}\" failed: {}", e.message);
                Err(e)
            }
        }
    }
}

/// Walks discovery, device login, userinfo, refresh, browser login with PKCE, client
/// credentials, two documented errors, revocation and sign-out.
pub async fn run(_args: Args, out: Output) -> Result<(), CliError> {
    let started = Instant::now();
    let mut demo = Demo {
        out,
        steps: Vec::new(),
    };
    out.heading("upbond demo: the main flows, for real, against a built-in emulator");

    let emulator = demo.step("Start emulator", start_emulator()).await?;
    let issuer = emulator.issuer().to_owned();
    let app = Client::new(Config::new(&issuer, APP))?;
    demo.step("Discovery", discovery(&app)).await?;

    out.say("Device login: the demo approves the code itself through /_emulator/device.");
    let device = demo
        .step("Device login", device_login(&app, out, &issuer))
        .await?;
    let subject = subject(&device)?;
    demo.step("Userinfo", userinfo(&app, &device, &subject))
        .await?;
    let refreshed = demo.step("Refresh", refresh(&app, &device)).await?;
    let browser = demo
        .step("Browser login (PKCE)", browser_login(&issuer, out))
        .await?;
    demo.step("Client credentials", client_credentials(&issuer))
        .await?;
    demo.step(
        "Documented error",
        documented_error(&app, &browser, &subject, out),
    )
    .await?;
    demo.step("Social login error", social_error(&issuer, out))
        .await?;
    demo.step("Revoke", revoke(&app, &refreshed, &subject))
        .await?;
    demo.step("Sign-out", sign_out(&app, &browser)).await?;

    emulator.shutdown().await;
    let total = started.elapsed();
    out.result(&json!({
        "ok": true,
        "issuer": issuer,
        "total_ms": total.as_millis(),
        "steps": demo.steps,
    }));
    if !out.is_json() {
        out.say(format!(
            "{} All {} steps passed in {}.",
            out.green("✓"),
            demo.steps.len(),
            format_duration(total)
        ));
        out.say(
            "Next: `upbond emulator` and, in another terminal, `upbond login --device` \
             (from a checkout, `cargo install --path cli` puts `upbond` on your PATH).",
        );
    }
    Ok(())
}

async fn start_emulator() -> Result<(Emulator, String), CliError> {
    let mut config = upbond_emulator::Config::default();
    // Poll every second so the device login takes a moment, not the default 5 s.
    config.device.interval_secs = 1;
    let emulator = Emulator::start(config).await.map_err(|e| {
        CliError::new(
            Exit::Failure,
            "emulator_start_failed",
            format!("The built-in emulator did not start: {e}"),
            "Check that this machine allows listening on 127.0.0.1.",
        )
    })?;
    let detail = emulator.issuer().to_owned();
    Ok((emulator, detail))
}

async fn discovery(app: &Client) -> Result<((), String), CliError> {
    let metadata = app.discover().await?;
    let keys = app.jwks().await?;
    let detail = format!(
        "issuer matches, {} grant types, {} signing keys",
        metadata.grant_types_supported.len(),
        keys.keys.len()
    );
    Ok(((), detail))
}

async fn device_login(
    app: &Client,
    out: Output,
    issuer: &str,
) -> Result<(TokenSet, String), CliError> {
    let hook = format!("{issuer}/_emulator/device");
    let (approve_tx, approve_rx) = tokio::sync::oneshot::channel();
    let tokens = flows::device_login(app, out, |device| {
        let body = json!({ "user_code": device.user_code, "email": USER, "deny": false });
        let _ = approve_tx.send((device.user_code.clone(), body));
    });
    // Approve while the login polls: the hook plays the user on the verification page.
    let approve = async {
        let (code, body) = approve_rx
            .await
            .map_err(|_| demo_broken("no device code"))?;
        post_hook(&hook, &body).await?;
        Ok::<_, CliError>(code)
    };
    let (tokens, code) = tokio::try_join!(tokens, approve)?;
    Ok((tokens, format!("user code {code} approved, tokens issued")))
}

fn subject(tokens: &TokenSet) -> Result<String, CliError> {
    tokens
        .id_token_claims
        .as_ref()
        .map(|c| c.subject.clone())
        .ok_or_else(|| demo_broken("the device login returned no ID token"))
}

async fn userinfo(
    app: &Client,
    tokens: &TokenSet,
    subject: &str,
) -> Result<((), String), CliError> {
    let info = app.userinfo(&tokens.access_token, Some(subject)).await?;
    let email = info.email.unwrap_or_default();
    Ok(((), format!("sub {}, {email}", info.subject)))
}

async fn refresh(app: &Client, tokens: &TokenSet) -> Result<(TokenSet, String), CliError> {
    let refresh_token = tokens
        .refresh_token
        .as_ref()
        .ok_or_else(|| demo_broken("the device login returned no refresh token"))?;
    let fresh = app.refresh(refresh_token).await?;
    let rotated = fresh.refresh_token.as_ref() != Some(refresh_token);
    let detail = format!(
        "new access token {}{}",
        redact(fresh.access_token.expose()),
        if rotated {
            ", refresh token rotated"
        } else {
            ""
        }
    );
    Ok((fresh, detail))
}

async fn browser_login(issuer: &str, out: Output) -> Result<(TokenSet, String), CliError> {
    let options = AuthorizationOptions::default();
    let (tokens, redirect) = drive_browser_login(issuer, out, options).await?;
    let detail = format!("redirect to {redirect}, code exchanged, ID token verified");
    Ok((tokens, detail))
}

/// A browser login whose browser part is played by the authorize hook; returns the tokens and
/// the loopback redirect URI used.
async fn drive_browser_login(
    issuer: &str,
    out: Output,
    options: AuthorizationOptions,
) -> Result<(TokenSet, String), CliError> {
    let hook = format!("{issuer}/_emulator/authorize");
    let mut redirect = String::new();
    let deliver = |url: Url| {
        let redirect = &mut redirect;
        async move {
            // The hook signs the user in as the browser would and returns the redirect; the
            // demo then delivers it to the real loopback listener.
            let answer = post_hook(&hook, &json!({ "url": url.as_str(), "email": USER })).await?;
            let target = answer["redirect_url"]
                .as_str()
                .ok_or_else(|| demo_broken("the authorize hook returned no redirect_url"))?;
            *redirect = target.split('?').next().unwrap_or_default().to_owned();
            reqwest::get(target)
                .await
                .map_err(|e| demo_broken(&e.to_string()))?;
            Ok(())
        }
    };
    let timeout = Duration::from_secs(10);
    let config = Config::new(issuer, APP);
    let (_, tokens) = flows::browser_login(config, out, options, timeout, deliver).await?;
    Ok((tokens, redirect))
}

async fn client_credentials(issuer: &str) -> Result<((), String), CliError> {
    let service = Client::new(Config::confidential(
        issuer,
        SERVICE,
        Secret::new(SERVICE_SECRET),
    ))?;
    let tokens = service.client_credentials(&[]).await?;
    let scopes = tokens.scopes.unwrap_or_default().join(" ");
    Ok((
        (),
        format!(
            "{SERVICE}: {} ({scopes})",
            redact(tokens.access_token.expose())
        ),
    ))
}

/// Changes the email with a wrong password: the issuer answers EMAIL_007, shown with its
/// causes and fix from the catalog.
async fn documented_error(
    app: &Client,
    tokens: &TokenSet,
    subject: &str,
    out: Output,
) -> Result<((), String), CliError> {
    let wrong = Secret::new("not-the-password");
    let result = app
        .user_api()
        .change_email(
            &tokens.access_token,
            subject,
            "new-address@example.com",
            &wrong,
        )
        .await;
    match result {
        Err(e @ Error::EmailPasswordRejected { .. }) => Ok(((), show_expected(out, e.into()))),
        Err(other) => Err(other.into()),
        Ok(()) => Err(demo_broken("a wrong password was accepted")),
    }
}

/// Breaks the Kakao integration in the emulator and signs in with Kakao: the redirect carries
/// KOE101, reported with its causes and fix.
async fn social_error(issuer: &str, out: Output) -> Result<((), String), CliError> {
    let broken = json!({ "provider": "kakao", "broken": true });
    post_hook(&format!("{issuer}/_emulator/social"), &broken).await?;
    let options = AuthorizationOptions {
        provider: Some(SocialProvider::Kakao),
        ..AuthorizationOptions::default()
    };
    match drive_browser_login(issuer, out, options).await {
        Err(e) if e.code == "KOE101" => Ok(((), show_expected(out, e))),
        Err(other) => Err(other),
        Ok(_) => Err(demo_broken(
            "a login through a broken Kakao integration succeeded",
        )),
    }
}

/// Shows an error the demo provoked on purpose; returns the step detail.
fn show_expected(out: Output, err: CliError) -> String {
    out.say(format!(
        "  {} {}",
        out.yellow(&err.code),
        printable(&err.message)
    ));
    for cause in &err.causes {
        out.say(format!("      cause: {cause}"));
    }
    for step in &err.fix {
        out.say(format!("      fix:   {step}"));
    }
    format!("{} shown with its causes and fix", err.code)
}

async fn revoke(app: &Client, tokens: &TokenSet, subject: &str) -> Result<((), String), CliError> {
    if let Some(refresh) = &tokens.refresh_token {
        app.revoke(refresh, Some(TokenTypeHint::RefreshToken))
            .await?;
    }
    app.revoke(&tokens.access_token, Some(TokenTypeHint::AccessToken))
        .await?;
    match app.userinfo(&tokens.access_token, Some(subject)).await {
        Err(Error::InvalidToken { .. }) => Ok((
            (),
            "tokens revoked; userinfo now answers invalid_token".to_owned(),
        )),
        Err(other) => Err(other.into()),
        Ok(_) => Err(demo_broken("a revoked access token still worked")),
    }
}

async fn sign_out(app: &Client, tokens: &TokenSet) -> Result<((), String), CliError> {
    let state = "demo-signed-out";
    let url = app
        .logout_url(LogoutOptions {
            id_token_hint: tokens.id_token.clone(),
            post_logout_redirect_uri: Some(POST_LOGOUT.to_owned()),
            state: Some(state.to_owned()),
        })
        .await?;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| demo_broken(&e.to_string()))?;
    let response = no_redirects
        .get(url)
        .send()
        .await
        .map_err(|e| demo_broken(&e.to_string()))?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    if !(location.starts_with(POST_LOGOUT) && location.contains(state)) {
        return Err(demo_broken(
            "the end-session endpoint did not redirect back",
        ));
    }
    Ok(((), format!("end session redirected to {POST_LOGOUT}")))
}

/// POSTs JSON to an emulator test hook.
async fn post_hook(url: &str, body: &Value) -> Result<Value, CliError> {
    let response = reqwest::Client::new()
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| demo_broken(&e.to_string()))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(demo_broken(&format!(
            "test hook answered {status}: {answer}"
        )));
    }
    Ok(answer)
}

fn demo_broken(what: &str) -> CliError {
    CliError::new(
        Exit::Failure,
        "demo_failed",
        format!("The demo met something unexpected: {what}."),
        "Please report this with the output above.",
    )
}
