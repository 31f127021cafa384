//! Building upbond-core clients and the stored session from the resolved settings.

use std::path::PathBuf;
use std::sync::Arc;

use upbond_core::{BudgetExhausted, Client, Config, FileStore, Secret, Session};

use crate::config::Settings;
use crate::error::CliError;
use crate::output::Output;
use crate::retry_notice::RetryNotice;

/// Name of the session file inside the configuration directory.
pub const SESSION_FILE: &str = "session.json";

/// The configuration of a public native client for user logins (no secret: PKCE protects the
/// code).
pub fn user_config(settings: &Settings) -> Result<Config, CliError> {
    let config = Config::new(settings.issuer()?, settings.client_id()?);
    Ok(adjusted(config, settings))
}

/// A client for `config` that tells the user on stderr when it waits to retry a request
/// (human output only).
pub fn new_client(config: Config, out: Output) -> Result<Client, CliError> {
    let client = Client::new(config)?;
    if !out.is_json() {
        client.set_metrics_observer(Some(Arc::new(RetryNotice)));
    }
    Ok(client)
}

/// A client built from [`user_config`].
pub fn user_client(settings: &Settings, out: Output) -> Result<Client, CliError> {
    new_client(user_config(settings)?, out)
}

/// A confidential client for the client credentials grant.
pub fn service_client(settings: &Settings, out: Output) -> Result<Client, CliError> {
    let (issuer, client_id) = (settings.issuer()?, settings.client_id()?);
    let secret = Secret::new(settings.client_secret()?);
    let config = Config::confidential(issuer, client_id, secret);
    new_client(adjusted(config, settings), out)
}

/// The configured scopes, and waiting rather than failing when the client's rate budget is
/// spent: a person is waiting (a device login may poll every second for minutes), and the
/// budget still keeps the CLI within UPBOND's limits.
fn adjusted(mut config: Config, settings: &Settings) -> Config {
    if let Some(scopes) = settings.scopes() {
        config.scopes = scopes;
    }
    config.rate_budgets.when_exhausted = BudgetExhausted::Wait;
    config
}

/// The session file: `session.json` in the configuration directory (owner-only, replaced
/// atomically, locked while a refresh runs; files of older upbond versions are migrated).
pub fn session_path(settings: &Settings) -> PathBuf {
    settings.dir.join(SESSION_FILE)
}

/// The stored session of `client`'s user.
pub fn session(settings: &Settings, client: Client) -> Session {
    Session::new(client, Arc::new(FileStore::new(session_path(settings))))
}

/// The stored session of the configured user client.
pub fn user_session(settings: &Settings, out: Output) -> Result<Session, CliError> {
    Ok(session(settings, user_client(settings, out)?))
}
