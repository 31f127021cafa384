//! A local UPBOND Login 3.0 compatible identity server (OpenID Connect / OAuth 2.0) for
//! offline development and tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), upbond_emulator::StartError> {
//! use upbond_emulator::{Config, Emulator};
//! let emulator = Emulator::start(Config::default()).await?;
//! println!("issuer: {}", emulator.issuer());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See the crate README for endpoints, seed data, test hooks and faults.
#![deny(missing_docs)]

mod authorize;
mod clients;
mod config;
mod device;
mod discovery;
mod errors;
mod faults;
mod hooks;
mod html;
mod keys;
mod params;
mod rate_limit;
mod server;
mod session;
mod social;
mod state;
mod stats;
mod token;
mod tokens;
mod user_api;
mod userinfo;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    ClientConfig, Config, ConfigError, DeviceConfig, RateLimitConfig, ServerConfig, TokenConfig,
    UserConfig,
};
pub use faults::FaultSpec;
pub use keys::SigningAlg;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The configuration is inconsistent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The signing keys could not be prepared.
    #[error("cannot prepare signing keys: {0}")]
    Keys(String),
}

/// A running emulator. Dropping it stops the server; [`Emulator::shutdown`] also waits for it.
pub struct Emulator {
    issuer: String,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on `127.0.0.1` with a free port.
    pub async fn start(config: Config) -> Result<Emulator, StartError> {
        Self::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts on `addr` (port 0 picks a free port). The caller decides whether a
    /// non-loopback address is acceptable; the binary refuses one without `--allow-remote`.
    pub async fn start_on(config: Config, addr: SocketAddr) -> Result<Emulator, StartError> {
        config.validate()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let issuer_host = if local.ip().is_unspecified() {
            SocketAddr::from((Ipv4Addr::LOCALHOST, local.port()))
        } else {
            local
        };
        let issuer = format!("http://{issuer_host}");
        let timeouts = config.server.clone();
        let shared =
            state::Shared::new(config, issuer.clone()).map_err(|e| StartError::Keys(e.0))?;
        let app = server::router(Arc::new(shared));
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, app, timeouts, stopped));
        Ok(Emulator {
            issuer,
            addr: local,
            stop,
            task: Some(task),
        })
    }

    /// The issuer URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets in-flight requests finish (up to 2 s) and waits for the server.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
