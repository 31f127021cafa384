//! `upbond-emulator`: runs the local UPBOND Login 3.0 emulator until Ctrl-C.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use upbond_emulator::{Config, Emulator};

/// A local UPBOND Login 3.0 compatible identity server for development and tests.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port to listen on (0 picks a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Allow a non-loopback --host (test hooks still answer loopback clients only).
    #[arg(long)]
    allow_remote: bool,
    /// Config file (.toml or .json) replacing the built-in seed data.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if !args.host.is_loopback() && !args.allow_remote {
        eprintln!(
            "error: refusing to listen on non-loopback address {} without --allow-remote",
            args.host
        );
        return ExitCode::from(2);
    }
    let config = match &args.config {
        Some(path) => match Config::from_path(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        None => Config::default(),
    };
    let emulator = match Emulator::start_on(config, SocketAddr::new(args.host, args.port)).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "issuer: {}", emulator.issuer());
    let _ = stdout.flush();
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
