//! Debug logs of a whole session never contain a secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use upbond_core::{Secret, TokenTypeHint};

use crate::common::{USER_SUB, start};

/// A `MakeWriter` that appends every log line to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test]
async fn trace_logs_of_every_flow_hold_no_secret() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = start().await;
    let client = env.native();
    let (pending, callback) = env.authorize(&client, Default::default(), false).await;
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| Secret::new(v.into_owned()))
        .unwrap();
    let tokens = client
        .complete_authorization(&pending, &callback)
        .await
        .unwrap();
    let refreshed = client
        .refresh(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    client
        .userinfo(&refreshed.access_token, Some(USER_SUB))
        .await
        .unwrap();
    let password = Secret::new("demo-password");
    let api = client.user_api();
    api.change_email(
        &refreshed.access_token,
        USER_SUB,
        "x@example.com",
        &password,
    )
    .await
    .unwrap();
    let service = env
        .service()
        .client_credentials(&["api:read"])
        .await
        .unwrap();
    client
        .revoke(
            refreshed.refresh_token.as_ref().unwrap(),
            Some(TokenTypeHint::RefreshToken),
        )
        .await
        .unwrap();

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/oauth/token"), "the requests were logged");
    let client_secret = Secret::new("demo-service-secret");
    // The Basic credentials as they travel: base64("demo-service:demo-service-secret").
    let basic = Secret::new("ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ");
    let secrets = [
        &code,
        &pending.code_verifier,
        &tokens.access_token,
        tokens.refresh_token.as_ref().unwrap(),
        tokens.id_token.as_ref().unwrap(),
        &refreshed.access_token,
        refreshed.refresh_token.as_ref().unwrap(),
        &password,
        &service.access_token,
        &client_secret,
        &basic,
    ];
    crate::common::assert_hidden(&logs, &secrets);
}
