//! `upbond emulator`: runs the local UPBOND-compatible server until Ctrl-C, printing the same
//! `issuer: URL` line as the `upbond-emulator` binary.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use serde_json::json;
use upbond_emulator::{Config, Emulator};

use crate::error::{CliError, Exit};
use crate::output::Output;

/// Arguments of `upbond emulator`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on at 127.0.0.1 (0 picks a free port)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed data file (.toml or .json) replacing the built-in clients and users
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Starts the server, prints its issuer and serves until interrupted; request logs go to
/// stderr as with `upbond-emulator` (RUST_LOG adjusts them).
pub async fn run(args: Args, out: Output) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Fails only when a subscriber is already set, which then keeps logging.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let config = match &args.config {
        Some(path) => Config::from_path(path).map_err(|e| {
            CliError::new(
                Exit::Config,
                "invalid_emulator_config",
                format!("Cannot use {}: {e}", path.display()),
                "Fix the file, or run `upbond emulator` without --config to use the built-in \
                 seed data.",
            )
        })?,
        None => Config::default(),
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let emulator = Emulator::start_on(config, addr).await.map_err(|e| {
        CliError::new(
            Exit::Failure,
            "emulator_start_failed",
            format!("The emulator could not start on {addr}: {e}"),
            "Pick another port with --port, or --port 0 for any free one.",
        )
    })?;
    let issuer = emulator.issuer().to_owned();
    if out.is_json() {
        out.result(&json!({ "issuer": issuer }));
    } else {
        out.say(format!("issuer: {issuer}"));
    }
    crate::output::note(&format!(
        "Serving until Ctrl-C. In another terminal:\n  export UPBOND_ISSUER={issuer} \
         UPBOND_CLIENT_ID=demo-app\n  upbond login --device"
    ));
    // Ctrl-C is the normal way to stop; a failure to listen for it stops the server as well.
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(())
}
