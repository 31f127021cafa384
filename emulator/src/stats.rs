//! Request counters per path and per token grant type (read at `/_emulator/stats`).

use std::collections::BTreeMap;

use serde::Serialize;

/// Counters since start or the last reset.
#[derive(Default, Serialize)]
pub struct Stats {
    /// Requests per path (test hooks excluded).
    pub requests: BTreeMap<String, u64>,
    /// Token endpoint requests per `grant_type` (counted before validation).
    pub grants: BTreeMap<String, u64>,
}

impl Stats {
    /// Counts a request to `path`.
    pub fn request(&mut self, path: &str) {
        *self.requests.entry(path.to_string()).or_default() += 1;
    }

    /// Counts a token request with `grant_type`.
    pub fn grant(&mut self, grant_type: &str) {
        *self.grants.entry(grant_type.to_string()).or_default() += 1;
    }
}
