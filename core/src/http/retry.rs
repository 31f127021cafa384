//! When a failed request is sent again, and after how long: exponential backoff with full
//! jitter, bounded by attempts and total time, `Retry-After` honoured up to a cap.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

use super::operation::Operation;
use crate::NetworkErrorKind;

/// Retry rules for every request of a [`Client`](crate::Client).
///
/// Only safe retries happen: failures before the request left the machine, timeouts and
/// broken connections on idempotent calls, HTTP 5xx, and 429. A request that carries an
/// authorization code, a rotating refresh token or an email code is never replayed once the
/// server may have seen it (only 429, which means "not processed", and failures to connect
/// are retried).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call including the first; 1 turns retries off.
    pub max_attempts: u32,
    /// Upper bound of the first backoff; it doubles per retry.
    pub initial_backoff: Duration,
    /// Largest backoff between two attempts.
    pub max_backoff: Duration,
    /// No retry starts whose wait would end later than this after the first attempt began.
    pub max_total_time: Duration,
    /// Longest `Retry-After` honoured; a longer one ends the call with an error that
    /// carries it ([`Error::retry_after`](crate::Error::retry_after)).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_total_time: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// One attempt per call, no retries.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }
}

/// How one attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attempt {
    /// An HTTP answer with this status and `Retry-After`.
    Answered {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No answer; `sent` tells whether the request may have reached the server.
    Failed { kind: NetworkErrorKind, sent: bool },
}

impl RetryPolicy {
    /// The wait before the next attempt, or `None` to stop. `attempt` counts from 1;
    /// `elapsed` is the time since the first attempt began.
    pub(crate) fn next_wait(
        &self,
        operation: Operation,
        attempt: u32,
        outcome: Attempt,
        elapsed: Duration,
    ) -> Option<Duration> {
        if operation == Operation::Diagnosis || attempt >= self.max_attempts {
            return None;
        }
        let (retry, asked) = match outcome {
            Attempt::Answered {
                status: 429,
                retry_after,
            } => (true, retry_after),
            Attempt::Answered {
                status,
                retry_after,
            } if status >= 500 => (!operation.single_use(), retry_after),
            Attempt::Answered { .. } => (false, None),
            Attempt::Failed {
                kind: NetworkErrorKind::Tls,
                ..
            } => (false, None),
            Attempt::Failed { sent: false, .. } => (true, None),
            Attempt::Failed { sent: true, .. } => (operation.idempotent(), None),
        };
        if !retry {
            return None;
        }
        let wait = match asked {
            Some(asked) if asked > self.max_retry_after => return None,
            Some(asked) => asked,
            None => self.backoff(attempt),
        };
        (elapsed.saturating_add(wait) <= self.max_total_time).then_some(wait)
    }

    /// Full jitter: a random wait between zero and `initial * 2^(attempt-1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let cap = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let mut bytes = [0u8; 8];
        match SystemRandom::new().fill(&mut bytes) {
            Ok(()) => cap.mul_f64(u64::from_le_bytes(bytes) as f64 / u64::MAX as f64),
            Err(_) => cap / 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO: Duration = Duration::ZERO;

    fn answered(status: u16, retry_after: Option<u64>) -> Attempt {
        Attempt::Answered {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn failed(kind: NetworkErrorKind, sent: bool) -> Attempt {
        Attempt::Failed { kind, sent }
    }

    #[test]
    fn single_use_grants_are_not_replayed_once_seen() {
        let p = RetryPolicy::default();
        for op in [Operation::AuthorizationCode, Operation::Refresh] {
            assert_eq!(p.next_wait(op, 1, answered(503, None), ZERO), None);
            assert_eq!(p.next_wait(op, 1, answered(500, Some(0)), ZERO), None);
            assert_eq!(
                p.next_wait(op, 1, failed(NetworkErrorKind::Io, true), ZERO),
                None
            );
            assert_eq!(
                p.next_wait(op, 1, failed(NetworkErrorKind::Timeout, true), ZERO),
                None
            );
            // Never sent, or refused unprocessed: safe.
            assert!(
                p.next_wait(op, 1, failed(NetworkErrorKind::Connect, false), ZERO)
                    .is_some()
            );
            assert_eq!(
                p.next_wait(op, 1, answered(429, Some(2)), ZERO),
                Some(Duration::from_secs(2))
            );
        }
    }

    #[test]
    fn idempotent_calls_retry_timeouts_and_5xx() {
        let p = RetryPolicy::default();
        let op = Operation::Discovery;
        assert!(
            p.next_wait(op, 1, failed(NetworkErrorKind::Timeout, true), ZERO)
                .is_some()
        );
        assert!(p.next_wait(op, 2, answered(502, None), ZERO).is_some());
        assert_eq!(p.next_wait(op, 3, answered(502, None), ZERO), None);
        assert_eq!(p.next_wait(op, 1, answered(404, None), ZERO), None);
        assert_eq!(
            p.next_wait(op, 1, failed(NetworkErrorKind::Tls, false), ZERO),
            None
        );
        let cc = Operation::ClientCredentials;
        assert_eq!(
            p.next_wait(cc, 1, failed(NetworkErrorKind::Timeout, true), ZERO),
            None
        );
        assert!(p.next_wait(cc, 1, answered(503, None), ZERO).is_some());
    }

    #[test]
    fn retry_after_is_capped_and_time_is_bounded() {
        let p = RetryPolicy {
            max_retry_after: Duration::from_secs(5),
            max_total_time: Duration::from_secs(8),
            ..RetryPolicy::default()
        };
        let op = Operation::UserInfo;
        assert_eq!(p.next_wait(op, 1, answered(429, Some(6)), ZERO), None);
        assert_eq!(p.next_wait(op, 1, answered(429, Some(0)), ZERO), Some(ZERO));
        assert_eq!(
            p.next_wait(op, 1, answered(503, Some(5)), Duration::from_secs(4)),
            None
        );
        assert_eq!(
            RetryPolicy::disabled().next_wait(op, 1, answered(503, None), ZERO),
            None
        );
    }

    #[test]
    fn backoff_grows_with_full_jitter_under_the_cap() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(2) <= Duration::from_millis(200));
            assert!(p.backoff(10) <= Duration::from_millis(300));
        }
        let distinct: std::collections::HashSet<_> = (0..20).map(|_| p.backoff(3)).collect();
        assert!(distinct.len() > 1, "jitter varies the waits");
    }
}
