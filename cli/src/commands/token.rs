//! `upbond token`: an access token for the client itself (client credentials grant).

use serde_json::json;

use crate::config::Settings;
use crate::connect;
use crate::error::CliError;
use crate::output::Output;
use crate::tokens_view::TokensView;

/// Arguments of `upbond token` (scopes come from --scope).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Requests the token and shows it (redacted unless `--json`).
pub async fn run(_args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let client = connect::service_client(&settings, out)?;
    let tokens = client.client_credentials(&[]).await?;
    let view = TokensView::from(&tokens);
    out.result(&json!({
        "client_id": client.config().client_id,
        "tokens": view.json(),
    }));
    if !out.is_json() {
        out.say(format!(
            "{} Access token for client {}",
            out.green("✓"),
            client.config().client_id
        ));
        view.print(out);
    }
    Ok(())
}
