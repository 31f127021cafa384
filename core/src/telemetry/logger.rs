//! The debug switch and the logger interface platforms implement (Logcat, OSLog, Python
//! logging). Every message is built from redacted parts; see [`super::redact`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// Severity of a log message, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// A call failed.
    Error,
    /// Something unusual that the SDK handled (a retry, a budget wait, a skewed clock).
    Warn,
    /// Notable events.
    Info,
    /// Each request and response, redacted (only with [`set_debug`]`(true)`).
    Debug,
    /// Redacted request and response bodies (only with [`set_debug`]`(true)`).
    Trace,
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Error => "ERROR",
            LogLevel::Warn => "WARN",
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        })
    }
}

/// Receives the SDK's log messages. Implemented by each platform binding; object-safe,
/// `Send + Sync`, and only simple types, so it can be a foreign (UniFFI) callback.
/// Messages never contain a token, secret, code, verifier, password or cookie.
pub trait Logger: Send + Sync {
    /// One message. `target` names the part of the SDK, e.g. `upbond_core::http`.
    fn log(&self, level: LogLevel, target: String, message: String);
}

static LOGGER: RwLock<Option<Arc<dyn Logger>>> = RwLock::new(None);
static DEBUG: AtomicBool = AtomicBool::new(false);

/// Installs (or with `None` removes) the process-wide logger.
pub fn set_logger(logger: Option<Arc<dyn Logger>>) {
    *LOGGER.write().unwrap_or_else(|e| e.into_inner()) = logger;
}

/// Turns debug logging on or off (like `setDebug(true)` in UPBOND's JavaScript and Python
/// SDKs): on, the logger also receives [`LogLevel::Debug`] and [`LogLevel::Trace`] messages.
pub fn set_debug(enabled: bool) {
    DEBUG.store(enabled, Ordering::Relaxed);
}

/// Whether debug logging is on.
pub fn is_debug() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

/// Sends a message to the installed logger (if the level is enabled) and to `tracing`.
/// `message` is only built when someone listens.
pub(crate) fn log(level: LogLevel, target: &'static str, message: impl FnOnce() -> String) {
    let logger = if level <= LogLevel::Info || is_debug() {
        LOGGER.read().unwrap_or_else(|e| e.into_inner()).clone()
    } else {
        None
    };
    let traced = match level {
        LogLevel::Error => tracing::enabled!(target: "upbond_core", tracing::Level::ERROR),
        LogLevel::Warn => tracing::enabled!(target: "upbond_core", tracing::Level::WARN),
        LogLevel::Info => tracing::enabled!(target: "upbond_core", tracing::Level::INFO),
        LogLevel::Debug => tracing::enabled!(target: "upbond_core", tracing::Level::DEBUG),
        LogLevel::Trace => tracing::enabled!(target: "upbond_core", tracing::Level::TRACE),
    };
    if logger.is_none() && !traced {
        return;
    }
    let message = message();
    if traced {
        match level {
            LogLevel::Error => tracing::error!(target: "upbond_core", source = target, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "upbond_core", source = target, "{message}"),
            LogLevel::Info => tracing::info!(target: "upbond_core", source = target, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "upbond_core", source = target, "{message}"),
            LogLevel::Trace => tracing::trace!(target: "upbond_core", source = target, "{message}"),
        }
    }
    if let Some(logger) = logger {
        logger.log(level, target.to_owned(), message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Lines(Mutex<Vec<(LogLevel, String)>>);

    impl Logger for Lines {
        fn log(&self, level: LogLevel, _target: String, message: String) {
            self.0.lock().unwrap().push((level, message));
        }
    }

    /// The only unit test touching the process-wide logger and switch.
    #[test]
    fn the_debug_switch_gates_debug_and_trace() {
        let lines = Arc::new(Lines::default());
        set_logger(Some(lines.clone()));
        set_debug(false);
        log(LogLevel::Debug, "t", || "hidden".into());
        log(LogLevel::Info, "t", || "shown".into());
        set_debug(true);
        assert!(is_debug());
        log(LogLevel::Trace, "t", || "verbose".into());
        set_debug(false);
        // A server clock 10 minutes ahead is measured and warned about once.
        let transport =
            crate::http::Transport::new(&crate::Config::new("https://a.example", "app")).unwrap();
        let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(600);
        let headers: reqwest::header::HeaderMap = [(
            reqwest::header::DATE,
            httpdate::fmt_http_date(ahead).parse().unwrap(),
        )]
        .into_iter()
        .collect();
        transport.record_date(&headers);
        transport.record_date(&headers);
        assert!((598..=602).contains(&transport.clock_skew().unwrap()));
        set_logger(None);
        log(LogLevel::Error, "t", || "nobody listens".into());
        // Other tests of this binary may log at the same time: look for ours only.
        let got = lines.0.lock().unwrap().clone();
        let texts: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
        assert!(got.contains(&(LogLevel::Info, "shown".to_owned())));
        assert!(got.contains(&(LogLevel::Trace, "verbose".to_owned())));
        assert!(!texts.contains(&"hidden") && !texts.contains(&"nobody listens"));
        let warnings = got
            .iter()
            .filter(|(level, m)| {
                *level == LogLevel::Warn && m.contains("differs from this device's by +")
            })
            .count();
        assert_eq!(warnings, 1, "{got:?}");
    }
}
