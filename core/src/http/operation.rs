//! What a request is for: decides its retry rules, its rate budget and its metrics name.

use super::budget::RateCategory;

/// The purpose of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Discovery,
    Jwks,
    AuthorizationCode,
    Refresh,
    ClientCredentials,
    DeviceAuthorization,
    DevicePoll,
    Revocation,
    UserInfo,
    UserProfile,
    Email,
    /// A doctor probe: one attempt, no budget.
    Diagnosis,
}

impl Operation {
    /// The token grant of a token endpoint form, by its `grant_type`.
    pub fn for_grant(grant_type: &str) -> Operation {
        match grant_type {
            "authorization_code" => Operation::AuthorizationCode,
            "refresh_token" => Operation::Refresh,
            "urn:ietf:params:oauth:grant-type:device_code" => Operation::DevicePoll,
            _ => Operation::ClientCredentials,
        }
    }

    /// Stable name used in logs, metrics and support reports.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Discovery => "discovery",
            Operation::Jwks => "jwks",
            Operation::AuthorizationCode => "token.authorization_code",
            Operation::Refresh => "token.refresh_token",
            Operation::ClientCredentials => "token.client_credentials",
            Operation::DeviceAuthorization => "device_authorization",
            Operation::DevicePoll => "token.device_code",
            Operation::Revocation => "revocation",
            Operation::UserInfo => "userinfo",
            Operation::UserProfile => "user.profile",
            Operation::Email => "user.email",
            Operation::Diagnosis => "doctor",
        }
    }

    /// The grant name when this is a sign-in or refresh (an "auth outcome" for metrics).
    pub fn grant(self) -> Option<&'static str> {
        match self {
            Operation::AuthorizationCode => Some("authorization_code"),
            Operation::Refresh => Some("refresh_token"),
            Operation::ClientCredentials => Some("client_credentials"),
            Operation::DevicePoll => Some("device_code"),
            _ => None,
        }
    }

    /// UPBOND's rate limit category of this request, if it has one.
    pub fn category(self) -> Option<RateCategory> {
        match self {
            Operation::AuthorizationCode
            | Operation::ClientCredentials
            | Operation::DeviceAuthorization
            | Operation::DevicePoll => Some(RateCategory::Authentication),
            Operation::Refresh => Some(RateCategory::TokenRefresh),
            Operation::UserProfile => Some(RateCategory::UserManagement),
            Operation::Email => Some(RateCategory::EmailOperations),
            _ => None,
        }
    }

    /// Whether the request spends something single-use (an authorization code, a rotating
    /// refresh token, an email code): once the server may have seen it, it is never replayed.
    pub fn single_use(self) -> bool {
        matches!(
            self,
            Operation::AuthorizationCode | Operation::Refresh | Operation::Email
        )
    }

    /// Whether sending the request twice has the effect of sending it once, so a timeout or
    /// a broken connection after sending may be retried.
    pub fn idempotent(self) -> bool {
        matches!(
            self,
            Operation::Discovery
                | Operation::Jwks
                | Operation::UserInfo
                | Operation::UserProfile
                | Operation::Revocation
                | Operation::DevicePoll
        )
    }
}
