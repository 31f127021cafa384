//! Observability: the debug switch and logger interface, redaction, metrics, the support
//! report and the doctor. Each [`Client`](crate::Client) keeps a small journal of its recent
//! requests, operations and errors for the report.

mod doctor;
mod logger;
mod metrics;
pub(crate) mod redact;
mod report;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime};

pub use doctor::{CheckStatus, DoctorCheck, DoctorReport, doctor};
pub(crate) use logger::log;
pub use logger::{LogLevel, Logger, is_debug, set_debug, set_logger};
pub use metrics::{AuthOutcome, EndpointStats, HttpExchange, MetricsObserver, MetricsSnapshot};
pub use report::{ExchangeSummary, OperationSummary, ReportedError, SupportReport};

use crate::Error;
use metrics::Metrics;

/// Entries kept in each journal list.
const JOURNAL: usize = 30;

/// A client's telemetry: metrics aggregate, journal, observer and platform information.
#[derive(Default)]
pub(crate) struct Telemetry {
    journal: Mutex<Journal>,
    observer: RwLock<Option<Arc<dyn MetricsObserver>>>,
    platform: RwLock<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Journal {
    metrics: Metrics,
    exchanges: VecDeque<ExchangeSummary>,
    operations: VecDeque<OperationSummary>,
    errors: VecDeque<ReportedError>,
}

fn push<T>(list: &mut VecDeque<T>, item: T) {
    if list.len() == JOURNAL {
        list.pop_front();
    }
    list.push_back(item);
}

impl Telemetry {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        // The journal holds plain records; after a panic elsewhere it is still consistent
        // enough to report from.
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn observer(&self) -> Option<Arc<dyn MetricsObserver>> {
        self.observer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_observer(&self, observer: Option<Arc<dyn MetricsObserver>>) {
        *self.observer.write().unwrap_or_else(|e| e.into_inner()) = observer;
    }

    pub fn set_platform(&self, info: BTreeMap<String, String>) {
        *self.platform.write().unwrap_or_else(|e| e.into_inner()) = info;
    }

    pub fn platform(&self) -> BTreeMap<String, String> {
        self.platform
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One HTTP attempt ended; `summary` is the redacted answer.
    pub fn exchange(&self, exchange: HttpExchange, summary: String) {
        {
            let mut journal = self.journal();
            journal.metrics.exchange(&exchange);
            let entry = ExchangeSummary::new(&exchange, summary);
            push(&mut journal.exchanges, entry);
        }
        if let Some(observer) = self.observer() {
            observer.on_http_exchange(exchange);
        }
    }

    /// One request (with its retries) ended.
    pub fn operation(&self, operation: &str, attempts: u32, outcome: &str, duration: Duration) {
        let entry = OperationSummary {
            at: timestamp(SystemTime::now()),
            operation: operation.to_owned(),
            attempts,
            outcome: outcome.to_owned(),
            duration,
        };
        push(&mut self.journal().operations, entry);
    }

    /// A failure reported to the app.
    pub fn error(&self, operation: &str, error: &Error) {
        let entry = ReportedError {
            at: timestamp(SystemTime::now()),
            operation: operation.to_owned(),
            code: error.code().to_owned(),
            message: error.message(),
        };
        let mut journal = self.journal();
        journal.metrics.error(error.code());
        push(&mut journal.errors, entry);
    }

    /// A sign-in or refresh ended.
    pub fn outcome(&self, outcome: AuthOutcome) {
        self.journal().metrics.outcome(&outcome);
        log(LogLevel::Info, "upbond_core::auth", || {
            match &outcome.error_code {
                None => format!(
                    "{} succeeded after {} attempt(s)",
                    outcome.grant, outcome.attempts
                ),
                Some(code) => format!("{} failed: {code}", outcome.grant),
            }
        });
        if let Some(observer) = self.observer() {
            observer.on_auth_outcome(outcome);
        }
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        self.journal().metrics.snapshot()
    }

    fn recent(
        &self,
    ) -> (
        Vec<ReportedError>,
        Vec<ExchangeSummary>,
        Vec<OperationSummary>,
    ) {
        let journal = self.journal();
        (
            journal.errors.iter().cloned().collect(),
            journal.exchanges.iter().cloned().collect(),
            journal.operations.iter().cloned().collect(),
        )
    }
}

/// RFC 3339 UTC timestamp with milliseconds, e.g. `2026-12-03T17:05:09.123Z`.
pub(crate) fn timestamp(at: SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    let at = at
        .replace_nanosecond(at.millisecond() as u32 * 1_000_000)
        .unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| httpdate::fmt_http_date(at.into()))
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn optional_millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => millis(d, s),
        None => s.serialize_none(),
    }
}
