//! Metrics: an observer interface receiving one event per HTTP exchange and per sign-in or
//! refresh outcome, and the built-in aggregate behind [`MetricsSnapshot`].

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Latency samples kept per endpoint for the percentiles.
const SAMPLES: usize = 512;

/// One HTTP attempt: sent to [`MetricsObserver::on_http_exchange`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HttpExchange {
    /// What the request was for, e.g. `token.refresh_token`, `discovery`, `userinfo`.
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The URL path (never the query).
    pub path: String,
    /// The HTTP status; `None` when no answer arrived.
    pub status: Option<u16>,
    /// Time from sending to the end of the body.
    #[serde(rename = "duration_ms", serialize_with = "super::millis")]
    pub duration: Duration,
    /// The error code the answer stands for, if it is a failure.
    pub error_code: Option<String>,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// Whether the SDK sends the request again.
    pub will_retry: bool,
    /// How long the SDK waits before that retry (`Retry-After` or backoff).
    #[serde(rename = "retry_in_ms", serialize_with = "super::optional_millis")]
    pub retry_in: Option<Duration>,
}

/// The end of a sign-in (authorization code, device code, client credentials) or a
/// refresh: sent to [`MetricsObserver::on_auth_outcome`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthOutcome {
    /// The grant: `authorization_code`, `device_code`, `client_credentials` or `refresh_token`.
    pub grant: String,
    /// Whether tokens were obtained (and their ID token validated).
    pub success: bool,
    /// The error code of a failure.
    pub error_code: Option<String>,
    /// The HTTP status of the last answer, if one arrived.
    pub status: Option<u16>,
    /// Time from the first attempt to the validated tokens (or the failure).
    #[serde(rename = "duration_ms", serialize_with = "super::millis")]
    pub duration: Duration,
    /// HTTP attempts made.
    pub attempts: u32,
}

/// Receives metrics events as they happen. Implemented by apps or platform bindings (a
/// foreign callback works: object-safe, `Send + Sync`, simple records). Called on the
/// request's task: return quickly.
pub trait MetricsObserver: Send + Sync {
    /// One HTTP attempt ended.
    fn on_http_exchange(&self, exchange: HttpExchange);
    /// A sign-in or refresh ended.
    fn on_auth_outcome(&self, outcome: AuthOutcome);
}

/// Latency figures of one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndpointStats {
    /// The endpoint name, as in [`HttpExchange::endpoint`].
    pub endpoint: String,
    /// HTTP attempts.
    pub requests: u64,
    /// Attempts that failed (no answer or an error answer).
    pub errors: u64,
    /// Median latency of the recent attempts.
    #[serde(rename = "p50_ms", serialize_with = "super::millis")]
    pub p50: Duration,
    /// 95th percentile latency.
    #[serde(rename = "p95_ms", serialize_with = "super::millis")]
    pub p95: Duration,
    /// 99th percentile latency.
    #[serde(rename = "p99_ms", serialize_with = "super::millis")]
    pub p99: Duration,
    /// Slowest recent attempt.
    #[serde(rename = "max_ms", serialize_with = "super::millis")]
    pub max: Duration,
}

/// The aggregate of a client's metrics since it was created; from
/// [`Client::metrics`](crate::Client::metrics).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MetricsSnapshot {
    /// HTTP attempts.
    pub requests: u64,
    /// HTTP attempts that failed.
    pub failed_requests: u64,
    /// Sign-ins that ended (authorization code, device code, client credentials).
    pub sign_ins: u64,
    /// Sign-ins that obtained tokens.
    pub sign_in_successes: u64,
    /// `sign_in_successes / sign_ins`, when there was a sign-in.
    pub sign_in_success_rate: Option<f64>,
    /// Refreshes that ended.
    pub refreshes: u64,
    /// Refreshes that failed.
    pub refresh_failures: u64,
    /// Mean time between two refreshes, when there were at least two.
    #[serde(
        rename = "mean_refresh_interval_ms",
        serialize_with = "super::optional_millis"
    )]
    pub mean_refresh_interval: Option<Duration>,
    /// Failures reported to the app, by error code.
    pub errors_by_code: BTreeMap<String, u64>,
    /// Latency per endpoint, by endpoint name.
    pub endpoints: Vec<EndpointStats>,
}

/// The running aggregate.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    snapshot: MetricsSnapshot,
    first_refresh: Option<Instant>,
    last_refresh: Option<Instant>,
    endpoints: BTreeMap<String, Latency>,
}

#[derive(Debug, Default)]
struct Latency {
    requests: u64,
    errors: u64,
    samples: VecDeque<Duration>,
}

impl Metrics {
    pub fn exchange(&mut self, exchange: &HttpExchange) {
        let failed = exchange.error_code.is_some();
        self.snapshot.requests += 1;
        self.snapshot.failed_requests += u64::from(failed);
        let latency = self.endpoints.entry(exchange.endpoint.clone()).or_default();
        latency.requests += 1;
        latency.errors += u64::from(failed);
        if latency.samples.len() == SAMPLES {
            latency.samples.pop_front();
        }
        latency.samples.push_back(exchange.duration);
    }

    pub fn outcome(&mut self, outcome: &AuthOutcome) {
        let s = &mut self.snapshot;
        if outcome.grant == "refresh_token" {
            s.refreshes += 1;
            s.refresh_failures += u64::from(!outcome.success);
            let now = Instant::now();
            self.first_refresh.get_or_insert(now);
            self.last_refresh = Some(now);
        } else {
            s.sign_ins += 1;
            s.sign_in_successes += u64::from(outcome.success);
        }
    }

    pub fn error(&mut self, code: &str) {
        *self
            .snapshot
            .errors_by_code
            .entry(code.to_owned())
            .or_default() += 1;
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let mut s = self.snapshot.clone();
        s.sign_in_success_rate =
            (s.sign_ins > 0).then(|| s.sign_in_successes as f64 / s.sign_ins as f64);
        s.mean_refresh_interval = match (self.first_refresh, self.last_refresh) {
            (Some(first), Some(last)) if s.refreshes > 1 => {
                let intervals = u32::try_from(s.refreshes - 1).unwrap_or(u32::MAX);
                Some(last.duration_since(first) / intervals)
            }
            _ => None,
        };
        s.endpoints = self
            .endpoints
            .iter()
            .map(|(endpoint, latency)| {
                let mut sorted: Vec<Duration> = latency.samples.iter().copied().collect();
                sorted.sort_unstable();
                EndpointStats {
                    endpoint: endpoint.clone(),
                    requests: latency.requests,
                    errors: latency.errors,
                    p50: percentile(&sorted, 50),
                    p95: percentile(&sorted, 95),
                    p99: percentile(&sorted, 99),
                    max: sorted.last().copied().unwrap_or_default(),
                }
            })
            .collect();
        s
    }
}

/// Nearest-rank percentile of sorted samples (zero when there are none).
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(endpoint: &str, ms: u64, error: Option<&str>) -> HttpExchange {
        HttpExchange {
            endpoint: endpoint.into(),
            method: "GET".into(),
            path: "/x".into(),
            status: Some(200),
            duration: Duration::from_millis(ms),
            error_code: error.map(str::to_owned),
            attempt: 1,
            will_retry: false,
            retry_in: None,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted[..1], 95), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }

    #[test]
    fn the_aggregate_counts_per_endpoint_and_outcome() {
        let mut m = Metrics::default();
        for ms in [10, 20, 30, 40] {
            m.exchange(&exchange("discovery", ms, None));
        }
        m.exchange(&exchange("userinfo", 5, Some("invalid_token")));
        let outcome = |grant: &str, success| AuthOutcome {
            grant: grant.into(),
            success,
            error_code: None,
            status: Some(200),
            duration: Duration::ZERO,
            attempts: 1,
        };
        m.outcome(&outcome("authorization_code", true));
        m.outcome(&outcome("device_code", false));
        m.outcome(&outcome("refresh_token", true));
        m.error("invalid_token");
        let s = m.snapshot();
        assert_eq!((s.requests, s.failed_requests), (5, 1));
        assert_eq!((s.sign_ins, s.sign_in_successes), (2, 1));
        assert_eq!(s.sign_in_success_rate, Some(0.5));
        assert_eq!((s.refreshes, s.mean_refresh_interval), (1, None));
        assert_eq!(s.errors_by_code["invalid_token"], 1);
        let discovery = &s.endpoints[0];
        assert_eq!(discovery.endpoint, "discovery");
        assert_eq!(discovery.p50, Duration::from_millis(20));
        assert_eq!(discovery.max, Duration::from_millis(40));
        assert_eq!(s.endpoints[1].errors, 1);
    }
}
