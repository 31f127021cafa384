//! Client-side rate budgets mirroring UPBOND's published per-minute limits, so a looping app
//! slows itself down (or fails fast) before the issuer throttles it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Error;

/// UPBOND's rate limit categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RateCategory {
    /// Sign-in requests: token grants other than refresh, device authorization.
    Authentication,
    /// Refresh token grants.
    TokenRefresh,
    /// User API profile requests.
    UserManagement,
    /// User API email operations (verification, email change).
    EmailOperations,
}

impl RateCategory {
    /// Every category, in a fixed order.
    pub const ALL: [RateCategory; 4] = [
        RateCategory::Authentication,
        RateCategory::TokenRefresh,
        RateCategory::UserManagement,
        RateCategory::EmailOperations,
    ];

    /// The category's stable name, e.g. `token_refresh`.
    pub fn as_str(self) -> &'static str {
        match self {
            RateCategory::Authentication => "authentication",
            RateCategory::TokenRefresh => "token_refresh",
            RateCategory::UserManagement => "user_management",
            RateCategory::EmailOperations => "email_operations",
        }
    }
}

impl fmt::Display for RateCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a call does when its category's budget is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BudgetExhausted {
    /// Fail at once with [`Error::RateBudgetExhausted`], which says how long to wait.
    #[default]
    FailFast,
    /// Wait until the budget has room again, then send.
    Wait,
}

/// Requests allowed per category and window. The defaults are UPBOND's published limits
/// per minute: authentication 60, token refresh 30, user management 100, email 10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateBudgets {
    /// Whether budgets apply at all.
    pub enabled: bool,
    /// Sign-in requests per window.
    pub authentication: u32,
    /// Refresh grants per window.
    pub token_refresh: u32,
    /// User API profile requests per window.
    pub user_management: u32,
    /// Email operations per window.
    pub email_operations: u32,
    /// The sliding window the counts apply to (one minute).
    pub window: Duration,
    /// Wait or fail fast when a budget is spent.
    pub when_exhausted: BudgetExhausted,
}

impl Default for RateBudgets {
    fn default() -> Self {
        RateBudgets {
            enabled: true,
            authentication: 60,
            token_refresh: 30,
            user_management: 100,
            email_operations: 10,
            window: Duration::from_secs(60),
            when_exhausted: BudgetExhausted::FailFast,
        }
    }
}

impl RateBudgets {
    /// Budgets switched off: every request is sent at once.
    pub fn disabled() -> Self {
        RateBudgets {
            enabled: false,
            ..RateBudgets::default()
        }
    }

    /// The number of requests allowed per window in `category`.
    pub fn limit(&self, category: RateCategory) -> u32 {
        match category {
            RateCategory::Authentication => self.authentication,
            RateCategory::TokenRefresh => self.token_refresh,
            RateCategory::UserManagement => self.user_management,
            RateCategory::EmailOperations => self.email_operations,
        }
    }
}

/// Send times of the recent requests per category (a sliding-window log).
#[derive(Debug)]
pub(crate) struct Budget {
    config: RateBudgets,
    sent: Mutex<[VecDeque<Instant>; 4]>,
}

impl Budget {
    pub fn new(config: RateBudgets) -> Self {
        Budget {
            config,
            sent: Mutex::new(Default::default()),
        }
    }

    /// Takes one slot of `category`, waiting or failing as configured.
    pub async fn acquire(&self, category: RateCategory) -> Result<(), Error> {
        if !self.config.enabled {
            return Ok(());
        }
        loop {
            let wait = match self.try_acquire(category, Instant::now()) {
                None => return Ok(()),
                Some(wait) => wait,
            };
            if self.config.when_exhausted == BudgetExhausted::FailFast {
                return Err(Error::RateBudgetExhausted {
                    category,
                    retry_after: wait,
                });
            }
            crate::telemetry::log(crate::LogLevel::Info, "upbond_core::budget", || {
                format!("{category} budget spent; waiting {} ms", wait.as_millis())
            });
            tokio::time::sleep(wait).await;
        }
    }

    /// Records a send at `now` when the window has room; else how long until it has.
    fn try_acquire(&self, category: RateCategory, now: Instant) -> Option<Duration> {
        let window = self.config.window;
        let limit = self.config.limit(category) as usize;
        // A poisoned lock only means another thread panicked mid-update of plain timestamps;
        // the data stays usable.
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let log = &mut sent[category as usize];
        while log
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            log.pop_front();
        }
        if log.len() < limit {
            log.push_back(now);
            return None;
        }
        // limit is 0 or the oldest entry frees a slot when it leaves the window.
        let wait = log.front().map_or(window, |oldest| {
            window.saturating_sub(now.duration_since(*oldest))
        });
        Some(wait.max(Duration::from_millis(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_frees_slots_as_they_age() {
        let budget = Budget::new(RateBudgets {
            token_refresh: 2,
            ..RateBudgets::default()
        });
        let t0 = Instant::now();
        let refresh = RateCategory::TokenRefresh;
        assert_eq!(budget.try_acquire(refresh, t0), None);
        assert_eq!(
            budget.try_acquire(refresh, t0 + Duration::from_secs(10)),
            None
        );
        assert_eq!(
            budget.try_acquire(refresh, t0 + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        // Other categories are counted apart.
        assert_eq!(budget.try_acquire(RateCategory::Authentication, t0), None);
        assert_eq!(
            budget.try_acquire(refresh, t0 + Duration::from_secs(60)),
            None
        );
        assert_eq!(
            budget.try_acquire(refresh, t0 + Duration::from_secs(61)),
            Some(Duration::from_secs(9))
        );
    }

    #[test]
    fn a_zero_limit_always_waits_a_window() {
        let budget = Budget::new(RateBudgets {
            email_operations: 0,
            ..RateBudgets::default()
        });
        let wait = budget.try_acquire(RateCategory::EmailOperations, Instant::now());
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }
}
