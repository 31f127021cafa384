//! The command tree (one file per command) and the dispatcher.

mod demo;
mod doctor;
mod emulator;
mod explain;
mod login;
mod logout;
mod refresh;
mod token;
mod userinfo;

use clap::{CommandFactory, Parser, Subcommand};

use crate::config::{ConfigArgs, Settings};
use crate::error::{CliError, EXIT_CODES_HELP};
use crate::output::Output;

/// Sign in to UPBOND Login 3.0 from a terminal, try every flow against a built-in emulator,
/// check a configuration and explain error codes.
#[derive(Debug, Parser)]
#[command(
    name = "upbond",
    version,
    arg_required_else_help = true,
    after_help = after_help()
)]
pub struct Cli {
    /// Print the result as one JSON document on stdout (progress goes to stderr). Token
    /// commands include the access token in full there; human output only shows a prefix
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,
    /// Log every request and response on stderr, with tokens and secrets redacted (the same
    /// as UPBOND_DEBUG=1)
    #[arg(
        long,
        short,
        global = true,
        env = "UPBOND_DEBUG",
        value_parser = clap::builder::BoolishValueParser::new(),
        help_heading = "Output"
    )]
    pub verbose: bool,
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

/// The first environment variable read by a flag (UPBOND_ISSUER, ...) whose value is not
/// UTF-8: clap refuses it without saying which one.
pub fn non_utf8_env_var() -> Option<String> {
    let cli = Cli::command();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    commands
        .flat_map(|command| command.get_arguments())
        .filter_map(|arg| arg.get_env())
        .find(|name| std::env::var_os(name).is_some_and(|value| value.to_str().is_none()))
        .map(|name| name.to_string_lossy().into_owned())
}

fn after_help() -> String {
    format!(
        "Configuration: flags, then UPBOND_ISSUER / UPBOND_CLIENT_ID / UPBOND_CLIENT_SECRET / \
         UPBOND_SCOPE,\nthen config.toml (keys issuer, client_id, client_secret, scope) in the \
         upbond configuration\ndirectory: ~/.config/upbond on Linux, or UPBOND_CONFIG_DIR. The \
         session is kept there in\nsession.json, readable by you only.\n\
         New here? Run `upbond demo`.\n\n{EXIT_CODES_HELP}"
    )
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Walk every main flow against a built-in emulator, no account needed
    Demo(demo::Args),
    /// Sign in as a user: browser with a loopback redirect, or --device
    Login(login::Args),
    /// Get an access token for the client itself (client credentials)
    Token(token::Args),
    /// Show the signed-in user's claims
    Userinfo(userinfo::Args),
    /// Refresh the stored session now
    Refresh(refresh::Args),
    /// Revoke the stored tokens and forget the session
    Logout(logout::Args),
    /// Check the configured issuer: reachable, discovery, endpoints, PKCE, keys, clock, speed
    Doctor(doctor::Args),
    /// Run a local UPBOND-compatible server (the same as `upbond-emulator`)
    Emulator(emulator::Args),
    /// Explain an error code: what it means, likely causes, how to fix it
    Explain(explain::Args),
}

/// Runs the chosen command; Ctrl-C ends any wait with [`CliError::interrupted`], except for the
/// emulator, which serves until Ctrl-C and then stops normally.
pub async fn run(cli: Cli, out: Output) -> Result<(), CliError> {
    if cli.verbose {
        crate::logging::enable();
    }
    if let Command::Emulator(args) = cli.command {
        return emulator::run(args, out).await;
    }
    // Biased: the Ctrl-C handler is installed on the first poll, before the command prints
    // anything (such as a device code) that a user might answer with Ctrl-C.
    tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => Err(CliError::interrupted()),
        result = dispatch(cli.command, &cli.config, out) => result,
    }
}

async fn dispatch(command: Command, config: &ConfigArgs, out: Output) -> Result<(), CliError> {
    let settings = || Settings::resolve(config);
    match command {
        Command::Demo(args) => demo::run(args, out).await,
        Command::Login(args) => login::run(args, settings()?, out).await,
        Command::Token(args) => token::run(args, settings()?, out).await,
        Command::Userinfo(args) => userinfo::run(args, settings()?, out).await,
        Command::Refresh(args) => refresh::run(args, settings()?, out).await,
        Command::Logout(args) => logout::run(args, settings()?, out).await,
        Command::Doctor(args) => doctor::run(args, settings()?, out).await,
        Command::Emulator(args) => emulator::run(args, out).await,
        Command::Explain(args) => explain::run(args, out),
    }
}
