//! `upbond logout`: signs out through the session: forgets it locally and revokes the refresh
//! token at the issuer (RFC 7009; at UPBOND this ends its access tokens too).

use serde_json::json;
use upbond_core::{Error, LogoutOptions};

use crate::config::Settings;
use crate::connect;
use crate::error::CliError;
use crate::output::{Output, printable};

/// Arguments of `upbond logout`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Removes the stored session, revokes its tokens (best effort: the local session goes even
/// when revocation fails, and the command says so), and shows the URL that ends the browser
/// session at the issuer as well. A session file this client cannot use (unreadable, or
/// another issuer's or client's) is removed without sending its tokens anywhere.
pub async fn run(_args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let session = connect::user_session(&settings, out)?;
    let outcome = session.sign_out().await?;
    if !outcome.removed {
        out.result(&json!({ "logged_out": false, "reason": "no stored session" }));
        out.say("No stored session: nothing to do.");
        return Ok(());
    }
    match outcome.revocation_error {
        None => {}
        Some(unusable @ Error::Storage(_)) => {
            let reason = unusable.message();
            out.result(&json!({ "logged_out": true, "revoked": false, "reason": reason }));
            out.say(format!(
                "{} Session removed without revoking its tokens: {}",
                out.yellow("!"),
                printable(&reason)
            ));
            return Ok(());
        }
        Some(failure) => {
            let what = format!("revoking the tokens failed: {}", failure.message());
            let mut err = CliError::from_code(failure.code(), &what);
            err.fix.push(
                "The local session was removed; the tokens stay valid at the issuer until \
                 they expire."
                    .to_owned(),
            );
            return Err(err);
        }
    }
    // No id_token_hint: the URL is printed, and a token must never be.
    let end_session = session
        .client()
        .logout_url(LogoutOptions::default())
        .await
        .ok();
    out.result(&json!({
        "logged_out": true,
        "revoked": true,
        "end_session_url": end_session.as_ref().map(|u| u.as_str()),
    }));
    if !out.is_json() {
        out.say(format!(
            "{} Tokens revoked and session removed",
            out.green("✓")
        ));
        if let Some(url) = end_session {
            out.say(format!(
                "To also sign out in the browser, open: {}",
                printable(url.as_str())
            ));
        }
    }
    Ok(())
}
