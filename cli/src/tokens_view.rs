//! How tokens are shown: redacted in human output; in JSON the access token in full (for
//! scripts), the refresh and ID tokens never.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use upbond_core::{Secret, SessionRecord, TokenSet};

use crate::output::{Output, format_duration, redact};

/// What is shown of a fresh token set or of the stored session.
pub struct TokensView<'a> {
    access_token: &'a Secret,
    /// Expiry in Unix seconds on this machine's clock.
    expires_at: Option<u64>,
    scopes: Option<&'a [String]>,
    has_refresh_token: bool,
    has_id_token: bool,
    subject: Option<&'a str>,
}

impl<'a> From<&'a TokenSet> for TokensView<'a> {
    fn from(tokens: &'a TokenSet) -> Self {
        TokensView {
            access_token: &tokens.access_token,
            expires_at: tokens.expires_at,
            scopes: tokens.scopes.as_deref(),
            has_refresh_token: tokens.refresh_token.is_some(),
            has_id_token: tokens.id_token.is_some(),
            subject: tokens.id_token_claims.as_ref().map(|c| c.subject.as_str()),
        }
    }
}

impl<'a> From<&'a SessionRecord> for TokensView<'a> {
    fn from(record: &'a SessionRecord) -> Self {
        // The record keeps the expiry on the server's clock; shown on this machine's.
        let local = |at: u64| u64::try_from(i128::from(at) - i128::from(record.clock_offset));
        TokensView {
            access_token: &record.access_token,
            expires_at: record.expires_at.and_then(|at| local(at).ok()),
            scopes: Some(record.scopes.as_slice()).filter(|s| !s.is_empty()),
            has_refresh_token: record.refresh_token.is_some(),
            has_id_token: record.id_token.is_some(),
            subject: record.id_token_claims.as_ref().map(|c| c.subject.as_str()),
        }
    }
}

impl TokensView<'_> {
    /// Time left until expiry (zero once expired), when the expiry is known.
    fn expires_in(&self) -> Option<Duration> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        Some(Duration::from_secs(self.expires_at?.saturating_sub(now)))
    }

    /// The JSON view.
    pub fn json(&self) -> Value {
        json!({
            "token_type": "Bearer",
            "access_token": self.access_token.expose(),
            "expires_at": self.expires_at,
            "expires_in": self.expires_in().map(|d| d.as_secs()),
            "scopes": self.scopes,
            "has_refresh_token": self.has_refresh_token,
            "has_id_token": self.has_id_token,
            "subject": self.subject,
        })
    }

    /// Human lines (no secret is shown in full).
    pub fn print(&self, out: Output) {
        out.field("access token", redact(self.access_token.expose()));
        if let Some(left) = self.expires_in() {
            out.field("expires in", format_duration(left));
        }
        if let Some(scopes) = self.scopes {
            out.field("scopes", scopes.join(" "));
        }
        if let Some(subject) = self.subject {
            out.field("subject", subject);
        }
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        out.field("refresh token", yes_no(self.has_refresh_token));
    }
}
