//! `upbond login`: sign a user in with the browser (authorization code + PKCE through a
//! loopback redirect, RFC 8252) or with the device flow (RFC 8628), and store the session.

use std::time::Duration;

use serde_json::json;
use upbond_core::{AuthorizationOptions, Client, TokenSet};

use crate::config::Settings;
use crate::error::CliError;
use crate::output::{Output, printable};
use crate::tokens_view::TokensView;
use crate::{connect, flows};

/// Arguments of `upbond login`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sign in on another device: shows a code, a URL and a QR code
    #[arg(long, conflicts_with = "browser")]
    device: bool,
    /// Sign in with the system browser and a loopback redirect (the default)
    #[arg(long)]
    browser: bool,
    /// Do not start a browser; only print the URL to open
    #[arg(long, conflicts_with = "device")]
    no_open: bool,
    /// Seconds to wait for the browser to come back
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    timeout: u64,
}

/// Signs in and hands the tokens to the stored session (replacing any session there).
pub async fn run(args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let (client, tokens, method) = if args.device {
        let client = connect::user_client(&settings, out)?;
        let tokens = flows::device_login(&client, out, |_| {}).await?;
        (client, tokens, "device")
    } else {
        let (client, tokens) = browser(&args, &settings, out).await?;
        (client, tokens, "browser")
    };
    let config = client.config().clone();
    connect::session(&settings, client)
        .sign_in(tokens.clone())
        .await?;
    let view = TokensView::from(&tokens);
    out.result(&json!({
        "logged_in": true,
        "method": method,
        "issuer": config.issuer,
        "client_id": config.client_id,
        "tokens": view.json(),
    }));
    let who = tokens
        .id_token_claims
        .as_ref()
        .and_then(|c| {
            c.claims
                .get("email")
                .and_then(|e| e.as_str())
                .or(Some(&c.subject))
        })
        .unwrap_or("the user");
    if !out.is_json() {
        out.say(format!(
            "{} Signed in as {}",
            out.green("✓"),
            printable(who)
        ));
        view.print(out);
    }
    Ok(())
}

async fn browser(
    args: &Args,
    settings: &Settings,
    out: Output,
) -> Result<(Client, TokenSet), CliError> {
    let config = connect::user_config(settings)?;
    let open = !args.no_open;
    let timeout = Duration::from_secs(args.timeout);
    flows::browser_login(
        config,
        out,
        AuthorizationOptions::default(),
        timeout,
        |url| async move {
            if open && webbrowser::open(url.as_str()).is_ok() {
                out.say("Your browser has been opened to sign in. If it did not, open this URL:");
            } else {
                out.say("Open this URL in a browser to sign in:");
            }
            out.say(format!("  {}", printable(url.as_str())));
            out.say(format!(
                "Waiting up to {} for the browser to come back (Ctrl-C to cancel)...",
                crate::output::format_duration(timeout)
            ));
            Ok(())
        },
    )
    .await
}
