//! The loopback redirect listener of RFC 8252 section 7.3: an HTTP server on 127.0.0.1 with a
//! port chosen by the system, waiting for one authorization response on `/callback`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::routing::get;
use tokio::sync::oneshot;
use url::Url;

use crate::error::{CliError, Exit};

/// Page shown in the browser once the redirect arrived with a code.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Signed in</h1>\
<p>The upbond command received the response. You can close this tab and go back to the terminal.</p>";

/// Page shown when the redirect carries an error instead of a code.
const FAILED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>upbond</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in did not complete</h1>\
<p>The identity provider answered with an error. The terminal shows what happened and how to fix it.</p>";

type Slot = Arc<Mutex<Option<oneshot::Sender<String>>>>;

/// A bound listener waiting for the authorization response.
pub struct Loopback {
    redirect_uri: String,
    received: oneshot::Receiver<String>,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Binds 127.0.0.1 on a random port and starts serving `/callback`.
    pub async fn bind() -> Result<Loopback, CliError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| CliError::io("binding a loopback port on 127.0.0.1", &e))?;
        let port = listener
            .local_addr()
            .map_err(|e| CliError::io("reading the loopback port", &e))?
            .port();
        let (tx, received) = oneshot::channel();
        let slot: Slot = Arc::new(Mutex::new(Some(tx)));
        let app = Router::new()
            .route("/callback", get(callback))
            .with_state(slot);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            // Graceful shutdown lets the browser receive the page; an I/O error just ends serving.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Loopback {
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
            received,
            stop: Some(stop),
            server,
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for the redirect and returns its full URL.
    pub async fn wait(mut self, timeout: Duration) -> Result<Url, CliError> {
        let path_and_query = tokio::time::timeout(timeout, &mut self.received)
            .await
            .map_err(|_| {
                CliError::new(
                    Exit::Refused,
                    "login_timeout",
                    format!(
                        "No answer from the browser within {}.",
                        crate::output::format_duration(timeout)
                    ),
                    "Run `upbond login` again and finish signing in in the browser, or use \
                     `upbond login --device` on a machine without a browser.",
                )
            })?
            .map_err(|_| {
                CliError::new(
                    Exit::Failure,
                    "loopback_closed",
                    "The loopback listener stopped unexpectedly.",
                    "Run the command again.",
                )
            })?;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.server).await;
        let base = self.redirect_uri.trim_end_matches("/callback");
        Url::parse(&format!("{base}{path_and_query}")).map_err(|_| {
            CliError::new(
                Exit::Refused,
                "invalid_redirect",
                "The redirect that reached the loopback listener is not a valid URL.",
                "Run `upbond login` again.",
            )
        })
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn callback(State(slot): State<Slot>, OriginalUri(uri): OriginalUri) -> Html<&'static str> {
    let query = uri.query().unwrap_or_default();
    let failed = url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "error");
    let sender = slot.lock().ok().and_then(|mut s| s.take());
    if let Some(tx) = sender {
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let _ = tx.send(path_and_query);
    }
    Html(if failed { FAILED_PAGE } else { DONE_PAGE })
}
