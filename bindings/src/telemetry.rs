//! Logging, metrics, platform details and the doctor: foreign traits and records.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use upbond_core as core;

use crate::CallbackError;

/// Milliseconds of a duration, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Severity of a log message, most severe first.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum LogLevel {
    /// A call failed.
    Error,
    /// Something unusual that was handled.
    Warn,
    /// Notable events.
    Info,
    /// Each request and response, redacted (debug mode only).
    Debug,
    /// Redacted bodies (debug mode only).
    Trace,
}

impl From<core::LogLevel> for LogLevel {
    fn from(level: core::LogLevel) -> Self {
        match level {
            core::LogLevel::Error => LogLevel::Error,
            core::LogLevel::Warn => LogLevel::Warn,
            core::LogLevel::Info => LogLevel::Info,
            core::LogLevel::Debug => LogLevel::Debug,
            core::LogLevel::Trace => LogLevel::Trace,
        }
    }
}

/// Receives the SDK's log messages (already redacted). Called on SDK threads: return quickly.
/// A thrown exception is ignored.
#[uniffi::export(foreign)]
pub trait Logger: Send + Sync {
    /// One message; `target` names the part of the SDK.
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), CallbackError>;
}

struct LoggerAdapter(Arc<dyn Logger>);

impl core::Logger for LoggerAdapter {
    fn log(&self, level: core::LogLevel, target: String, message: String) {
        // A failing app logger must not fail the SDK call that logged.
        let _ = self.0.log(level.into(), target, message);
    }
}

/// Installs (or with `None` removes) the process-wide logger.
#[uniffi::export]
pub fn set_logger(logger: Option<Arc<dyn Logger>>) {
    core::set_logger(logger.map(|l| Arc::new(LoggerAdapter(l)) as Arc<dyn core::Logger>));
}

/// Turns debug logging (each request and response, redacted) on or off.
#[uniffi::export]
pub fn set_debug(enabled: bool) {
    core::set_debug(enabled);
}

/// Whether debug logging is on.
#[uniffi::export]
pub fn is_debug() -> bool {
    core::is_debug()
}

/// One HTTP attempt.
#[derive(uniffi::Record)]
pub struct HttpExchange {
    /// What the request was for, e.g. `token.refresh_token`, `userinfo`.
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The URL path (never the query).
    pub path: String,
    /// The HTTP status; unset when no answer arrived.
    pub status: Option<u16>,
    /// Time from sending to the end of the body (ms).
    pub duration_ms: u64,
    /// The error code the answer stands for, if it is a failure.
    pub error_code: Option<String>,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// Whether the SDK sends the request again.
    pub will_retry: bool,
}

/// The end of a sign-in or refresh.
#[derive(uniffi::Record)]
pub struct AuthOutcome {
    /// `authorization_code`, `device_code`, `client_credentials` or `refresh_token`.
    pub grant: String,
    /// Whether tokens were obtained.
    pub success: bool,
    /// The error code of a failure.
    pub error_code: Option<String>,
    /// The HTTP status of the last answer, if one arrived.
    pub status: Option<u16>,
    /// Time from the first attempt to the end (ms).
    pub duration_ms: u64,
    /// HTTP attempts made.
    pub attempts: u32,
}

/// Receives metrics events as they happen. Called on SDK threads: return quickly. A thrown
/// exception is ignored.
#[uniffi::export(foreign)]
pub trait MetricsObserver: Send + Sync {
    /// One HTTP attempt ended.
    fn on_http_exchange(&self, exchange: HttpExchange) -> Result<(), CallbackError>;
    /// A sign-in or refresh ended.
    fn on_auth_outcome(&self, outcome: AuthOutcome) -> Result<(), CallbackError>;
}

pub(crate) struct ObserverAdapter(pub(crate) Arc<dyn MetricsObserver>);

impl core::MetricsObserver for ObserverAdapter {
    fn on_http_exchange(&self, e: core::HttpExchange) {
        let _ = self.0.on_http_exchange(HttpExchange {
            endpoint: e.endpoint,
            method: e.method,
            path: e.path,
            status: e.status,
            duration_ms: millis(e.duration),
            error_code: e.error_code,
            attempt: e.attempt,
            will_retry: e.will_retry,
        });
    }

    fn on_auth_outcome(&self, o: core::AuthOutcome) {
        let _ = self.0.on_auth_outcome(AuthOutcome {
            grant: o.grant,
            success: o.success,
            error_code: o.error_code,
            status: o.status,
            duration_ms: millis(o.duration),
            attempts: o.attempts,
        });
    }
}

/// Platform details for the support report (OS, app version, device model ...). Never
/// return secrets or personal data.
#[uniffi::export(foreign)]
pub trait PlatformInfo: Send + Sync {
    /// The details, as names and values.
    fn info(&self) -> Result<HashMap<String, String>, CallbackError>;
}

/// Latency figures of one endpoint.
#[derive(uniffi::Record)]
pub struct EndpointStats {
    /// The endpoint name.
    pub endpoint: String,
    /// HTTP attempts.
    pub requests: u64,
    /// Attempts that failed.
    pub errors: u64,
    /// Median latency (ms).
    pub p50_ms: u64,
    /// 95th percentile latency (ms).
    pub p95_ms: u64,
    /// 99th percentile latency (ms).
    pub p99_ms: u64,
    /// Slowest recent attempt (ms).
    pub max_ms: u64,
}

/// A client's metrics since it was created.
#[derive(uniffi::Record)]
pub struct MetricsSnapshot {
    /// HTTP attempts.
    pub requests: u64,
    /// HTTP attempts that failed.
    pub failed_requests: u64,
    /// Sign-ins that ended.
    pub sign_ins: u64,
    /// Sign-ins that obtained tokens.
    pub sign_in_successes: u64,
    /// `sign_in_successes / sign_ins`, when there was a sign-in.
    pub sign_in_success_rate: Option<f64>,
    /// Refreshes that ended.
    pub refreshes: u64,
    /// Refreshes that failed.
    pub refresh_failures: u64,
    /// Mean time between two refreshes (ms), when there were at least two.
    pub mean_refresh_interval_ms: Option<u64>,
    /// Failures reported to the app, by error code.
    pub errors_by_code: HashMap<String, u64>,
    /// Latency per endpoint.
    pub endpoints: Vec<EndpointStats>,
}

impl From<core::MetricsSnapshot> for MetricsSnapshot {
    fn from(m: core::MetricsSnapshot) -> Self {
        MetricsSnapshot {
            requests: m.requests,
            failed_requests: m.failed_requests,
            sign_ins: m.sign_ins,
            sign_in_successes: m.sign_in_successes,
            sign_in_success_rate: m.sign_in_success_rate,
            refreshes: m.refreshes,
            refresh_failures: m.refresh_failures,
            mean_refresh_interval_ms: m.mean_refresh_interval.map(millis),
            errors_by_code: m.errors_by_code.into_iter().collect(),
            endpoints: m
                .endpoints
                .into_iter()
                .map(|e| EndpointStats {
                    endpoint: e.endpoint,
                    requests: e.requests,
                    errors: e.errors,
                    p50_ms: millis(e.p50),
                    p95_ms: millis(e.p95),
                    p99_ms: millis(e.p99),
                    max_ms: millis(e.max),
                })
                .collect(),
        }
    }
}

/// The verdict of one doctor check.
#[derive(Clone, Copy, uniffi::Enum)]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Works, but worth fixing.
    Warn,
    /// Broken: sign-ins will fail.
    Fail,
}

/// One diagnosis step.
#[derive(uniffi::Record)]
pub struct DoctorCheck {
    /// `configuration`, `dns`, `tcp`, `tls`, `discovery`, `jwks`, `clock_skew`, `response_time`.
    pub name: String,
    /// The verdict.
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// What to do, for a warning or failure.
    pub fix: Option<String>,
}

/// Every check that ran, in order.
#[derive(uniffi::Record)]
pub struct DoctorReport {
    /// The issuer diagnosed.
    pub issuer: String,
    /// The worst status of all checks.
    pub status: CheckStatus,
    /// The checks in the order they ran.
    pub checks: Vec<DoctorCheck>,
}

fn status(s: core::CheckStatus) -> CheckStatus {
    match s {
        core::CheckStatus::Pass => CheckStatus::Pass,
        core::CheckStatus::Warn => CheckStatus::Warn,
        core::CheckStatus::Fail => CheckStatus::Fail,
    }
}

impl From<core::DoctorReport> for DoctorReport {
    fn from(r: core::DoctorReport) -> Self {
        DoctorReport {
            status: status(r.status()),
            issuer: r.issuer,
            checks: r
                .checks
                .into_iter()
                .map(|c| DoctorCheck {
                    name: c.name,
                    status: status(c.status),
                    detail: c.detail,
                    fix: c.fix,
                })
                .collect(),
        }
    }
}
