//! Device authorization grant (RFC 8628).

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::discovery::ProviderMetadata;
use crate::http::Operation;
use crate::{Client, Error, Secret, TokenSet, json};

/// RFC 8628 section 3.5: the default interval, and the increase on `slow_down`.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The shortest wait between polls, whatever the issuer or the caller says: no busy loop.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// A started device authorization: show `user_code` and `verification_uri` to the user,
/// then call [`Client::poll_device_authorization`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    /// The device code (redacted in `Debug`).
    pub device_code: Secret,
    /// The code the user types.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
    /// A URI that already contains the code (for QR codes), when offered.
    pub verification_uri_complete: Option<String>,
    /// When the device code expires (Unix seconds).
    pub expires_at: u64,
    /// The initial polling interval.
    pub interval: Duration,
}

/// Normalises a user-typed code: drops spaces and dashes, upper-cases, and re-inserts the
/// dash of the `XXXX-XXXX` form when the code has eight characters.
pub fn normalize_user_code(input: &str) -> Result<String, Error> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '–' | '—'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.is_empty() || code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::InvalidUserCode {
            description: crate::error::Description::new(Some("use only letters and digits")),
        });
    }
    // `code` is ASCII alphanumeric (checked above), so byte offsets are char boundaries.
    Ok(if code.len() == 8 {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code
    })
}

impl Client {
    /// Starts a device authorization; empty `scopes` means the configured ones.
    pub async fn start_device_authorization(
        &self,
        scopes: &[&str],
    ) -> Result<DeviceAuthorization, Error> {
        let metadata = self.discover().await?;
        let url = ProviderMetadata::require(
            &metadata.device_authorization_endpoint,
            "the device authorization grant",
        )?;
        let form = vec![("scope", self.scope_param(scopes))];
        let value = self
            .post_form(url, form, Operation::DeviceAuthorization)
            .await?
            .into_json()?;
        let missing = |name: &str| {
            Error::Protocol(format!("the device authorization response has no {name}"))
        };
        let device_code = json::string(&value, "device_code").filter(|c| !c.is_empty());
        let user_code = json::string(&value, "user_code").filter(|c| !c.is_empty());
        let verification_uri = json::string(&value, "verification_uri")
            .or_else(|| json::string(&value, "verification_url"));
        let expires_in =
            json::seconds(&value, "expires_in").ok_or_else(|| missing("expires_in"))?;
        // An interval under a second (0, negative, fractional) is as good as none.
        let interval = json::seconds(&value, "interval")
            .filter(|&secs| secs >= 1)
            .map_or(DEFAULT_INTERVAL, Duration::from_secs);
        let verification_uri = verification_uri.ok_or_else(|| missing("verification_uri"))?;
        let complete = json::string(&value, "verification_uri_complete");
        Ok(DeviceAuthorization {
            device_code: Secret::new(device_code.ok_or_else(|| missing("device_code"))?),
            user_code: user_code.ok_or_else(|| missing("user_code"))?,
            verification_uri: verification_page("verification_uri", verification_uri)?,
            verification_uri_complete: complete
                .map(|uri| verification_page("verification_uri_complete", uri))
                .transpose()?,
            expires_at: crate::http::now_unix().saturating_add(expires_in),
            interval,
        })
    }

    /// Polls until the user approves, denies, the code expires, or `cancel` completes
    /// (pass `std::future::pending()` to never cancel). Waits `interval` (at least 1 s)
    /// before each poll and adds 5 s for every `slow_down`.
    pub async fn poll_device_authorization(
        &self,
        device: &DeviceAuthorization,
        cancel: impl Future<Output = ()>,
    ) -> Result<TokenSet, Error> {
        tokio::pin!(cancel);
        let mut interval = device.interval.max(MIN_INTERVAL);
        loop {
            let remaining = device.expires_at.saturating_sub(crate::http::now_unix());
            if remaining == 0 {
                return Err(Error::DeviceCodeExpired {
                    description: crate::error::Description::new(Some("expired before approval")),
                });
            }
            // Never sleep past the expiry, whatever interval the issuer asked for.
            let wait = interval.min(Duration::from_secs(remaining));
            tokio::select! {
                () = &mut cancel => return Err(Error::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
            let form = vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:device_code".to_owned(),
                ),
                ("device_code", device.device_code.expose().to_owned()),
            ];
            let response = tokio::select! {
                () = &mut cancel => return Err(Error::Cancelled),
                response = self.token_endpoint(form) => response?,
            };
            match response.oauth_error().map(|e| e.error) {
                Some(code) if code == "authorization_pending" => {}
                Some(code) if code == "slow_down" => {
                    interval = interval.saturating_add(SLOW_DOWN_STEP);
                }
                _ => return self.token_set(response, None).await,
            }
        }
    }
}

/// `uri` if the user may be sent there: `https` with a host, or `http` on a loopback host (a
/// local issuer such as the emulator). Anything else from the issuer (`javascript:`, `file:`,
/// plain `http`) would be shown to the user or put in a QR code, so it is a protocol error
/// naming `field` and why, never the URL itself.
fn verification_page(field: &str, uri: String) -> Result<String, Error> {
    let problem = match url::Url::parse(&uri) {
        // An https URL that parses has a host.
        Ok(url) if crate::config::is_https_or_loopback(&url) => return Ok(uri),
        Ok(url) if url.scheme() == "http" => {
            "uses plain http on a host that is not loopback".to_owned()
        }
        // A parsed scheme holds only letters, digits, `+`, `-` and `.`: safe to show.
        Ok(url) => format!("uses the {}: scheme", url.scheme()),
        Err(_) => "is not a valid URL".to_owned(),
    };
    Err(Error::Protocol(format!(
        "the device authorization response has a {field} that {problem}; only https URLs \
         (http on a loopback host) may be shown to the user"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_verification_pages_are_accepted() {
        for ok in [
            "https://auth.example.com/activate",
            "http://127.0.0.1:8080/device",
            "http://127.8.9.10/device",
            "http://[::1]:8080/device",
            "http://LOCALHOST/device",
        ] {
            assert_eq!(
                verification_page("verification_uri", ok.into()).unwrap(),
                ok
            );
        }
        for (bad, why) in [
            ("http://example.com/device", "plain http"),
            ("http://127.0.0.1.example.com/device", "plain http"),
            ("javascript:alert(1)", "javascript: scheme"),
            ("data:text/html,hi", "data: scheme"),
            ("file:///etc/passwd", "file: scheme"),
            ("https:/", "not a valid URL"),
            ("", "not a valid URL"),
        ] {
            let err = verification_page("verification_uri", bad.into()).unwrap_err();
            assert_eq!(err.code(), "protocol_error", "{bad}");
            let message = err.to_string();
            assert!(message.contains(why), "{bad}: {message}");
            assert!(bad.is_empty() || !message.contains(bad), "{message}");
        }
    }

    #[test]
    fn user_codes_are_normalised() {
        assert_eq!(normalize_user_code(" abcd efgh ").unwrap(), "ABCD-EFGH");
        assert_eq!(normalize_user_code("ABCD-EFGH").unwrap(), "ABCD-EFGH");
        assert_eq!(normalize_user_code("abcd–efgh").unwrap(), "ABCD-EFGH");
        assert_eq!(normalize_user_code("wdjb").unwrap(), "WDJB");
        assert_eq!(
            normalize_user_code("  - ").unwrap_err().code(),
            "invalid_user_code"
        );
        assert_eq!(
            normalize_user_code("ab!d-efgh").unwrap_err().code(),
            "invalid_user_code"
        );
    }
}
