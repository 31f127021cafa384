//! Tells the user on stderr when the SDK waits before sending a request again (a 429 with
//! `Retry-After`, a 5xx, a lost connection), so that the pause does not look like a hang.

use upbond_core::{AuthOutcome, HttpExchange, MetricsObserver};

use crate::output::{format_duration, note};

/// Prints one line per retry wait; installed on human-mode clients by
/// [`connect::new_client`](crate::connect::new_client).
pub struct RetryNotice;

impl MetricsObserver for RetryNotice {
    fn on_http_exchange(&self, exchange: HttpExchange) {
        let Some(wait) = exchange.retry_in else {
            return;
        };
        let why = match exchange.status {
            Some(429) => "Rate limited by the issuer".to_owned(),
            Some(status) => format!("The issuer answered HTTP {status}"),
            None => format!(
                "No answer from the issuer ({})",
                exchange.error_code.as_deref().unwrap_or("network error")
            ),
        };
        note(&format!("{why}, retrying in {}.", format_duration(wait)));
    }

    fn on_auth_outcome(&self, _outcome: AuthOutcome) {}
}
