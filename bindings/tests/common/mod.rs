//! Helpers shared by the integration tests.

use upbond_bindings::ClientConfig;

/// A client configuration with core's defaults and the client-side rate budgets off.
pub fn config(issuer: &str, client_id: &str, secret: Option<&str>) -> ClientConfig {
    ClientConfig {
        issuer: issuer.to_owned(),
        client_id: client_id.to_owned(),
        client_secret: secret.map(str::to_owned),
        kind: None,
        auth_method: None,
        redirect_uri: None,
        post_logout_redirect_uri: None,
        scopes: None,
        connect_timeout_ms: None,
        request_timeout_ms: None,
        clock_leeway_secs: None,
        max_attempts: None,
        rate_budgets: Some(false),
    }
}
