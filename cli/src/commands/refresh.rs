//! `upbond refresh`: refreshes the stored session now.

use serde_json::json;

use crate::config::Settings;
use crate::connect;
use crate::error::{CliError, session_error};
use crate::output::Output;
use crate::tokens_view::TokensView;

/// Arguments of `upbond refresh`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Refreshes through the session (which saves the new tokens) and shows them.
pub async fn run(_args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let session = connect::user_session(&settings, out)?;
    session.refresh().await.map_err(session_error)?;
    let record = session.record().await.map_err(session_error)?;
    let Some(record) = record else {
        return Err(session_error(upbond_core::Error::NotSignedIn(
            "the session ended during the refresh",
        )));
    };
    let view = TokensView::from(record.as_ref());
    out.result(&json!({ "refreshed": true, "tokens": view.json() }));
    if !out.is_json() {
        out.say(format!("{} Session refreshed", out.green("✓")));
        view.print(out);
    }
    Ok(())
}
