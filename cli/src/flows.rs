//! The two interactive user logins, shared by `upbond login` and `upbond demo`: the device flow
//! (code, URL, QR code, spinner) and the browser flow through a loopback redirect.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use upbond_core::{AuthorizationOptions, Client, Config, DeviceAuthorization, TokenSet};
use url::Url;

use crate::connect;
use crate::error::CliError;
use crate::loopback::Loopback;
use crate::output::{Output, printable};
use crate::qr;

/// Runs the device flow: shows the prompt, calls `on_prompt` (the demo approves there), and
/// polls behind a spinner until approval, denial or expiry.
pub async fn device_login(
    client: &Client,
    out: Output,
    on_prompt: impl FnOnce(&DeviceAuthorization),
) -> Result<TokenSet, CliError> {
    let device = client.start_device_authorization(&[]).await?;
    show_device_prompt(out, &device);
    on_prompt(&device);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    // Capped at a day: an issuer claiming the code lives for 1e308 s would otherwise overflow
    // the Instant (device codes live minutes; the poll itself still honours the real expiry).
    let left = device.expires_at.saturating_sub(now).min(24 * 3600);
    let deadline = Instant::now() + Duration::from_secs(left);
    let spinner = out.spinner("Waiting for approval", deadline);
    let result = client
        .poll_device_authorization(&device, std::future::pending())
        .await;
    spinner.finish_and_clear();
    Ok(result?)
}

/// The user code, the verification page and a QR code of the page with the code filled in.
fn show_device_prompt(out: Output, device: &DeviceAuthorization) {
    out.say(format!(
        "To sign in, open {} on any device",
        out.bold(&device.verification_uri)
    ));
    out.say(format!(
        "and enter the code: {}",
        out.bold(&device.user_code)
    ));
    if let Some(complete) = &device.verification_uri_complete
        && let Some(code) = qr::render(complete)
    {
        out.say(format!(
            "Or scan this QR code, which opens {}",
            printable(complete)
        ));
        out.say(code);
    }
}

/// Runs the authorization code flow with PKCE through a loopback redirect on 127.0.0.1:
/// `deliver` gets the authorization URL (open a browser, or drive it in the demo) while the
/// redirect is awaited for at most `timeout`; the code is exchanged before the browser is
/// told the outcome, so `deliver` may wait for that page.
pub async fn browser_login<F, Fut>(
    mut config: Config,
    out: Output,
    options: AuthorizationOptions,
    timeout: Duration,
    deliver: F,
) -> Result<(Client, TokenSet), CliError>
where
    F: FnOnce(Url) -> Fut,
    Fut: Future<Output = Result<(), CliError>>,
{
    let loopback = Loopback::bind().await?;
    config.redirect_uri = Some(loopback.redirect_uri().to_owned());
    let client = connect::new_client(config, out)?;
    let (url, pending) = client.begin_authorization(options).await?;
    loopback.expect_state(&pending.state);
    let (client_ref, pending) = (&client, &pending);
    let exchange = |callback: Url| async move {
        let tokens = client_ref
            .complete_authorization(pending, callback.as_str())
            .await?;
        Ok(tokens)
    };
    let ((), tokens) = tokio::try_join!(deliver(url), loopback.complete(timeout, exchange))?;
    Ok((client, tokens))
}
