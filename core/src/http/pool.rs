//! [`Pool`]: the reqwest client (and so the connection pool) of the current process.
//!
//! A forked child (Python `multiprocessing` with the `fork` start method, gunicorn
//! `--preload`) inherits its parent's pooled connections, whose I/O belongs to the parent's
//! async runtime and whose sockets the parent still uses. A request over one of them would hang
//! or mix up answers, so the first request in a new process builds a fresh client.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::telemetry::log;
use crate::{Config, Error, LogLevel};

/// A reqwest client for this process; rebuilt when the process id changes.
#[derive(Debug)]
pub(crate) struct Pool {
    connect_timeout: Duration,
    request_timeout: Duration,
    /// The process the client was built in, and the client.
    current: Mutex<(u32, reqwest::Client)>,
}

impl Pool {
    pub fn new(config: &Config) -> Result<Self, Error> {
        let (connect_timeout, request_timeout) = (config.connect_timeout, config.request_timeout);
        let client = build(connect_timeout, request_timeout)?;
        Ok(Pool {
            connect_timeout,
            request_timeout,
            current: Mutex::new((std::process::id(), client)),
        })
    }

    /// The client of this process (a cheap handle to the shared pool).
    pub fn client(&self) -> reqwest::Client {
        let pid = std::process::id();
        // The data is a plain pair that a panicking holder cannot leave half-written.
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.0 != pid {
            // The same settings built a client in the parent, so this cannot fail for them;
            // if it does anyway, the old client is kept and its requests report the failure.
            match build(self.connect_timeout, self.request_timeout) {
                Ok(client) => *current = (pid, client),
                Err(e) => log(LogLevel::Warn, super::TARGET, || {
                    format!("new process, but the HTTP client cannot be rebuilt: {e}")
                }),
            }
        }
        current.1.clone()
    }
}

fn build(connect_timeout: Duration, request_timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("upbond-login/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(super::tls::client_config()?)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}
