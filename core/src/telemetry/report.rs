//! The support report: everything a support team needs to diagnose a problem, redacted.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::{HttpExchange, MetricsSnapshot, timestamp};
use crate::{Client, ClientAuthMethod, ClientKind, Config, RateCategory};

/// A failure the app saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportedError {
    /// When, in RFC 3339 UTC.
    pub at: String,
    /// The operation, e.g. `token.refresh_token`.
    pub operation: String,
    /// The error code.
    pub code: String,
    /// The error message (never contains secrets).
    pub message: String,
}

/// One HTTP attempt, without secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeSummary {
    /// When it ended, in RFC 3339 UTC.
    pub at: String,
    /// The endpoint name, e.g. `discovery`.
    pub endpoint: String,
    /// Method and path, e.g. `POST /oauth/token`.
    pub request: String,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// Latency.
    #[serde(rename = "duration_ms", serialize_with = "super::millis")]
    pub duration: Duration,
    /// Attempt number of the request.
    pub attempt: u32,
    /// The error code, for failures.
    pub error_code: Option<String>,
    /// The answer with every value that could be secret redacted.
    pub response: String,
}

impl ExchangeSummary {
    pub(super) fn new(exchange: &HttpExchange, response: String) -> Self {
        ExchangeSummary {
            at: timestamp(SystemTime::now()),
            endpoint: exchange.endpoint.clone(),
            request: format!("{} {}", exchange.method, exchange.path),
            status: exchange.status,
            duration: exchange.duration,
            attempt: exchange.attempt,
            error_code: exchange.error_code.clone(),
            response,
        }
    }
}

/// One operation (a request with its retries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperationSummary {
    /// When it ended, in RFC 3339 UTC.
    pub at: String,
    /// The operation, e.g. `token.authorization_code`.
    pub operation: String,
    /// HTTP attempts made.
    pub attempts: u32,
    /// `ok`, or the error code.
    pub outcome: String,
    /// Total time including retries.
    #[serde(rename = "duration_ms", serialize_with = "super::millis")]
    pub duration: Duration,
}

/// A redacted report for UPBOND or app support: from [`Client::support_report`].
/// It holds the client ID but never the client secret, tokens, codes or passwords.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupportReport {
    /// When the report was made, in RFC 3339 UTC.
    pub generated_at: String,
    /// The upbond-core version.
    pub sdk_version: String,
    /// Platform details supplied by the binding ([`Client::set_platform_info`]).
    pub platform: BTreeMap<String, String>,
    /// The configured issuer.
    pub issuer: String,
    /// The client ID.
    pub client_id: String,
    /// Client kind and authentication method, e.g. `Native, None`.
    pub client_type: String,
    /// Timeouts, retry policy and rate budgets in effect, by name.
    pub settings: BTreeMap<String, String>,
    /// Whether debug logging is on.
    pub debug_logging: bool,
    /// Server clock minus local clock in seconds, when measured.
    pub clock_skew_secs: Option<i64>,
    /// The last failures, oldest first.
    pub last_errors: Vec<ReportedError>,
    /// The last HTTP attempts, oldest first.
    pub recent_requests: Vec<ExchangeSummary>,
    /// The last operations, oldest first.
    pub recent_operations: Vec<OperationSummary>,
    /// The metrics aggregate.
    pub metrics: MetricsSnapshot,
}

impl SupportReport {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, numbers and maps cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl fmt::Display for SupportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "upbond-login support report ({})", self.generated_at)?;
        writeln!(f, "sdk: upbond-core {}", self.sdk_version)?;
        for (key, value) in &self.platform {
            writeln!(f, "platform.{key}: {value}")?;
        }
        writeln!(f, "issuer: {}", self.issuer)?;
        writeln!(f, "client: {} ({})", self.client_id, self.client_type)?;
        for (key, value) in &self.settings {
            writeln!(f, "setting.{key}: {value}")?;
        }
        writeln!(f, "debug logging: {}", self.debug_logging)?;
        match self.clock_skew_secs {
            Some(skew) => writeln!(f, "clock skew: {skew:+} s (server minus local)")?,
            None => writeln!(f, "clock skew: not measured yet")?,
        }
        writeln!(f, "last errors:")?;
        for e in &self.last_errors {
            writeln!(f, "  {} {} {}: {}", e.at, e.operation, e.code, e.message)?;
        }
        writeln!(f, "recent operations:")?;
        for o in &self.recent_operations {
            writeln!(
                f,
                "  {} {} -> {} ({} attempt(s), {} ms)",
                o.at,
                o.operation,
                o.outcome,
                o.attempts,
                o.duration.as_millis()
            )?;
        }
        writeln!(f, "recent requests:")?;
        for r in &self.recent_requests {
            let status = r.status.map_or("no answer".to_owned(), |s| s.to_string());
            writeln!(
                f,
                "  {} {} #{} -> {status} in {} ms: {}",
                r.at,
                r.request,
                r.attempt,
                r.duration.as_millis(),
                r.response
            )?;
        }
        let m = &self.metrics;
        writeln!(
            f,
            "metrics: {} requests ({} failed), {}/{} sign-ins succeeded, {} refreshes",
            m.requests, m.failed_requests, m.sign_in_successes, m.sign_ins, m.refreshes
        )
    }
}

impl Client {
    /// Sets the platform details the binding reports (OS, app version, device model ...);
    /// they appear in [`Client::support_report`]. Never put secrets or personal data here.
    pub fn set_platform_info(&self, info: BTreeMap<String, String>) {
        self.telemetry().set_platform(info);
    }

    /// A redacted report of this client's recent activity for support requests.
    pub fn support_report(&self) -> SupportReport {
        let telemetry = self.telemetry();
        let (last_errors, recent_requests, recent_operations) = telemetry.recent();
        let config = self.config();
        SupportReport {
            generated_at: timestamp(SystemTime::now()),
            sdk_version: env!("CARGO_PKG_VERSION").to_owned(),
            platform: telemetry.platform(),
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
            client_type: client_type(config),
            settings: settings(config),
            debug_logging: super::is_debug(),
            clock_skew_secs: self.clock_skew(),
            last_errors,
            recent_requests,
            recent_operations,
            metrics: telemetry.snapshot(),
        }
    }
}

/// The client kind and how it authenticates, in the terms of the registration
/// (`confidential, client_secret_basic`).
fn client_type(config: &Config) -> String {
    let kind = match config.kind {
        ClientKind::Native => "native",
        ClientKind::SinglePage => "single-page",
        ClientKind::Confidential => "confidential",
    };
    let auth = match config.auth_method() {
        ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
        ClientAuthMethod::ClientSecretPost => "client_secret_post",
        ClientAuthMethod::None => "no client authentication",
    };
    format!("{kind}, {auth}")
}

/// The settings support asks about first, as `name -> value`.
fn settings(config: &Config) -> BTreeMap<String, String> {
    let ms = |d: Duration| format!("{} ms", d.as_millis());
    let (retry, budgets) = (&config.retry, &config.rate_budgets);
    let mut out: BTreeMap<String, String> = [
        ("connect_timeout", ms(config.connect_timeout)),
        ("request_timeout", ms(config.request_timeout)),
        ("clock_leeway", ms(config.clock_leeway)),
        ("retry.max_attempts", retry.max_attempts.to_string()),
        ("retry.max_total_time", ms(retry.max_total_time)),
        ("retry.max_retry_after", ms(retry.max_retry_after)),
        ("rate_budgets.enabled", budgets.enabled.to_string()),
        ("rate_budgets.window", ms(budgets.window)),
        (
            "rate_budgets.when_exhausted",
            format!("{:?}", budgets.when_exhausted),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for category in RateCategory::ALL {
        out.insert(
            format!("rate_budgets.{category}"),
            budgets.limit(category).to_string(),
        );
    }
    out
}
