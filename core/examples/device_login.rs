//! Device login with a persistent session, against any UPBOND Login 3.0 issuer. The first
//! run signs in; later runs reuse (and refresh) the stored session.
//!
//! ```sh
//! cargo run -p upbond-cli -- emulator --port 8080 &     # or any issuer you are registered with
//! UPBOND_ISSUER=http://127.0.0.1:8080 cargo run -p upbond-core --example device_login
//! ```
//! Open the printed URL (for the emulator: sign in as demo-user@example.com / demo-password).

use std::sync::Arc;

use upbond_core::{Client, Config, DEFAULT_MIN_TTL, Error, FileStore, Secret, Session};

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("error {}: {}", error.code(), error.message());
        for step in error.resolution() {
            eprintln!("  fix: {step}");
        }
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let issuer = std::env::var("UPBOND_ISSUER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let client_id = std::env::var("UPBOND_CLIENT_ID").unwrap_or_else(|_| "demo-app".into());
    let client = Client::new(Config::new(issuer, client_id))?;

    // The session keeps the tokens in a file (0600, atomic writes) and refreshes them safely.
    let session = Session::new(
        client.clone(),
        Arc::new(FileStore::new("upbond-session.json")),
    );
    let access_token = match session.access_token(DEFAULT_MIN_TTL).await {
        Ok(token) => token,
        // Nothing stored yet, signed out, or the refresh token is no longer valid.
        Err(error) if error.requires_reauthentication() => sign_in(&client, &session).await?,
        Err(error) => return Err(error),
    };
    let user = client.userinfo(&access_token, None).await?;
    println!(
        "Signed in as {}",
        user.email.as_deref().unwrap_or(&user.subject)
    );
    Ok(())
}

/// Signs the user in on another device and stores the tokens in `session`.
async fn sign_in(client: &Client, session: &Session) -> Result<Secret, Error> {
    let device = client.start_device_authorization(&[]).await?;
    let url = device
        .verification_uri_complete
        .as_ref()
        .unwrap_or(&device.verification_uri);
    println!("Open {url} and enter the code {}", device.user_code);
    let tokens = client
        .poll_device_authorization(&device, std::future::pending())
        .await?;
    session.sign_in(tokens).await?;
    session.access_token(DEFAULT_MIN_TTL).await
}
