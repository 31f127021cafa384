//! Per-client fixed-window rate limits (one-minute windows on the real monotonic clock).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::config::RateLimitConfig;
use crate::errors::OAuthError;

/// UPBOND's rate limit categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Authorization, token (except refresh) and device authorization requests.
    Authentication,
    /// Refresh token grants.
    TokenRefresh,
    /// User API profile requests.
    UserManagement,
    /// User API email operations.
    Email,
}

impl Category {
    fn limit(self, config: &RateLimitConfig) -> u32 {
        match self {
            Category::Authentication => config.authentication_per_min,
            Category::TokenRefresh => config.token_refresh_per_min,
            Category::UserManagement => config.user_management_per_min,
            Category::Email => config.email_per_min,
        }
    }
}

const WINDOW: Duration = Duration::from_secs(60);

/// Request counts per client and category in the current window.
#[derive(Default)]
pub struct RateLimiter {
    windows: HashMap<(String, Category), (Instant, u32)>,
}

impl RateLimiter {
    /// Counts one request; over the limit answers 429 with the seconds left in the window.
    pub fn check(
        &mut self,
        config: &RateLimitConfig,
        client_id: &str,
        category: Category,
    ) -> Result<(), OAuthError> {
        if !config.enabled {
            return Ok(());
        }
        let now = Instant::now();
        let entry = self
            .windows
            .entry((client_id.to_string(), category))
            .or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= category.limit(config) {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(OAuthError::rate_limited(left.as_secs().max(1)));
        }
        entry.1 += 1;
        Ok(())
    }
}
