//! `upbond userinfo`: the signed-in user's claims from the userinfo endpoint.

use serde_json::{Value, json};

use crate::config::Settings;
use crate::connect;
use crate::error::{CliError, session_error};
use crate::output::Output;

/// Arguments of `upbond userinfo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ask for the signed JWT form (Accept: application/jwt) and verify it
    #[arg(long)]
    jwt: bool,
}

/// Fetches the claims with the session's access token: refreshed first when it expires within
/// a minute, and once more when the issuer rejects it.
pub async fn run(args: Args, settings: Settings, out: Output) -> Result<(), CliError> {
    let session = connect::user_session(&settings, out)?;
    let record = session.record().await.map_err(session_error)?;
    let subject = record
        .as_ref()
        .and_then(|r| r.id_token_claims.as_ref())
        .map(|c| c.subject.as_str());
    let (client, jwt) = (session.client(), args.jwt);
    let info = session
        .authorized_request(|token| async move {
            if jwt {
                client.userinfo_jwt(&token, subject).await
            } else {
                client.userinfo(&token, subject).await
            }
        })
        .await
        .map_err(session_error)?;
    out.result(&json!({ "sub": info.subject, "claims": info.claims }));
    if !out.is_json() {
        out.heading(&format!("User {}", info.subject));
        for (name, value) in &info.claims {
            if name != "sub" {
                let shown = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.field(name, shown);
            }
        }
    }
    Ok(())
}
