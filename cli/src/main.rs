//! `upbond`: log in to UPBOND Login 3.0 from a terminal, try every flow against a built-in
//! emulator, check a configuration, and explain error codes.

mod commands;
mod config;
mod connect;
mod error;
mod flows;
mod logging;
mod loopback;
mod output;
mod qr;
mod retry_notice;
mod tokens_view;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{CliError, Exit};
use crate::output::Output;

fn main() -> ExitCode {
    // A bug must not dump a stack trace on the user: one line, then the usual status 101.
    std::panic::set_hook(Box::new(|info| {
        output::note(&format!(
            "error[internal]: upbond hit a bug ({info}). Please report it."
        ));
    }));
    // The CLI's own requests (the demo's browser) use the SDK's TLS backend too. Only a
    // second install fails, and there is none before this line.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = match commands::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let out = Output::new(cli.json);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("starting the async runtime", &e))
        .and_then(|rt| rt.block_on(commands::run(cli, out)))
        .and_then(|()| output::stdout_status());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            out.error(&err);
            ExitCode::from(err.exit as u8)
        }
    }
}

/// Help and version go to stdout with status 0; bad input gets clap's message (or a JSON error
/// with `--json`) and status 2.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // args_os: a non-UTF-8 argument is exactly what got us here, and args() would panic on it.
    let json = std::env::args_os().any(|a| a == "--json");
    if e.kind() == clap::error::ErrorKind::InvalidUtf8
        && let Some(name) = commands::non_utf8_env_var()
    {
        Output::new(json).error(&CliError::new(
            Exit::Usage,
            "usage",
            format!("The environment variable {name} is not valid UTF-8."),
            format!("Set {name} to a UTF-8 value, or unset it."),
        ));
        return ExitCode::from(Exit::Usage as u8);
    }
    if json {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        Output::new(true).error(&CliError::new(
            Exit::Usage,
            "usage",
            first.trim_start_matches("error: "),
            "Run `upbond --help` to see the commands and flags.",
        ));
    } else {
        let _ = e.print();
    }
    ExitCode::from(Exit::Usage as u8)
}
