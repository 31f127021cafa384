//! `--verbose` / `UPBOND_DEBUG=1`: upbond-core's debug log (each request and response, every
//! secret redacted by the core) printed on stderr.

use std::io::Write;
use std::sync::Arc;

use upbond_core::{LogLevel, Logger};

use crate::output::printable;

/// Prints each message as one `LEVEL target: message` line on stderr.
struct StderrLogger;

impl Logger for StderrLogger {
    fn log(&self, level: LogLevel, target: String, message: String) {
        // A closed stderr must not end the command. Messages may quote server text.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{level:<5} {target}: {}",
            printable(&message)
        );
    }
}

/// Turns on the core's debug logging, printed on stderr (stdout keeps the result).
pub fn enable() {
    upbond_core::set_logger(Some(Arc::new(StderrLogger)));
    upbond_core::set_debug(true);
}
